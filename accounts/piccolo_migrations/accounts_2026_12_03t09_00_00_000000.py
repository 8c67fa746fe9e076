"""A program's contact address, named as ORGANIZER on its calendar invites."""

from grandrounds.migrations import raw_statements

ID = "2026-12-03T09:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "accounts_program.contact_email: where a program's participants write to it"

STATEMENTS = ["ALTER TABLE accounts_program ADD COLUMN contact_email VARCHAR(254) NOT NULL DEFAULT ''"]


async def forwards():
    return raw_statements(ID, "accounts", DESCRIPTION, STATEMENTS)
