"""What refunds mean for a registration, once the ledger mirrors them.

Whoever refunded (finance through grandrounds, someone in the Stripe
dashboard, or both, in any order), the registration follows what the ledger
now says about its charge, which import_charge has just re-read from Stripe:

- refunded in full: events' ``refund_place`` moves a confirmed (or already
  cancelled) place to refunded with its history row, gives a confirmed seat
  up (the calendar copies are cancelled) and passes it down the waitlist;
  the person is emailed once, with the total. Billing's records and emails
  are written inside events' ``held``, under the event's lock, so they
  commit with the move;
- refunded in part: the place stays; each refund is emailed once (keyed by
  the Stripe refund id), with the amount and what remains paid;
- a refund Stripe made after a completion certificate was issued for the
  enrollment is not undone (Stripe is the truth about money) and the
  certificate is not touched: finance gets a BillingAlert per such refund.

A registration that never held its place (a late payment refunded because
the seat was gone, a mismatched payment) keeps its state: settlement has
already told the person.
"""

from __future__ import annotations

from typing import Any

from billing.tables import BillingAlert, LedgerEntry
from events.registration_status import HELD_PLACE, RegistrationStatus
from events.services.registration.lifecycle import held, refund_place
from events.tables import Registration
from grandrounds.money import format_money
from grandrounds.settings import get_settings
from notifications.outbox import enqueue_email
from programs.services.certified import certificate_for_event


async def _charge_and_refunds(charge_id: str) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
    charge = (
        await LedgerEntry.select()
        .where((LedgerEntry.kind == "charge") & (LedgerEntry.stripe_id == charge_id))
        .first()
    )
    refunds = await (
        LedgerEntry.select()
        .where((LedgerEntry.kind == "refund") & (LedgerEntry.stripe_charge_id == charge_id))
        .order_by(LedgerEntry.occurred_at)
        .order_by(LedgerEntry.id)
    )
    return charge, refunds


async def _alert_after_certificate(
    reg: dict[str, Any], certificate: dict[str, Any], refunds: list[dict[str, Any]]
) -> None:
    issued = certificate["issued_at"].replace(microsecond=0)  # Stripe's clock has whole seconds
    for refund in refunds:
        if refund["occurred_at"] < issued:
            continue
        money = format_money(-refund["amount"], refund["currency"])
        await BillingAlert.insert(
            BillingAlert(
                kind="refund_after_certificate",
                registration=reg["id"],
                stripe_id=refund["stripe_id"],
                message=(
                    f"Stripe refunded {money} for registration {reg['id']} after completion certificate "
                    f"{certificate['code']} was issued for that enrollment. The refund is recorded and "
                    "the certificate left as it is; decide whether to recover the fee or revoke."
                ),
                details={
                    "refund_id": refund["stripe_id"],
                    "amount": -refund["amount"],
                    "currency": refund["currency"],
                    "certificate": certificate["code"],
                },
            )
        ).on_conflict(action="DO NOTHING")


def _values(title: str, **extra: Any) -> dict[str, Any]:
    return {"event_title": title, "registrations_url": f"{get_settings().base_url}/registrations", **extra}


async def apply_refunds(charge_id: str, by: int | None = None) -> str | None:
    """Bring the charge's registration in line with its refunds; its status afterwards (None: not ours)."""
    charge, refunds = await _charge_and_refunds(charge_id)
    if charge is None or charge["registration"] is None or not refunds:
        return None
    registration_id = charge["registration"]
    first = (
        await Registration.select(Registration.event, Registration.person)
        .where(Registration.id == registration_id)
        .first()
    )
    if first is None:  # pragma: no cover - registrations are never deleted
        return None
    certificate = await certificate_for_event(first["event"], first["person"])
    refunded = -sum(r["amount"] for r in refunds)
    currency = charge["currency"]
    async with held(registration_id) as place_held:
        assert place_held is not None  # registrations are never deleted
        reg, event = place_held.registration, place_held.event
        if certificate is not None:
            await _alert_after_certificate(reg, certificate, refunds)
        if refunded >= charge["amount"]:
            if not await refund_place(place_held, by, "payment refunded in full"):
                return str(reg["status"])  # never held its place: settlement has told the person
            values = _values(event["title"], amount=format_money(refunded, currency))
            await enqueue_email(
                "registration_refunded",
                reg["email_key"],
                values,
                person_id=reg["person"],
                program_id=event["program"],
                dedupe_key=f"registration-refunded-{reg['id']}",
            )
            return RegistrationStatus.REFUNDED
        if reg["status"] not in HELD_PLACE:
            return str(reg["status"])
        remaining = format_money(charge["amount"] - refunded, currency)
        for refund in refunds:
            values = _values(
                event["title"],
                amount=format_money(-refund["amount"], currency),
                remaining=remaining,
            )
            await enqueue_email(
                "payment_refunded",
                reg["email_key"],
                values,
                person_id=reg["person"],
                program_id=event["program"],
                dedupe_key=f"refund-{refund['stripe_id']}",
            )
        return str(reg["status"])
