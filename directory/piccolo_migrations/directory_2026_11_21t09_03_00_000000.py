"""The directory's composite and partial unique indexes: one account per platform per listing, one open claim."""

from grandrounds.migrations import raw_statements

ID = "2026-11-21T09:03:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "directory unique indexes"

STATEMENTS = [
    "CREATE UNIQUE INDEX IF NOT EXISTS directory_listing_account_platform"
    " ON directory_listing_account (listing, platform)",
    "CREATE UNIQUE INDEX IF NOT EXISTS directory_claim_open"
    " ON directory_claim (listing, person) WHERE status = 'pending'",
    "CREATE INDEX IF NOT EXISTS directory_change_listing ON directory_change (listing, at)",
]


async def forwards():
    return raw_statements(ID, "directory", DESCRIPTION, STATEMENTS)
