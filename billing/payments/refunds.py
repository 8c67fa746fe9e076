"""Refunds finance starts in grandrounds: checked, written first, then asked of Stripe once.

The order mirrors checkout: the charge is read from Stripe and every rule is
checked before anything is written (so a refused refund leaves no trace),
then one transaction mirrors the charge in the ledger and writes the
RefundRequest row, with every parameter that goes to Stripe, and its
``refund.create`` audit row; then Stripe is asked outside any transaction
with the row's idempotency key. The key is made of
the registration, the charge and how much had been refunded when finance
looked, so a double click, a resubmitted form or a retry after a timeout
lands on the same row and replays the same Stripe request: one refund.
A form submitted after the payment changed (someone refunded meanwhile, here
or in the dashboard) is refused as stale instead of refunding twice. A
request that lands on an existing row is audited as ``refund.replay``: the
trail shows the second submission without counting a second refund.

The ledger learns about the refund the same way it learns about dashboard
refunds, by import_charge re-reading the charge, and refund_effects decides
what the refund means for the place.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import stripe

from accounts.audit import trail as audit
from accounts.principal import Principal
from billing import errors
from billing import errors as billing_errors
from billing.ledger import Movement, record
from billing.payments.charges import ChargeFacts, import_charge, read_charge
from billing.payments.refund_effects import apply_refunds
from billing.payments.schemas import RefundCreate, RefundOut
from billing.stripe_client import StripeAccount
from billing.tables import Dispute, LedgerEntry, RefundRequest
from events.tables import Registration
from grandrounds.db import now, unique_violation, write_transaction
from programs.services.certified import certificate_for_event

OPEN_DISPUTE = ("warning_needs_response", "warning_under_review", "needs_response", "under_review")


def idempotency_key(registration_id: int, charge_id: str, refunded_before: int) -> str:
    return f"refund-{registration_id}-{charge_id}-after-{refunded_before}"


async def _registration(registration_id: int) -> dict[str, Any]:
    reg = await Registration.select().where(Registration.id == registration_id).first()
    if reg is None:
        raise errors.registration_not_found()
    return reg


async def paid_charge(registration_id: int) -> str:
    """The Stripe charge that paid for the place (the latest, should a place have been paid twice)."""
    row = (
        await LedgerEntry.select(LedgerEntry.stripe_id)
        .where((LedgerEntry.registration == registration_id) & (LedgerEntry.kind == "charge"))
        .order_by(LedgerEntry.occurred_at, ascending=False)
        .order_by(LedgerEntry.id, ascending=False)
        .first()
    )
    if row is None:
        raise errors.no_payment()
    return str(row["stripe_id"])


async def _refuse_certified(reg: dict[str, Any]) -> None:
    certificate = await certificate_for_event(reg["event"], reg["person"])
    if certificate is not None:
        raise errors.certificate_issued(certificate["code"])


async def _refuse_disputed(charge_id: str) -> None:
    if await Dispute.exists().where(
        (Dispute.stripe_charge_id == charge_id) & Dispute.status.is_in(list(OPEN_DISPUTE))
    ):
        raise errors.disputed()


def _amount(data: RefundCreate, charge: ChargeFacts) -> int:
    remaining = charge.amount - charge.amount_refunded
    if remaining <= 0:
        raise errors.nothing_left(charge.currency)
    amount = remaining if data.amount is None else data.amount
    if amount <= 0:
        raise errors.amount_invalid()
    if amount > remaining:
        raise errors.exceeds_remaining(amount, remaining, charge.currency)
    return amount


async def _request_row(
    principal: Principal,
    reg: dict[str, Any],
    data: RefundCreate,
    charge: ChargeFacts,
    movements: list[Movement],
) -> tuple[dict[str, Any], bool]:
    """The request to (re)play: the one this key names, else a new one once every rule passed.
    Returns (the row, whether this call made it)."""
    seen = charge.amount_refunded if data.expected_refunded is None else data.expected_refunded
    key = idempotency_key(reg["id"], charge.id, seen)
    existing = await RefundRequest.select().where(RefundRequest.idempotency_key == key).first()
    if existing is not None:
        return existing, False
    if seen != charge.amount_refunded:
        raise errors.stale(seen, charge.amount_refunded, charge.currency)
    amount = _amount(data, charge)
    with unique_violation():
        async with write_transaction():
            await record(movements)  # what Stripe says now, mirrored with the request
            rows = await RefundRequest.insert(
                RefundRequest(
                    registration=reg["id"],
                    stripe_charge_id=charge.id,
                    idempotency_key=key,
                    amount=amount,
                    currency=charge.currency,
                    reason=data.reason.strip(),
                    requested_by=principal.person_id,
                )
            ).returning(*RefundRequest.all_columns())
            await audit.record(
                "refund.create",
                "refund_request",
                rows[0]["id"],
                before={"amount_refunded": charge.amount_refunded},
                after={"amount_refunded": charge.amount_refunded + amount},
                subject_id=reg["person"],
                details={
                    "amount": amount,
                    "currency": charge.currency,
                    "reason": data.reason.strip(),
                    "registration_id": reg["id"],
                    "stripe_charge_id": charge.id,
                },
            )
        return rows[0], True
    # A concurrent click wrote the row first: follow it.
    row = await RefundRequest.select().where(RefundRequest.idempotency_key == key).first()
    assert row is not None
    return row, False


async def _replayed(reg: dict[str, Any], request: dict[str, Any]) -> None:
    """A submission that landed on an existing request: one audit row says so (no second refund)."""
    async with write_transaction():
        await audit.record(
            "refund.replay",
            "refund_request",
            request["id"],
            subject_id=reg["person"],
            details={
                "amount": request["amount"],
                "currency": request["currency"],
                "status": request["status"],
                "registration_id": reg["id"],
            },
        )


async def _finish(request: dict[str, Any], **values: Any) -> dict[str, Any]:
    updates = {getattr(RefundRequest, k): v for k, v in values.items()}
    async with write_transaction():
        await RefundRequest.update({**updates, RefundRequest.updated_at: now()}).where(
            (RefundRequest.id == request["id"]) & (RefundRequest.status == "creating")
        )
    row = await RefundRequest.select().where(RefundRequest.id == request["id"]).first()
    assert row is not None
    return row


async def _ask_stripe(account: StripeAccount, request: dict[str, Any]) -> dict[str, Any]:
    """Send the stored request to Stripe under its key; a refusal is recorded on the row."""
    params: Any = {
        "charge": request["stripe_charge_id"],
        "amount": request["amount"],
        "reason": "requested_by_customer",
        "metadata": {"registration_id": str(request["registration"]), "refund_request": str(request["id"])},
    }
    try:
        refund = await account.client.v1.refunds.create_async(
            params, {"idempotency_key": request["idempotency_key"]}
        )
    except stripe.InvalidRequestError as exc:
        message = str(exc.user_message or exc)
        await _finish(request, status="failed", failure=message)
        raise errors.refused_by_stripe(message) from exc
    except stripe.StripeError as exc:
        # 502; the row stays "creating", so a retry replays the same request under the same key.
        raise billing_errors.stripe_unavailable(f"{type(exc).__name__}: {exc.user_message or exc}") from exc
    return await _finish(request, status="succeeded", stripe_refund_id=refund.id)


async def _out(request: dict[str, Any], charge: ChargeFacts) -> RefundOut:
    reg = await _registration(request["registration"])
    return RefundOut(
        id=request["id"],
        registration_id=request["registration"],
        amount=request["amount"],
        currency=request["currency"],
        reason=request["reason"],
        status=request["status"],
        stripe_refund_id=request["stripe_refund_id"],
        charge_amount=charge.amount,
        charge_refunded=charge.amount_refunded,
        registration_status=reg["status"],
        created_at=request["created_at"],
    )


async def refund_registration(
    account: StripeAccount, principal: Principal, registration_id: int, data: RefundCreate
) -> RefundOut:
    """Give back ``data.amount`` (or all that remains) of what was paid for a place. Finance only;
    the caller's role is checked by the route's guard."""
    if not data.reason.strip():
        raise errors.reason_missing()
    reg = await _registration(registration_id)
    charge_id = await paid_charge(registration_id)
    await _refuse_certified(reg)
    await _refuse_disputed(charge_id)
    charge, movements = await read_charge(account, charge_id)  # what Stripe says now
    request, made = await _request_row(principal, reg, data, charge, movements)
    if request["status"] == "failed":
        raise errors.refused_by_stripe(request["failure"])
    if not made:
        await _replayed(reg, request)
    if request["status"] == "creating":
        request = await _ask_stripe(account, request)
    charge = await import_charge(account, charge_id)
    await apply_refunds(charge_id, by=principal.person_id)
    return await _out(request, charge)


@dataclass(frozen=True, slots=True)
class RefundRequestLine:
    """One refund finance asked Stripe for, as the registration's payment page lists it."""

    amount: int  # minor units, positive: what goes back to the payer
    currency: str
    reason: str
    requested_by_name: str | None
    status: str  # creating, succeeded, failed
    failure: str
    created_at: datetime

    @classmethod
    def of(cls, row: dict[str, Any]) -> RefundRequestLine:
        return cls(
            amount=row["amount"],
            currency=row["currency"],
            reason=row["reason"],
            requested_by_name=row["requested_by_name"],
            status=row["status"],
            failure=row["failure"],
            created_at=row["created_at"],
        )


async def refund_requests(registration_id: int) -> list[RefundRequestLine]:
    """What finance asked for this registration, newest first, for its payment page."""
    rows = await (
        RefundRequest.select(
            *RefundRequest.all_columns(), RefundRequest.requested_by.name.as_alias("requested_by_name")
        )
        .where(RefundRequest.registration == registration_id)
        .order_by(RefundRequest.id, ascending=False)
    )
    return [RefundRequestLine.of(row) for row in rows]
