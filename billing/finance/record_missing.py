"""Reading a reconciliation run, and "record missing": finance's explicit import of what Stripe has.

Only what is *in Stripe but not in the ledger* can be recorded, and only by
re-reading it from Stripe (the run's numbers are never trusted as money):
a charge or refund through billing.payments.charges (the charge with its
fee and refunds, registration from its metadata), a payout through
billing.finance.payouts, a dispute through billing.payments.disputes, a
fee Stripe took on its own as a ``fee`` row.
A row in the ledger that Stripe lacks, or an amount that differs, is for a
person to investigate: the ledger is append-only, so nothing here edits it.
Recording is idempotent: the ledger keeps one row per Stripe object.

Each object is mirrored in its own short transaction (Stripe is read before
each); one last transaction marks the findings recorded and writes the
action's one ``reconciliation.record_missing`` audit row, with which findings
were recorded and how many ledger rows they added. When Stripe fails part way,
what was recorded so far is still marked and audited before the error is
raised, so the trail never misses a ledger row finance caused.
"""

from __future__ import annotations

from typing import Any

from accounts.audit import trail as audit
from accounts.principal import Principal
from billing import errors
from billing.finance.matching import FEE_TYPES
from billing.finance.payouts import import_payout
from billing.finance.schemas import FindingOut, RecordOutcome, RunOut, RunSummary
from billing.ledger import Movement, at, record
from billing.payments.charges import call, import_charge
from billing.payments.disputes import import_dispute
from billing.stripe_client import StripeAccount
from billing.tables import LedgerEntry, ReconciliationFinding, ReconciliationRun
from grandrounds.db import now, write_transaction
from grandrounds.errors import DomainError

RECORDABLE_KINDS = ("missing_in_ledger", "unexplained_fee")
CHARGE_TYPES = ("charge", "payment")
REFUND_TYPES = ("refund", "payment_refund")
PAYOUT_TYPES = ("payout", "payout_failure")
DISPUTE_TYPES = ("adjustment",)  # recordable when its source is a dispute (dp_)
RECORDABLE_TYPES = frozenset((*CHARGE_TYPES, *REFUND_TYPES, *PAYOUT_TYPES, *DISPUTE_TYPES, *FEE_TYPES))


def recordable(row: dict[str, Any]) -> bool:
    if row["stripe_type"] in DISPUTE_TYPES and not str(row["stripe_source"]).startswith("dp_"):
        return False
    return (
        row["kind"] in RECORDABLE_KINDS
        and row["stripe_type"] in RECORDABLE_TYPES
        and row["recorded_at"] is None
    )


def _finding_out(row: dict[str, Any]) -> FindingOut:
    return FindingOut(
        id=row["id"],
        kind=row["kind"],
        message=row["message"],
        stripe_balance_transaction_id=row["stripe_balance_transaction_id"],
        stripe_type=row["stripe_type"],
        stripe_source=row["stripe_source"],
        stripe_amount=row["stripe_amount"],
        stripe_currency=row["stripe_currency"],
        ledger_entry_id=row["ledger_entry"],
        ledger_amount=row["ledger_amount"],
        ledger_currency=row["ledger_currency"],
        occurred_at=row["occurred_at"],
        recordable=recordable(row),
        recorded_at=row["recorded_at"],
    )


async def get_run(run_id: int) -> RunOut:
    run = await ReconciliationRun.select().where(ReconciliationRun.id == run_id).first()
    if run is None:
        raise errors.run_not_found()
    rows = await (
        ReconciliationFinding.select()
        .where(ReconciliationFinding.run == run_id)
        .order_by(ReconciliationFinding.kind)
        .order_by(ReconciliationFinding.occurred_at)
        .order_by(ReconciliationFinding.id)
    )
    return RunOut(
        id=run["id"],
        period_start=run["period_start"],
        period_end=run["period_end"],
        stripe_transactions=run["stripe_transactions"],
        ledger_entries=run["ledger_entries"],
        matched=run["matched"],
        ran_at=run["ran_at"],
        findings=[_finding_out(r) for r in rows],
    )


async def list_runs(limit: int = 24) -> list[RunSummary]:
    """The latest runs, newest period first."""
    runs = (
        await ReconciliationRun.select()
        .order_by(ReconciliationRun.period_start, ascending=False)
        .limit(limit)
    )
    summaries = []
    for run in runs:
        count = await ReconciliationFinding.count().where(ReconciliationFinding.run == run["id"])
        summaries.append(
            RunSummary(
                id=run["id"],
                period_start=run["period_start"],
                period_end=run["period_end"],
                stripe_transactions=run["stripe_transactions"],
                matched=run["matched"],
                findings=count,
                ran_at=run["ran_at"],
            )
        )
    return summaries


async def _import(account: StripeAccount, row: dict[str, Any]) -> bool:
    """Re-read the finding's object from Stripe and record it (and what belongs with it); False when
    Stripe says it is not settled yet (a payout still in transit), so there is nothing to record."""
    kind, source, txn_id = row["stripe_type"], row["stripe_source"], row["stripe_balance_transaction_id"]
    v1 = account.client.v1
    if kind in CHARGE_TYPES:
        await import_charge(account, source)
    elif kind in REFUND_TYPES:
        refund = await call(v1.refunds.retrieve_async(source))
        await import_charge(account, str(refund["charge"]))
    elif kind in PAYOUT_TYPES:
        return await import_payout(account, source) != "payout_pending"
    elif kind in DISPUTE_TYPES:
        await import_dispute(account, source)
    else:
        txn = await call(v1.balance_transactions.retrieve_async(txn_id))
        fee = Movement(
            "fee",
            int(txn["amount"]),
            txn["currency"],
            txn["id"],
            at(txn["created"]),
            stripe_balance_transaction_id=txn["id"],
        )
        async with write_transaction():
            await record([fee])
    return True


async def record_missing(
    account: StripeAccount, principal: Principal, run_id: int, finding_ids: list[int] | None = None
) -> RecordOutcome:
    """Import the run's recordable findings (or the named ones) into the ledger, from Stripe."""
    if not await ReconciliationRun.exists().where(ReconciliationRun.id == run_id):
        raise errors.run_not_found()
    query = ReconciliationFinding.select().where(ReconciliationFinding.run == run_id)
    if finding_ids:
        query = query.where(ReconciliationFinding.id.is_in(finding_ids))
    rows = await query.order_by(ReconciliationFinding.id)
    before = await LedgerEntry.count()
    recorded: list[int] = []
    skipped: list[int] = []
    try:
        for row in rows:
            if not recordable(row) or not await _import(account, row):
                skipped.append(row["id"])
                continue
            recorded.append(row["id"])
    except DomainError as exc:
        if recorded:
            await _mark(principal, run_id, recorded, before, stopped_by=exc.code)
        raise
    found = {row["id"] for row in rows}
    skipped.extend(i for i in (finding_ids or []) if i not in found)
    added = await _mark(principal, run_id, recorded, before) if recorded else 0
    return RecordOutcome(run_id=run_id, recorded=recorded, skipped=skipped, ledger_entries_added=added)


async def _mark(
    principal: Principal, run_id: int, recorded: list[int], ledger_before: int, stopped_by: str = ""
) -> int:
    """Mark the findings recorded and write the action's audit row; the ledger rows it added."""
    async with write_transaction():
        await ReconciliationFinding.update(
            {
                ReconciliationFinding.recorded_at: now(),
                ReconciliationFinding.recorded_by: principal.person_id,
            }
        ).where(ReconciliationFinding.id.is_in(recorded) & ReconciliationFinding.recorded_at.is_null())
        added = int(await LedgerEntry.count()) - ledger_before
        await audit.record(
            "reconciliation.record_missing",
            "reconciliation_run",
            run_id,
            details={
                "findings_recorded": recorded,
                "ledger_entries_added": added,
                **({"stopped_by": stopped_by} if stopped_by else {}),
            },
        )
    return added
