"""Stripe's webhook: verify, skip what was handled, re-read from Stripe, then act.

The signature is checked with stripe's own verifier against the endpoint's
secret before anything is read or written. An event id handled to the end is
recorded (unique), so a second delivery changes nothing; the id is recorded
only after the work is done, so an event whose handling failed (Stripe
unreachable: 502) is redelivered by Stripe and handled then. What the event
carries is used only to know which object to re-read: state changes follow
what Stripe says now, which makes late and out-of-order delivery harmless.
"""

from __future__ import annotations

import logging
from typing import Any

import msgspec
import stripe

from billing import errors
from billing.finance.payouts import import_payout
from billing.memberships.sync import sync_from_invoice, sync_from_session, sync_subscription
from billing.payments.charges import import_charge
from billing.payments.disputes import import_dispute
from billing.payments.refund_effects import apply_refunds
from billing.payments.settlement import settle_session
from billing.stripe_client import StripeAccount
from billing.tables import StripeEvent
from grandrounds import metrics
from grandrounds.errors import DomainError

log = logging.getLogger("grandrounds.billing")

SESSION_EVENTS = frozenset(
    {
        "checkout.session.completed",
        "checkout.session.async_payment_succeeded",
        "checkout.session.async_payment_failed",
        "checkout.session.expired",
    }
)
CHARGE_EVENTS = frozenset({"charge.refunded", "charge.refund.updated"})
# Memberships: the invoice or subscription is only a pointer; the subscription is re-read.
INVOICE_EVENTS = frozenset({"invoice.paid", "invoice.payment_failed", "invoice.finalized", "invoice.voided"})
SUBSCRIPTION_EVENTS = frozenset(
    {"customer.subscription.created", "customer.subscription.updated", "customer.subscription.deleted"}
)
DISPUTE_EVENTS = frozenset(
    {
        "charge.dispute.created",
        "charge.dispute.updated",
        "charge.dispute.closed",
        "charge.dispute.funds_withdrawn",
        "charge.dispute.funds_reinstated",
    }
)
PAYOUT_EVENTS = frozenset({"payout.paid", "payout.failed"})
# How old a signed delivery may be (Stripe's default): a captured request cannot be replayed later.
TOLERANCE_SECONDS = 300


class _EventData(msgspec.Struct):
    object: dict[str, Any]


class _Event(msgspec.Struct):
    """The part of a Stripe event we read; anything else in the body is ignored."""

    id: str
    type: str
    data: _EventData


def verified_event(account: StripeAccount, payload: bytes, signature: str | None) -> _Event:
    """The event, once stripe's own verifier accepts the signature for this exact body."""
    if not account.webhook_secret:
        raise errors.not_configured()
    try:
        text = payload.decode("utf-8")
        stripe.WebhookSignature.verify_header(text, signature, account.webhook_secret, TOLERANCE_SECONDS)
    except (stripe.SignatureVerificationError, UnicodeDecodeError) as exc:
        raise errors.signature_invalid() from exc
    try:
        return msgspec.json.decode(payload, type=_Event)
    except (msgspec.DecodeError, msgspec.ValidationError) as exc:
        raise errors.payload_invalid() from exc


async def receive(account: StripeAccount, payload: bytes, signature: str | None) -> tuple[str, str]:
    """Handle one delivery; (event id, outcome). Each delivery is counted by type and outcome."""
    try:
        event = verified_event(account, payload, signature)
    except DomainError as exc:
        metrics.webhook_outcome("", exc.code)
        raise
    if await StripeEvent.exists().where(StripeEvent.stripe_event_id == event.id):
        metrics.webhook_outcome(event.type, "duplicate")
        return event.id, "duplicate"
    obj = event.data.object
    object_id = obj.get("id") if isinstance(obj.get("id"), str) else ""
    outcome: str = "ignored"
    if event.type in SESSION_EVENTS and object_id:
        outcome = await settle_session(account, object_id)
        if outcome == "not_ours":  # a membership's subscription-mode checkout
            outcome = await sync_from_session(account, object_id)
    elif event.type in INVOICE_EVENTS and object_id:
        outcome = await sync_from_invoice(account, object_id)
    elif event.type in SUBSCRIPTION_EVENTS and object_id:
        outcome = await sync_subscription(account, object_id)
    elif event.type in CHARGE_EVENTS and object_id:
        charge_id = object_id if event.type == "charge.refunded" else str(obj.get("charge") or "")
        if charge_id:
            await import_charge(account, charge_id)
            await apply_refunds(charge_id)
            outcome = "imported"
    elif event.type in DISPUTE_EVENTS and object_id:
        outcome = f"dispute_{await import_dispute(account, object_id)}"
    elif event.type in PAYOUT_EVENTS and object_id:
        outcome = await import_payout(account, object_id)
    await StripeEvent.insert(
        StripeEvent(stripe_event_id=event.id, type=event.type, object_id=object_id)
    ).on_conflict(action="DO NOTHING")
    log.info("stripe event %s %s %s: %s", event.id, event.type, object_id, outcome)
    metrics.webhook_outcome(event.type, outcome)
    return event.id, outcome
