"""Reconciliation: does the ledger say what Stripe says for a period?

A run lists every Stripe balance transaction created in [start, end) (paged
with ``starting_after``), and the payouts of the period, pairs them with
ledger rows (billing.finance.matching) and keeps what does not agree as
findings: in Stripe but not in the ledger, in the ledger but not in Stripe,
amounts or currencies that differ, and fees with nothing of ours behind them.

A ledger row of the period that no listed transaction explains is looked up
in Stripe by its own ids before it is called missing: a charge made a second
before midnight may have its balance transaction in the next period, and
that is a timing difference, not a discrepancy.

A run writes findings only: importing what is missing is a separate action
(billing.finance.record_missing), so finance sees the discrepancy first.
Running a period again replaces that period's findings (one run per period),
so runs are idempotent. All Stripe calls happen before the write transaction,
which also writes the run's one audit row (the counts before and after).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import stripe
from piccolo.columns.combination import Or, Where

from accounts.audit import trail as audit
from billing import errors
from billing.finance.matching import (
    FEE_TYPES,
    Comparison,
    Entry,
    Finding,
    Txn,
    _differs,
    compare,
    expected_transaction,
)
from billing.finance.periods import Period
from billing.ledger import at
from billing.payments.charges import call, field
from billing.stripe_client import StripeAccount
from billing.tables import LedgerEntry, ReconciliationFinding, ReconciliationRun
from grandrounds.db import now, unique_violation, write_transaction

PAGE = 100  # Stripe's largest page
CHUNK = 400  # ids per IN (...) lookup
# A run's counts, compared in its audit row when the period is run again.
AUDITED = ("stripe_transactions", "ledger_entries", "matched")


def _range(period: Period) -> dict[str, int]:
    return {"gte": int(period.start.timestamp()), "lt": int(period.end.timestamp())}


async def _listed(request: Any, params: dict[str, Any]) -> AsyncIterator[Any]:
    """Every object of a Stripe list, page after page."""
    while True:
        page = await call(request(params))
        for item in page.data:
            yield item
        if not page.has_more or not page.data:
            return
        params = {**params, "starting_after": page.data[-1]["id"]}


def _txn(obj: Any) -> Txn:
    source = field(obj, "source")
    return Txn(
        id=obj["id"],
        type=str(obj["type"]),
        source=source if isinstance(source, str) else str(field(source, "id") or ""),
        amount=int(obj["amount"]),
        fee=int(obj["fee"]),
        currency=str(obj["currency"]).upper(),
        created=at(obj["created"]),
    )


def _entry(row: dict[str, Any]) -> Entry:
    return Entry(
        id=row["id"],
        kind=row["kind"],
        amount=row["amount"],
        currency=row["currency"],
        stripe_id=row["stripe_id"],
        stripe_balance_transaction_id=row["stripe_balance_transaction_id"],
        occurred_at=row["occurred_at"],
    )


ENTRY_COLUMNS = (
    LedgerEntry.id,
    LedgerEntry.kind,
    LedgerEntry.amount,
    LedgerEntry.currency,
    LedgerEntry.stripe_id,
    LedgerEntry.stripe_balance_transaction_id,
    LedgerEntry.occurred_at,
)


async def _ledger(period: Period, txns: list[Txn]) -> tuple[list[Entry], set[int]]:
    """The rows of the period, plus rows outside it that the period's transactions name.

    Returns every row and the ids of those inside the period (only those can be "missing in Stripe").
    """
    inside = await LedgerEntry.select(*ENTRY_COLUMNS).where(
        (LedgerEntry.occurred_at >= period.start) & (LedgerEntry.occurred_at < period.end)
    )
    rows = {r["id"]: r for r in inside}
    keys = sorted({t.id for t in txns} | {t.source for t in txns if t.source})
    # Only rows outside the period are still unknown: asking for those alone keeps a month's lookup
    # from reading the whole month a second time (both id columns are indexed).
    outside = (LedgerEntry.occurred_at < period.start) | (LedgerEntry.occurred_at >= period.end)
    for i in range(0, len(keys), CHUNK):
        chunk = keys[i : i + CHUNK]
        named: Where | Or = Or(
            LedgerEntry.stripe_balance_transaction_id.is_in(chunk), LedgerEntry.stripe_id.is_in(chunk)
        )
        for r in await LedgerEntry.select(*ENTRY_COLUMNS).where(named & outside):
            rows.setdefault(r["id"], r)
    return [_entry(r) for r in rows.values()], {r["id"] for r in inside}


async def _retrieve(request: Any) -> Any | None:
    """A Stripe object, or None when Stripe says there is no such object."""
    try:
        return await request
    except stripe.InvalidRequestError as exc:
        if exc.http_status == 404:
            return None
        raise errors.stripe_unavailable(f"{type(exc).__name__}: {exc.user_message or exc}") from exc
    except stripe.StripeError as exc:
        raise errors.stripe_unavailable(f"{type(exc).__name__}: {exc.user_message or exc}") from exc


async def _check_in_stripe(account: StripeAccount, entry: Entry) -> Finding | None:
    """A ledger row no transaction of the period explained: look it up in Stripe by its own ids."""
    v1 = account.client.v1
    txn_id = expected_transaction(entry)
    if txn_id:
        found = await _retrieve(v1.balance_transactions.retrieve_async(txn_id))
        if found is not None:
            txn = _txn(found)
            if entry.kind == "fee":
                expected = txn.amount if txn.type in FEE_TYPES else -txn.fee
            else:
                expected = txn.amount
            return _differs(txn, entry, expected, f"{entry.kind.capitalize()} {entry.stripe_id}")
    else:
        lookups = {
            "charge": v1.charges.retrieve_async,
            "refund": v1.refunds.retrieve_async,
            "payout": v1.payouts.retrieve_async,
        }
        lookup = lookups.get(entry.kind)
        if lookup is not None and await _retrieve(lookup(entry.stripe_id)) is not None:
            return None
    return Finding(
        "missing_in_stripe",
        f"The ledger has {entry.kind} {entry.stripe_id}; Stripe does not.",
        entry=entry,
    )


async def _stripe_side(account: StripeAccount, period: Period) -> tuple[list[Txn], dict[str, str]]:
    """The period's balance transactions, and the status of each payout created in it."""
    v1 = account.client.v1
    query = {"created": _range(period), "limit": PAGE}
    txns = [_txn(t) async for t in _listed(v1.balance_transactions.list_async, query)]
    payouts = {p["id"]: str(p["status"]) async for p in _listed(v1.payouts.list_async, query)}
    return txns, payouts


def _finding_row(run_id: int, f: Finding, payouts: dict[str, str]) -> ReconciliationFinding:
    txn, entry = f.txn, f.entry
    message = f.message
    if txn is not None and txn.source in payouts and payouts[txn.source] != "paid":
        message += f" The payout is {payouts[txn.source].replace('_', ' ')}."
    return ReconciliationFinding(
        run=run_id,
        kind=f.kind,
        stripe_balance_transaction_id=txn.id if txn else "",
        stripe_type=txn.type if txn else "",
        stripe_source=txn.source if txn else "",
        stripe_amount=f.stripe_amount,
        stripe_currency=f.stripe_currency,
        ledger_entry=entry.id if entry else None,
        ledger_amount=entry.amount if entry else None,
        ledger_currency=entry.currency if entry else "",
        occurred_at=txn.created if txn else (entry.occurred_at if entry else None),
        message=message,
    )


async def _store(
    period: Period, comparison: Comparison, counts: dict[str, int], payouts: dict[str, str], by: int | None
) -> int:
    async with write_transaction():
        existing = (
            await ReconciliationRun.select(
                ReconciliationRun.id,
                ReconciliationRun.stripe_transactions,
                ReconciliationRun.ledger_entries,
                ReconciliationRun.matched,
            )
            .where(
                (ReconciliationRun.period_start == period.start)
                & (ReconciliationRun.period_end == period.end)
            )
            .first()
        )
        values: dict[str, Any] = {**counts, "matched": comparison.matched, "ran_by": by, "ran_at": now()}
        before: dict[str, Any] | None = None
        if existing is None:
            run_id = (
                await ReconciliationRun.insert(
                    ReconciliationRun(
                        {
                            ReconciliationRun.period_start: period.start,
                            ReconciliationRun.period_end: period.end,
                        },
                        **values,
                    )
                ).returning(ReconciliationRun.id)
            )[0]["id"]
        else:
            run_id = existing["id"]
            before = {k: existing[k] for k in AUDITED}
            before["findings"] = await ReconciliationFinding.count().where(
                ReconciliationFinding.run == run_id
            )
            changes: dict[Any, Any] = dict(values)
            await ReconciliationRun.update(changes).where(ReconciliationRun.id == run_id)
            await ReconciliationFinding.delete().where(ReconciliationFinding.run == run_id)
        rows = [_finding_row(run_id, f, payouts) for f in comparison.findings]
        # A first run over a ledger never filled can find thousands: one INSERT of them all would
        # pass PostgreSQL's limit of 32,767 bound values (SQLite's depends on its build) and fail.
        for i in range(0, len(rows), CHUNK):
            await ReconciliationFinding.insert(*rows[i : i + CHUNK])
        await audit.record(
            "reconciliation.run",
            "reconciliation_run",
            run_id,
            before=before,
            after={**{k: values[k] for k in AUDITED}, "findings": len(rows)},
            details={"period_start": period.start, "period_end": period.end},
        )
    return int(run_id)


async def reconcile(account: StripeAccount, period: Period, by: int | None = None) -> int:
    """Compare Stripe and the ledger over ``period``; the run's id (the same run for the same period)."""
    txns, payouts = await _stripe_side(account, period)
    entries, inside = await _ledger(period, txns)
    comparison = compare(txns, entries)
    for entry in sorted(entries, key=lambda e: (e.occurred_at, e.id)):
        if entry.id in inside and entry.id not in comparison.seen:
            found = await _check_in_stripe(account, entry)
            if found is not None:
                comparison.findings.append(found)
    counts = {"stripe_transactions": len(txns), "ledger_entries": len(inside)}
    with unique_violation():
        return await _store(period, comparison, counts, payouts, by)
    # Someone ran the same period at the same moment: theirs exists now; refresh it.
    return await _store(period, comparison, counts, payouts, by)
