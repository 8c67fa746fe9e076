"""Totals finance reads: charges, refunds, fees, disputes and net per event, program or membership tier.

Sums come from the ledger, grouped in the database by the group and the
currency, so amounts in different currencies are never added together: a
group paid in USD and JPY has one row per currency. Payouts move money to the
bank rather than earn or lose it, so they are not part of these totals.
Money that belongs to no group (membership dues under "per event", event
payments under "per tier") is its own row, so every table sums to the whole.
"""

from __future__ import annotations

from typing import Any, Literal

from piccolo.columns import Column
from piccolo.query.functions.aggregate import Sum

from billing.finance.periods import Period
from billing.finance.schemas import TotalOut, TotalsOut
from billing.tables import LedgerEntry
from grandrounds.money import format_money

Grouping = Literal["event", "program", "tier"]
GROUPINGS: tuple[Grouping, ...] = ("event", "program", "tier")
EARNING_KINDS = ("charge", "refund", "fee", "dispute")
FIELD_OF_KIND = {"charge": "charges", "refund": "refunds", "fee": "fees", "dispute": "disputes"}
UNGROUPED = {
    "event": "Not for an event (memberships, other)",
    "program": "No program",
    "tier": "Not a membership (event payments, other)",
}


def _columns(by: Grouping) -> tuple[Column, Column]:
    """The (key, label) columns of a grouping."""
    if by == "event":
        event = LedgerEntry.registration._.event
        return event.id, event.title
    if by == "program":
        program = LedgerEntry.registration._.event._.program
        return program.id, program.name
    tier = LedgerEntry.membership._.tier
    return tier, tier


def display(minor: int, currency: str) -> str:
    """An amount as people read it, without the currency code: 1999 USD -> "19.99", 1000 JPY -> "1000"."""
    return format_money(minor, currency).rsplit(" ", 1)[0]


async def totals(by: Grouping, period: Period | None = None) -> TotalsOut:
    key_column, label_column = _columns(by)
    query = LedgerEntry.select(
        key_column.as_alias("key"),
        label_column.as_alias("label"),
        LedgerEntry.currency,
        LedgerEntry.kind,
        Sum(LedgerEntry.amount, alias="total"),
    ).where(LedgerEntry.kind.is_in(list(EARNING_KINDS)))
    if period is not None:
        query = query.where(
            (LedgerEntry.occurred_at >= period.start) & (LedgerEntry.occurred_at < period.end)
        )
    rows = await query.group_by(key_column, label_column, LedgerEntry.currency, LedgerEntry.kind)
    groups: dict[tuple[str, str], dict[str, Any]] = {}
    for row in rows:
        key = "" if row["key"] is None else str(row["key"])
        label = str(row["label"]) if row["label"] is not None else UNGROUPED[by]
        if by == "tier" and row["label"] is not None:
            label = label.capitalize()
        group = groups.setdefault(
            (key, row["currency"]),
            {
                "key": key,
                "label": label,
                "currency": row["currency"],
                **dict.fromkeys(FIELD_OF_KIND.values(), 0),
            },
        )
        group[FIELD_OF_KIND[row["kind"]]] += int(row["total"] or 0)
    out = []
    for group in groups.values():
        net = sum(group[f] for f in FIELD_OF_KIND.values())
        out.append(TotalOut(**group, net=net, net_display=display(net, group["currency"])))
    out.sort(key=lambda t: (t.key == "", t.label.lower(), t.key, t.currency))
    return TotalsOut(
        by=by,
        period_start=period.start if period else None,
        period_end=period.end if period else None,
        rows=out,
    )
