"""Composite unique indexes, written as raw SQL because SQLite rejects ALTER-based constraints."""

from grandrounds.migrations import raw_statements

ID = "2026-11-21T06:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "unique (person, role) and (organization, person)"

STATEMENTS = [
    "CREATE UNIQUE INDEX IF NOT EXISTS accounts_role_grant_person_role ON accounts_role_grant (person, role)",
    "CREATE UNIQUE INDEX IF NOT EXISTS accounts_org_member_unique ON accounts_organization_member (organization, person)",
    "CREATE INDEX IF NOT EXISTS accounts_session_person ON accounts_session (person)",
    "CREATE INDEX IF NOT EXISTS accounts_api_token_person ON accounts_api_token (person)",
]


async def forwards():
    return raw_statements(ID, "accounts", DESCRIPTION, STATEMENTS)
