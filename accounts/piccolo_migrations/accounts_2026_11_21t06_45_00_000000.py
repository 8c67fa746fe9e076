"""One assignment per (program, staff person)."""

from grandrounds.migrations import raw_statements

ID = "2026-11-21T06:45:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "program staff uniqueness"

STATEMENTS = [
    "CREATE UNIQUE INDEX IF NOT EXISTS accounts_program_staff_once ON accounts_program_staff (program, person)",
]


async def forwards():
    return raw_statements(ID, "accounts", DESCRIPTION, STATEMENTS)
