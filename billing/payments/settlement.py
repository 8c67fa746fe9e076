"""Settling a Checkout Session: what Stripe says about it decides what happens to the registration.

The webhook and the browser's return both come here, with nothing but the
session id: the session, its payment and its charge are re-read from Stripe
(never trusted from the message that woke us), so events may arrive late,
twice or out of order. A paid session is mirrored in the ledger first (keyed
by the charge, so once), then:

- amount or currency differ from what the registration costs: an alert for
  finance, nothing confirmed;
- otherwise events' ``confirm_payment``, which confirms exactly once (one
  email, one ticket) however many callers arrive together;
- the seat is gone (the hold lapsed and someone else has it, or the place
  was cancelled before it was paid): refunded through Stripe, recorded, and
  the person told why.

An expired session ends the registration's hold unless a newer attempt is
still open.
"""

from __future__ import annotations

from typing import Any, Literal

from billing.memberships.points_returns import return_points
from billing.payments.charges import ChargeFacts, call, field, import_charge
from billing.stripe_client import StripeAccount
from billing.tables import BillingAlert, Checkout
from events.registration_status import RegistrationStatus
from events.services.registration.lifecycle import confirm_payment, release_hold
from events.tables import Registration, RegistrationChange
from grandrounds.db import now, write_transaction
from grandrounds.errors import DomainError
from grandrounds.money import format_money
from grandrounds.settings import get_settings
from notifications.outbox import enqueue_email

Outcome = Literal[
    "confirmed",
    "awaiting_payment",
    "amount_mismatch",
    "refunded_seat_gone",
    "refunded",
    "released",
    "expired",
    "already_settled",
    "not_ours",
]
SEAT_GONE = ("registration.hold_lapsed", "registration.not_live")


async def _set_status(checkout_id: int, status: str) -> None:
    async with write_transaction():
        await Checkout.update({Checkout.status: status, Checkout.updated_at: now()}).where(
            (Checkout.id == checkout_id) & (Checkout.status != status)
        )


async def _expired(checkout: dict[str, Any]) -> Outcome:
    await _set_status(checkout["id"], "expired")
    newer = await Checkout.exists().where(
        (Checkout.registration == checkout["registration"])
        & (Checkout.attempt > checkout["attempt"])
        & Checkout.status.is_in(["creating", "open", "complete"])
    )
    if newer:
        return "expired"
    released = await release_hold(checkout["registration"], "checkout session expired")
    return "released" if released else "expired"


async def _alert_mismatch(reg: dict[str, Any], session_id: str, session: Any, charge: ChargeFacts) -> None:
    asked = format_money(reg["amount"], reg["currency"])
    paid = format_money(charge.amount, charge.currency)
    message = (
        f"Stripe took {paid} for registration {reg['id']}, which costs {asked}. "
        "The place was not confirmed; refund or settle the difference in Stripe."
    )
    details = {
        "asked_amount": reg["amount"],
        "asked_currency": reg["currency"],
        "session_amount": int(session.amount_total or 0),
        "session_currency": str(session.currency or "").upper(),
        "charge_id": charge.id,
        "charge_amount": charge.amount,
        "charge_currency": charge.currency,
    }
    async with write_transaction():
        await BillingAlert.insert(
            BillingAlert(
                kind="amount_mismatch",
                registration=reg["id"],
                stripe_id=session_id,
                message=message,
                details=details,
            )
        ).on_conflict(action="DO NOTHING")


async def _was_confirmed(registration_id: int) -> bool:
    return bool(
        await RegistrationChange.exists().where(
            (RegistrationChange.registration == registration_id)
            & (RegistrationChange.to_status == RegistrationStatus.CONFIRMED)
        )
    )


async def _refund_seat_gone(account: StripeAccount, reg: dict[str, Any], charge: ChargeFacts) -> Outcome:
    """Give the money back: the idempotency key makes concurrent settlers share one refund."""
    key = f"seat-gone-refund-{charge.id}"
    await call(
        account.client.v1.refunds.create_async(
            {
                "charge": charge.id,
                "reason": "requested_by_customer",
                "metadata": {"registration_id": str(reg["id"]), "why": "seat_gone"},
            },
            {"idempotency_key": key},
        )
    )
    await import_charge(account, charge.id)
    event = (
        await Registration.select(
            Registration.event.title.as_alias("title"), Registration.event.program.as_alias("program")
        )
        .where(Registration.id == reg["id"])
        .first()
    )
    values = {
        "event_title": event["title"] if event else "",
        "amount": format_money(charge.amount - charge.amount_refunded, charge.currency),
        "registrations_url": f"{get_settings().base_url}/registrations",
    }
    async with write_transaction():
        await enqueue_email(
            "payment_refunded_seat_gone",
            reg["email_key"],
            values,
            person_id=reg["person"],
            program_id=event["program"] if event else None,
            dedupe_key=key,
        )
    return "refunded_seat_gone"


async def _settle_paid(account: StripeAccount, checkout: dict[str, Any], session: Any) -> Outcome:
    intent = field(session, "payment_intent")
    charge_id = field(intent, "latest_charge")
    if field(intent, "status") != "succeeded" or not charge_id:
        return "awaiting_payment"
    charge = await import_charge(account, charge_id if isinstance(charge_id, str) else charge_id.id)
    await _set_status(checkout["id"], "complete")
    reg = await Registration.select().where(Registration.id == checkout["registration"]).first()
    if reg is None or not charge.succeeded:  # pragma: no cover - registrations are never deleted
        return "awaiting_payment"
    asked = (reg["amount"], reg["currency"])
    if (int(session.amount_total or 0), str(session.currency).upper()) != asked or (
        charge.amount,
        charge.currency,
    ) != asked:
        await _alert_mismatch(reg, session.id, session, charge)
        return "amount_mismatch"
    if charge.amount_refunded >= charge.amount:
        return "refunded"
    try:
        await confirm_payment(reg["id"])
    except DomainError as exc:
        if exc.code not in SEAT_GONE:
            raise
        if await _was_confirmed(reg["id"]):
            return "already_settled"  # paid, confirmed, then cancelled: refunds follow the cancellation rules
        return await _refund_seat_gone(account, reg, charge)
    return "confirmed"


async def settle_session(account: StripeAccount, session_id: str) -> Outcome:
    """Bring our records in line with what Stripe says about one of our Checkout Sessions."""
    checkout = await Checkout.select().where(Checkout.stripe_session_id == session_id).first()
    if checkout is None:
        return "not_ours"
    session = await call(
        account.client.v1.checkout.sessions.retrieve_async(session_id, {"expand": ["payment_intent"]})
    )
    if session.status == "expired":
        outcome = await _expired(checkout)
    elif session.status != "complete" or session.payment_status != "paid":
        return "awaiting_payment"
    else:
        outcome = await _settle_paid(account, checkout, session)
    if outcome in ("expired", "released", "refunded_seat_gone"):
        # Points spent on a place that ended while this page could still be paid come back now.
        await return_points(checkout["registration"])
    return outcome
