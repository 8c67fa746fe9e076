"""Membership indexes: one live membership per person and tier and per organization, one open seat per
colleague, and the lookups webhooks and the ledger make."""

from grandrounds.migrations import raw_statements

ID = "2026-11-21T09:05:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "membership unique indexes"

LIVE = "status IN ('pending', 'active', 'past_due')"

STATEMENTS = [
    "CREATE UNIQUE INDEX IF NOT EXISTS billing_membership_live_person "
    f"ON billing_membership (person, tier) WHERE person IS NOT NULL AND {LIVE}",
    "CREATE UNIQUE INDEX IF NOT EXISTS billing_membership_live_organization "
    f"ON billing_membership (organization) WHERE organization IS NOT NULL AND {LIVE}",
    "CREATE INDEX IF NOT EXISTS billing_membership_subscription "
    "ON billing_membership (stripe_subscription_id)",
    "CREATE INDEX IF NOT EXISTS billing_membership_session "
    "ON billing_membership (stripe_checkout_session_id)",
    "CREATE UNIQUE INDEX IF NOT EXISTS billing_membership_seat_open "
    "ON billing_membership_seat (membership, person) WHERE released_at IS NULL",
    "CREATE INDEX IF NOT EXISTS billing_points_entry_membership ON billing_points_entry (membership, person)",
    "CREATE INDEX IF NOT EXISTS billing_ledger_entry_membership ON billing_ledger_entry (membership)",
]


async def forwards():
    return raw_statements(ID, "billing", DESCRIPTION, STATEMENTS)
