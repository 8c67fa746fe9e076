"""The ledger: append-only rows mirroring every movement of money Stripe records.

Rows are only ever inserted, through :func:`record`; there is no update or
delete path. Each row is keyed by (kind, Stripe object id) under a unique
index, so recording the same charge, fee or refund twice (a webhook and the
browser's return at once, a re-delivered event, a re-import) adds it once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from billing.tables import LedgerEntry, Membership
from events.tables import Registration

KINDS = ("charge", "refund", "fee", "dispute", "payout")


@dataclass(frozen=True, slots=True)
class Movement:
    """One entry to record. ``amount`` is signed: money in for the network is positive."""

    kind: str
    amount: int
    currency: str
    stripe_id: str
    occurred_at: datetime
    registration_id: int | None = None
    stripe_charge_id: str = ""
    stripe_balance_transaction_id: str = ""
    membership_id: int | None = None  # dues: the membership the charge paid for


def at(timestamp: int) -> datetime:
    """A Stripe timestamp (epoch seconds) as a UTC instant."""
    return datetime.fromtimestamp(timestamp, UTC)


async def record(movements: list[Movement]) -> int:
    """Insert the movements the ledger lacks, inside the caller's write transaction; how many were new."""
    new = 0
    for m in movements:
        if m.kind not in KINDS:
            raise ValueError(f"unknown ledger kind {m.kind!r}")
        inserted = (
            await LedgerEntry.insert(
                LedgerEntry(
                    kind=m.kind,
                    amount=m.amount,
                    currency=m.currency.upper(),
                    registration=m.registration_id,
                    membership=m.membership_id,
                    stripe_id=m.stripe_id,
                    stripe_charge_id=m.stripe_charge_id,
                    stripe_balance_transaction_id=m.stripe_balance_transaction_id,
                    occurred_at=m.occurred_at,
                )
            )
            .on_conflict(action="DO NOTHING")
            .returning(LedgerEntry.id)
        )
        new += len(inserted)
    return new


async def known_registration(value: Any) -> int | None:
    """The registration id Stripe metadata names, if it is one of ours (metadata is free text)."""
    try:
        registration_id = int(value)
    except (TypeError, ValueError):
        return None
    exists = await Registration.exists().where(Registration.id == registration_id)
    return registration_id if exists else None


async def balance_of(registration_id: int) -> dict[str, int]:
    """What the ledger says Stripe holds for a registration, per currency."""
    rows = await LedgerEntry.select(LedgerEntry.amount, LedgerEntry.currency).where(
        LedgerEntry.registration == registration_id
    )
    totals: dict[str, int] = {}
    for row in rows:
        totals[row["currency"]] = totals.get(row["currency"], 0) + row["amount"]
    return totals


async def membership_of_charge(charge_id: str) -> int | None:
    """The membership whose dues a charge paid, once its charge row is in the ledger: a refund or
    dispute on it later is attributed to the same membership."""
    row = (
        await LedgerEntry.select(LedgerEntry.membership)
        .where((LedgerEntry.kind == "charge") & (LedgerEntry.stripe_id == charge_id))
        .first()
    )
    return row["membership"] if row else None


async def membership_of_customer(customer: Any) -> int | None:
    """The membership a Stripe customer was made for (each membership has its own customer), so a
    dues charge imported by any path (a refund event, reconciliation) is attributed to it."""
    if not isinstance(customer, str) or not customer:
        return None
    row = await Membership.select(Membership.id).where(Membership.stripe_customer_id == customer).first()
    return row["id"] if row else None
