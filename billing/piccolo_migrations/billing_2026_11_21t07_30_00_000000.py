"""Billing's composite unique indexes: one checkout per attempt, one ledger row and one alert per Stripe object."""

from grandrounds.migrations import raw_statements

ID = "2026-11-21T07:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "billing unique indexes"

STATEMENTS = [
    "CREATE UNIQUE INDEX IF NOT EXISTS billing_checkout_attempt ON billing_checkout (registration, attempt)",
    "CREATE UNIQUE INDEX IF NOT EXISTS billing_ledger_entry_stripe ON billing_ledger_entry (kind, stripe_id)",
    "CREATE INDEX IF NOT EXISTS billing_ledger_entry_registration ON billing_ledger_entry (registration)",
    "CREATE UNIQUE INDEX IF NOT EXISTS billing_alert_stripe ON billing_alert (kind, stripe_id)",
]


async def forwards():
    return raw_statements(ID, "billing", DESCRIPTION, STATEMENTS)
