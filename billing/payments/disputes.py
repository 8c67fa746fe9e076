"""Disputes (chargebacks): re-read from Stripe, mirrored in the ledger, put in front of finance.

Every ``charge.dispute.*`` event only names the dispute; the dispute is
re-read, so events arriving late, twice or out of order (closed before
created) end in the same records. Its money is in its balance transactions:
the withdrawal (-amount) with the dispute fee when it opens, and a
reinstatement (+amount) when it is won. Each becomes a ledger row of kind
``dispute`` (and ``fee``) keyed by the balance transaction id, so each is
recorded once and the registration's ledger still sums to what Stripe holds.

The place itself is left alone, won or lost: a dispute is a matter between
the cardholder and their bank, often opened by mistake, and taking a seat
away automatically would punish the attendee for a bank's process. The
registration is marked instead (its Dispute row, shown on its finance page
and on /finance/disputes) and finance gets an alert when a dispute opens and
when it closes, to decide (cancel the place, contact the person).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from billing.ledger import Movement, at, record
from billing.payments.charges import call, field, import_charge
from billing.stripe_client import StripeAccount
from billing.tables import BillingAlert, Dispute, LedgerEntry
from grandrounds.db import now, write_transaction
from grandrounds.money import format_money

CLOSED = ("won", "lost", "warning_closed")


def _movements(dispute: Any, charge_id: str, registration_id: int | None) -> list[Movement]:
    found: list[Movement] = []
    for txn in field(dispute, "balance_transactions") or []:
        if isinstance(txn, str):  # pragma: no cover - Stripe always includes them in full
            continue
        common = {
            "registration_id": registration_id,
            "stripe_charge_id": charge_id,
            "stripe_balance_transaction_id": txn["id"],
        }
        found.append(
            Movement("dispute", int(txn["amount"]), txn["currency"], txn["id"], at(txn["created"]), **common)
        )
        if int(txn["fee"]):
            found.append(
                Movement("fee", -int(txn["fee"]), txn["currency"], txn["id"], at(txn["created"]), **common)
            )
    return found


def _due_by(dispute: Any) -> datetime | None:
    due = field(field(dispute, "evidence_details"), "due_by")
    return at(int(due)) if due else None


async def _alert(kind: str, registration_id: int | None, dispute: Any, message: str) -> None:
    await BillingAlert.insert(
        BillingAlert(
            kind=kind,
            registration=registration_id,
            stripe_id=dispute["id"],
            message=message,
            details={
                "dispute_id": dispute["id"],
                "charge_id": _charge_id(dispute),
                "amount": int(dispute["amount"]),
                "currency": str(dispute["currency"]).upper(),
                "reason": str(dispute["reason"] or ""),
                "status": str(dispute["status"]),
            },
        )
    ).on_conflict(action="DO NOTHING")


def _charge_id(dispute: Any) -> str:
    charge = dispute["charge"]
    return charge if isinstance(charge, str) else str(charge["id"])


async def _upsert(dispute: Any, charge_id: str, registration_id: int | None) -> None:
    values: dict[Any, Any] = {
        Dispute.amount: int(dispute["amount"]),
        Dispute.currency: str(dispute["currency"]).upper(),
        Dispute.reason: str(dispute["reason"] or "")[:60],
        Dispute.status: str(dispute["status"]),
        Dispute.evidence_due_by: _due_by(dispute),
        Dispute.registration: registration_id,
        Dispute.updated_at: now(),
    }
    await Dispute.insert(
        Dispute(
            stripe_dispute_id=dispute["id"],
            stripe_charge_id=charge_id,
            opened_at=at(int(dispute["created"])),
            **{str(column._meta.name): value for column, value in values.items()},
        )
    ).on_conflict(action="DO NOTHING")
    await Dispute.update(values).where(Dispute.stripe_dispute_id == dispute["id"])


async def import_dispute(account: StripeAccount, dispute_id: str) -> str:
    """Re-read one dispute and bring the ledger, the Dispute row and finance's alerts in line; its status."""
    dispute = await call(account.client.v1.disputes.retrieve_async(dispute_id))
    charge_id = _charge_id(dispute)
    await import_charge(account, charge_id)  # the charge may not be mirrored yet (events out of order)
    charge = (
        await LedgerEntry.select(LedgerEntry.registration)
        .where((LedgerEntry.kind == "charge") & (LedgerEntry.stripe_id == charge_id))
        .first()
    )
    registration_id = charge["registration"] if charge else None
    status = str(dispute["status"])
    money = format_money(int(dispute["amount"]), str(dispute["currency"]).upper())
    whose = f"registration {registration_id}" if registration_id else f"charge {charge_id}"
    async with write_transaction():
        await record(_movements(dispute, charge_id, registration_id))
        await _upsert(dispute, charge_id, registration_id)
        await _alert(
            "dispute_opened",
            registration_id,
            dispute,
            f"The cardholder disputed {money} paid for {whose} ({dispute['reason'] or 'no reason given'}). "
            "Submit evidence in Stripe before the due date.",
        )
        if status in ("won", "lost"):
            outcome = (
                "was won: the money is back in the balance"
                if status == "won"
                else "was lost: the money and the fee stay with the cardholder's bank"
            )
            await _alert(
                f"dispute_{status}",
                registration_id,
                dispute,
                f"The dispute over {money} for {whose} {outcome}. The place was left as it is; "
                "cancel it from the event's staff pages if it should not stand.",
            )
    return status


@dataclass(frozen=True, slots=True)
class DisputeLine:
    """One dispute as finance's pages list it, with whose place and which event it is about."""

    stripe_dispute_id: str
    stripe_charge_id: str
    registration: int | None
    person_name: str | None
    event_title: str | None
    amount: int  # minor units the cardholder disputes
    currency: str
    reason: str
    status: str  # Stripe's: needs_response, under_review, won, lost, warning_*
    evidence_due_by: datetime | None
    opened_at: datetime

    @classmethod
    def of(cls, row: dict[str, Any]) -> DisputeLine:
        return cls(
            stripe_dispute_id=row["stripe_dispute_id"],
            stripe_charge_id=row["stripe_charge_id"],
            registration=row["registration"],
            person_name=row["person_name"],
            event_title=row["event_title"],
            amount=row["amount"],
            currency=row["currency"],
            reason=row["reason"],
            status=row["status"],
            evidence_due_by=row["evidence_due_by"],
            opened_at=row["opened_at"],
        )


async def disputes_list(registration_id: int | None = None) -> list[DisputeLine]:
    """Disputes newest first, with the registration's person and event, for finance's pages."""
    query = Dispute.select(
        *Dispute.all_columns(),
        Dispute.registration._.person._.name.as_alias("person_name"),
        Dispute.registration._.event._.title.as_alias("event_title"),
    ).order_by(Dispute.opened_at, ascending=False)
    if registration_id is not None:
        query = query.where(Dispute.registration == registration_id)
    return [DisputeLine.of(row) for row in await query]
