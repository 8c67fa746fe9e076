"""Reconciliation: one run per period, and the findings a run lists."""

from grandrounds.migrations import raw_statements

ID = "2026-11-21T09:06:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "reconciliation indexes"

STATEMENTS = [
    "CREATE UNIQUE INDEX IF NOT EXISTS billing_reconciliation_run_period "
    "ON billing_reconciliation_run (period_start, period_end)",
    "CREATE INDEX IF NOT EXISTS billing_ledger_entry_occurred ON billing_ledger_entry (occurred_at)",
    "CREATE INDEX IF NOT EXISTS billing_ledger_entry_balance_transaction "
    "ON billing_ledger_entry (stripe_balance_transaction_id)",
]


async def forwards():
    return raw_statements(ID, "billing", DESCRIPTION, STATEMENTS)
