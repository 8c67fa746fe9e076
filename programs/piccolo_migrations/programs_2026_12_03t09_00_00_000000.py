"""Which degrees earn AMA PRA Category 1 Credit, as each program's own setting."""

from grandrounds.migrations import raw_statements

ID = "2026-12-03T09:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "programs_program_settings.credit_degrees: degrees earning AMA PRA Category 1 Credit"

STATEMENTS = [
    "ALTER TABLE programs_program_settings ADD COLUMN credit_degrees VARCHAR(200) NOT NULL DEFAULT 'MD,DO'"
]


async def forwards():
    return raw_statements(ID, "programs", DESCRIPTION, STATEMENTS)
