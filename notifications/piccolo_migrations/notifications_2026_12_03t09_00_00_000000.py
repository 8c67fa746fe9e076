"""The SEQUENCE of each person's calendar copy, kept apart from the session's own."""

from grandrounds.migrations import raw_statements

ID = "2026-12-03T09:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "notifications_invite_copy: a SEQUENCE per (session, person) calendar copy"

STATEMENTS = [
    "CREATE TABLE IF NOT EXISTS notifications_invite_copy "
    "(uid VARCHAR(255) NOT NULL PRIMARY KEY, sequence INTEGER NOT NULL DEFAULT 0)"
]


async def forwards():
    return raw_statements(ID, "notifications", DESCRIPTION, STATEMENTS)
