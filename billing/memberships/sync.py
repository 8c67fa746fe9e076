"""Bringing a membership in line with its Stripe subscription, whatever event woke us.

Webhooks (``checkout.session.completed`` in subscription mode,
``invoice.paid``, ``invoice.payment_failed``, ``customer.subscription.*``)
only tell us *which* subscription to re-read. From Stripe's current answer
we derive everything, so duplicates and out-of-order delivery end in the
same state:

- ``current_period_end`` is the latest end of a *paid* invoice's period and
  ``starts_at`` the earliest start: a renewal paid moves the end to the next
  anniversary, an unpaid one leaves it where it was, so the membership
  lapses that day with nothing to sweep;
- a paid invoice whose amount or currency differ from the dues counts for
  nothing and raises an alert for finance;
- every paid invoice's charge is mirrored in the ledger with the membership
  set (its fee and later refunds follow it);
- each paid term of an organization grants points (half the dues), once per
  invoice; a cancelled or lapsed membership forfeits what is left.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from billing.ledger import at
from billing.memberships import points, seats, tiers
from billing.memberships.status import MembershipStatus
from billing.payments.charges import call, field
from billing.payments.charges import import_charge as import_charge_for
from billing.stripe_client import StripeAccount
from billing.tables import BillingAlert, Membership
from grandrounds.db import now, write_transaction
from grandrounds.money import MINOR_UNIT_EXPONENT, format_money

log = logging.getLogger("grandrounds.billing")

# Stripe subscription status -> ours, once a term has been paid.
STATUS = {
    "active": MembershipStatus.ACTIVE,
    "trialing": MembershipStatus.ACTIVE,
    "past_due": MembershipStatus.PAST_DUE,
    "unpaid": MembershipStatus.PAST_DUE,
    "canceled": MembershipStatus.CANCELED,
    "incomplete_expired": MembershipStatus.ABANDONED,
}


def _subscription_of_invoice(invoice: Any) -> str:
    details = field(field(invoice, "parent"), "subscription_details")
    value = field(details, "subscription")
    return value if isinstance(value, str) else str(field(value, "id") or "")


async def _membership_for(subscription: Any) -> dict[str, Any] | None:
    """Ours by the id we stored, else by the metadata we set when we asked for it."""
    row = await Membership.select().where(Membership.stripe_subscription_id == subscription.id).first()
    if row is not None:
        return dict(row)
    try:
        membership_id = int(field(field(subscription, "metadata"), "membership_id") or 0)
    except (TypeError, ValueError):
        return None
    row = await Membership.select().where(Membership.id == membership_id).first()
    if row is None or row["stripe_subscription_id"] not in ("", subscription.id):
        return None
    return dict(row)


async def _paid_invoices(account: StripeAccount, subscription_id: str) -> list[Any]:
    listed = await call(
        account.client.v1.invoices.list_async(
            {"subscription": subscription_id, "status": "paid", "limit": 100}
        )
    )
    return list(listed.data)


async def charges_of(account: StripeAccount, invoice_id: str) -> list[str]:
    """The charges that paid an invoice, through its invoice payments (API 2025-03 onwards)."""
    payments = await call(
        account.client.v1.invoice_payments.list_async({"invoice": invoice_id, "limit": 100})
    )
    charges: list[str] = []
    for payment in payments.data:
        if field(payment, "status") != "paid":
            continue
        detail = field(payment, "payment")
        charge = field(detail, "charge")
        if not charge and field(detail, "payment_intent"):
            intent = await call(
                account.client.v1.payment_intents.retrieve_async(str(field(detail, "payment_intent")))
            )
            charge = field(intent, "latest_charge")
        if charge:
            charges.append(charge if isinstance(charge, str) else str(charge["id"]))
    return charges


async def _alert(membership: dict[str, Any], invoice: Any) -> None:
    paid = format_money(int(invoice["amount_paid"]), str(invoice["currency"]).upper())
    dues = format_money(membership["dues_amount"], membership["currency"])
    async with write_transaction():
        await BillingAlert.insert(
            BillingAlert(
                kind="dues_mismatch",
                stripe_id=invoice["id"],
                message=(
                    f"Stripe collected {paid} on invoice {invoice['id']} for membership {membership['id']}, "
                    f"whose dues are {dues}. The term was not counted; settle the difference in Stripe."
                ),
                details={
                    "membership_id": membership["id"],
                    "dues_amount": membership["dues_amount"],
                    "dues_currency": membership["currency"],
                    "invoice_amount_paid": int(invoice["amount_paid"]),
                    "invoice_currency": str(invoice["currency"]).upper(),
                },
            )
        ).on_conflict(action="DO NOTHING")


def _period(invoice: Any) -> tuple[datetime, datetime]:
    lines = field(field(invoice, "lines"), "data") or []
    starts = [int(line["period"]["start"]) for line in lines if field(line, "period")]
    ends = [int(line["period"]["end"]) for line in lines if field(line, "period")]
    start = min(starts) if starts else int(invoice["period_start"])
    end = max(ends) if ends else int(invoice["period_end"])
    return at(start), at(end)


async def sync_subscription(account: StripeAccount, subscription_id: str) -> str:
    """Re-read one subscription and its paid invoices from Stripe and set the membership from them."""
    subscription = await call(account.client.v1.subscriptions.retrieve_async(subscription_id))
    membership = await _membership_for(subscription)
    if membership is None:
        return "not_ours"
    paid_terms: list[tuple[datetime, datetime, Any]] = []
    for invoice in await _paid_invoices(account, subscription_id):
        charges = await charges_of(account, invoice["id"])
        for charge_id in charges:
            await import_charge_for(account, charge_id, membership_id=membership["id"])
        matches = (int(invoice["amount_paid"]), str(invoice["currency"]).upper()) == (
            membership["dues_amount"],
            membership["currency"],
        )
        if not matches:
            await _alert(membership, invoice)
            continue
        start, end = _period(invoice)
        paid_terms.append((start, end, invoice))
    values: dict[Any, Any] = {
        Membership.stripe_subscription_id: subscription.id,
        Membership.stripe_customer_id: str(
            field(subscription, "customer") or membership["stripe_customer_id"]
        ),
        Membership.updated_at: now(),
    }
    status = membership["status"]
    if paid_terms:
        starts_at = min(t[0] for t in paid_terms)
        period_end = max(t[1] for t in paid_terms)
        status = STATUS.get(str(subscription.status), MembershipStatus.ACTIVE)
        ended = field(subscription, "ended_at")
        if status == MembershipStatus.CANCELED and ended:
            period_end = min(period_end, at(int(ended)))
        values[Membership.starts_at] = starts_at
        values[Membership.current_period_end] = period_end
    elif str(subscription.status) in ("canceled", "incomplete_expired"):
        status = MembershipStatus.ABANDONED  # never paid: nothing to lapse, the person may start again
    values[Membership.status] = status
    async with write_transaction():
        await Membership.update(values).where(Membership.id == membership["id"])
    if membership["tier"] == "organization":
        if membership["status"] == MembershipStatus.PENDING and paid_terms:
            await seats.seat_leader_at_activation(membership["id"])  # first activation only
        exponent = MINOR_UNIT_EXPONENT.get(membership["currency"], 2)
        for _start, _end, invoice in paid_terms:
            granted = tiers.points_for_dues(int(invoice["amount_paid"]), exponent)
            await points.grant(
                membership["id"], granted, f"grant-{invoice['id']}", f"term paid ({invoice['id']})"
            )
        await points.forfeit_if_lapsed(membership["id"])
    log.info("membership %s synced from %s: %s", membership["id"], subscription.id, status)
    return f"membership_{status}"


async def sync_from_session(account: StripeAccount, session_id: str) -> str:
    """A subscription-mode Checkout Session of ours: follow it to its subscription."""
    row = (
        await Membership.select(Membership.id)
        .where(Membership.stripe_checkout_session_id == session_id)
        .first()
    )
    if row is None:
        return "not_ours"
    session = await call(account.client.v1.checkout.sessions.retrieve_async(session_id))
    subscription = field(session, "subscription")
    if session.status != "complete" or not subscription:
        return "awaiting_payment"
    subscription_id = subscription if isinstance(subscription, str) else str(subscription["id"])
    return await sync_subscription(account, subscription_id)


async def sync_from_invoice(account: StripeAccount, invoice_id: str) -> str:
    invoice = await call(account.client.v1.invoices.retrieve_async(invoice_id))
    subscription_id = _subscription_of_invoice(invoice)
    if not subscription_id:
        return "ignored"
    return await sync_subscription(account, subscription_id)
