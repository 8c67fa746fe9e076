"""Ledger entries and payments for finance, as pages of JSON or as CSV, by payment date or event date.

*Payment date* is when Stripe says the money moved (the ledger's
``occurred_at``); *event date* is when the event the money is for starts.
A period is [from, to) in UTC (billing.finance.periods). Money outside any
event (membership dues, payouts) has no event date, so it appears only when
filtering by payment date.

A payment is one charge with what followed it (refunds, fees) whenever that
happened, so its net is what the charge finally left with the network.

The CSV is opened in spreadsheets: text cells that start like a formula get
a leading apostrophe (grandrounds.spreadsheets.safe_cell), and every amount is
given twice, as integer minor units and as people read it ("19.99").

Payments name who paid, so every export leaves the system on the record: the
CSVs and the API's JSON pages (``ledger_page``, ``payment_page``) write an
``export.ledger_csv`` / ``export.payments_csv`` audit row with how many rows
went out and the filters used, before the data is handed over. The finance
exports page's preview of a few payments is a page view, not an export.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Any, Literal

from piccolo.columns.combination import Where
from piccolo.query.functions.aggregate import Sum

from accounts.audit import trail as audit
from billing.finance.periods import Period
from billing.finance.schemas import LedgerRowOut, PaymentRowOut
from billing.finance.totals import display
from billing.tables import LedgerEntry
from grandrounds.spreadsheets import safe_cell

Basis = Literal["payment", "event"]
BASES: tuple[Basis, ...] = ("payment", "event")
MAX_LIMIT = 500
CHUNK = 400

_event = LedgerEntry.registration._.event
LEDGER_COLUMNS = (
    LedgerEntry.id,
    LedgerEntry.occurred_at,
    LedgerEntry.kind,
    LedgerEntry.amount,
    LedgerEntry.currency,
    LedgerEntry.stripe_id,
    LedgerEntry.stripe_charge_id,
    LedgerEntry.stripe_balance_transaction_id,
    LedgerEntry.registration.as_alias("registration_id"),
    _event.id.as_alias("event_id"),
    _event.title.as_alias("event_title"),
    _event.starts_at.as_alias("event_starts_at"),
    _event._.program._.name.as_alias("program"),
)


def _filters(basis: Basis, period: Period | None, form: str, **extra: int) -> dict[str, Any]:
    """What an export row of the audit trail says about the export: its date basis, period, format."""
    return {
        "basis": basis,
        "from": period.start if period else None,
        "to": period.end if period else None,
        "format": form,
        **extra,
    }


def _within(basis: Basis, period: Period | None) -> Where | Any:
    column = LedgerEntry.occurred_at if basis == "payment" else _event.starts_at
    if period is None:
        return LedgerEntry.id.is_not_null()
    return (column >= period.start) & (column < period.end)


def _ledger_row(row: dict[str, Any]) -> LedgerRowOut:
    return LedgerRowOut(
        id=row["id"],
        occurred_at=row["occurred_at"],
        kind=row["kind"],
        amount=row["amount"],
        amount_display=display(row["amount"], row["currency"]),
        currency=row["currency"],
        stripe_id=row["stripe_id"],
        stripe_charge_id=row["stripe_charge_id"],
        stripe_balance_transaction_id=row["stripe_balance_transaction_id"],
        registration_id=row["registration_id"],
        event_id=row["event_id"],
        event_title=row["event_title"] or "",
        event_starts_at=row["event_starts_at"],
        program=row["program"] or "",
    )


async def ledger_rows(
    basis: Basis, period: Period | None, limit: int | None = None, offset: int = 0
) -> tuple[list[LedgerRowOut], int]:
    """Ledger entries, oldest payment first; with ``limit`` a page of them. (rows, how many match)."""
    condition = _within(basis, period)
    query = LedgerEntry.select(*LEDGER_COLUMNS).where(condition).order_by(LedgerEntry.occurred_at)
    query = query.order_by(LedgerEntry.id)
    if limit is not None:
        query = query.limit(limit).offset(offset)
    rows = await query
    return [_ledger_row(r) for r in rows], await LedgerEntry.count().where(condition)


PAYMENT_COLUMNS = (
    LedgerEntry.stripe_id,
    LedgerEntry.occurred_at,
    LedgerEntry.amount,
    LedgerEntry.currency,
    LedgerEntry.registration.as_alias("registration_id"),
    LedgerEntry.registration._.person.name.as_alias("payer_name"),
    LedgerEntry.registration._.person.email.as_alias("payer_email"),
    LedgerEntry.membership._.person.name.as_alias("member_name"),
    LedgerEntry.membership._.person.email.as_alias("member_email"),
    _event.id.as_alias("event_id"),
    _event.title.as_alias("event_title"),
    _event.starts_at.as_alias("event_starts_at"),
    _event._.program._.name.as_alias("program"),
)


async def _followers(charge_ids: Sequence[str]) -> dict[tuple[str, str], int]:
    """Refund and fee sums per (charge, kind)."""
    sums: dict[tuple[str, str], int] = {}
    for i in range(0, len(charge_ids), CHUNK):
        rows = await (
            LedgerEntry.select(
                LedgerEntry.stripe_charge_id, LedgerEntry.kind, Sum(LedgerEntry.amount, alias="total")
            )
            .where(
                LedgerEntry.stripe_charge_id.is_in(list(charge_ids[i : i + CHUNK]))
                & LedgerEntry.kind.is_in(["refund", "fee", "dispute"])
            )
            .group_by(LedgerEntry.stripe_charge_id, LedgerEntry.kind)
        )
        for r in rows:
            sums[(r["stripe_charge_id"], r["kind"])] = int(r["total"] or 0)
    return sums


async def payment_rows(
    basis: Basis, period: Period | None, limit: int | None = None, offset: int = 0
) -> tuple[list[PaymentRowOut], int]:
    """Charges with their refunds and fees, oldest first. (rows, how many match)."""
    condition = (LedgerEntry.kind == "charge") & _within(basis, period)
    query = LedgerEntry.select(*PAYMENT_COLUMNS).where(condition).order_by(LedgerEntry.occurred_at)
    query = query.order_by(LedgerEntry.id)
    if limit is not None:
        query = query.limit(limit).offset(offset)
    charges = await query
    sums = await _followers([c["stripe_id"] for c in charges])
    out = []
    for c in charges:
        refunded = -(sums.get((c["stripe_id"], "refund"), 0) + sums.get((c["stripe_id"], "dispute"), 0))
        fees = -sums.get((c["stripe_id"], "fee"), 0)
        net = c["amount"] - refunded - fees
        out.append(
            PaymentRowOut(
                charge_id=c["stripe_id"],
                paid_at=c["occurred_at"],
                registration_id=c["registration_id"],
                payer_name=c["payer_name"] or c["member_name"] or "",
                payer_email=c["payer_email"] or c["member_email"] or "",
                event_id=c["event_id"],
                event_title=c["event_title"] or "",
                event_starts_at=c["event_starts_at"],
                program=c["program"] or "",
                currency=c["currency"],
                amount=c["amount"],
                amount_display=display(c["amount"], c["currency"]),
                refunded=refunded,
                fees=fees,
                net=net,
                net_display=display(net, c["currency"]),
            )
        )
    return out, await LedgerEntry.count().where(condition)


def _when(value: Any) -> str:
    return value.isoformat() if value is not None else ""


LEDGER_CSV_COLUMNS = (
    "entry_id", "occurred_at_utc", "kind", "currency", "amount_minor", "amount",
    "stripe_id", "stripe_charge_id", "stripe_balance_transaction_id",
    "registration_id", "event_id", "event_title", "event_starts_at_utc", "program",
)  # fmt: skip
PAYMENT_CSV_COLUMNS = (
    "charge_id", "paid_at_utc", "registration_id", "payer_name", "payer_email",
    "event_id", "event_title", "event_starts_at_utc", "program", "currency",
    "amount_minor", "amount", "refunded_minor", "fees_minor", "net_minor", "net",
)  # fmt: skip


def _csv(header: Sequence[str], lines: list[list[Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(lines)
    return out.getvalue()


async def ledger_page(
    basis: Basis, period: Period | None, limit: int, offset: int
) -> tuple[list[LedgerRowOut], int]:
    """A page of ledger entries for the API, recorded as an export."""
    rows, total = await ledger_rows(basis, period, limit, offset)
    details = _filters(basis, period, "json", limit=limit, offset=offset, total=total)
    await audit.record_export("export.ledger_csv", "ledger", basis, rows=len(rows), details=details)
    return rows, total


async def payment_page(
    basis: Basis, period: Period | None, limit: int, offset: int
) -> tuple[list[PaymentRowOut], int]:
    """A page of payments (with who paid) for the API, recorded as an export."""
    rows, total = await payment_rows(basis, period, limit, offset)
    details = _filters(basis, period, "json", limit=limit, offset=offset, total=total)
    await audit.record_export("export.payments_csv", "payments", basis, rows=len(rows), details=details)
    return rows, total


async def ledger_csv(basis: Basis, period: Period | None) -> str:
    """Every matching ledger entry as CSV, recorded as an export."""
    rows, _ = await ledger_rows(basis, period)
    await audit.record_export(
        "export.ledger_csv", "ledger", basis, rows=len(rows), details=_filters(basis, period, "csv")
    )
    return _csv(
        LEDGER_CSV_COLUMNS,
        [
            [
                r.id,
                _when(r.occurred_at),
                r.kind,
                r.currency,
                r.amount,
                r.amount_display,
                safe_cell(r.stripe_id),
                safe_cell(r.stripe_charge_id),
                safe_cell(r.stripe_balance_transaction_id),
                r.registration_id or "",
                r.event_id or "",
                safe_cell(r.event_title),
                _when(r.event_starts_at),
                safe_cell(r.program),
            ]
            for r in rows
        ],
    )


async def payments_csv(basis: Basis, period: Period | None) -> str:
    """Every matching payment as CSV (payers' names and emails), recorded as an export."""
    rows, _ = await payment_rows(basis, period)
    await audit.record_export(
        "export.payments_csv", "payments", basis, rows=len(rows), details=_filters(basis, period, "csv")
    )
    return _csv(
        PAYMENT_CSV_COLUMNS,
        [
            [
                safe_cell(r.charge_id),
                _when(r.paid_at),
                r.registration_id or "",
                safe_cell(r.payer_name),
                safe_cell(r.payer_email),
                r.event_id or "",
                safe_cell(r.event_title),
                _when(r.event_starts_at),
                safe_cell(r.program),
                r.currency,
                r.amount,
                r.amount_display,
                r.refunded,
                r.fees,
                r.net,
                r.net_display,
            ]
            for r in rows
        ],
    )
