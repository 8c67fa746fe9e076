"""The ledger looked up by Stripe object id alone and by charge, as reconciliation and exports do."""

from grandrounds.migrations import raw_statements

ID = "2026-11-21T09:40:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "ledger stripe id and charge indexes"

# The unique (kind, stripe_id) index cannot serve ``stripe_id IN (...)`` without the kind, and nothing
# served ``stripe_charge_id IN (...)``: each chunk of a reconciliation's lookups (or of the payments
# export's refund and fee sums) scanned the whole ledger, so the work grew with the square of its size.
STATEMENTS = [
    "CREATE INDEX IF NOT EXISTS billing_ledger_entry_stripe_id ON billing_ledger_entry (stripe_id)",
    "CREATE INDEX IF NOT EXISTS billing_ledger_entry_charge ON billing_ledger_entry (stripe_charge_id)",
]


async def forwards():
    return raw_statements(ID, "billing", DESCRIPTION, STATEMENTS)
