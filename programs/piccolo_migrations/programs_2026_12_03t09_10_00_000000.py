"""Each cohort chooses whether certificates wait for staff sign-off (the default) or issue at once."""

from grandrounds.migrations import raw_statements

ID = "2026-12-03T09:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "programs_completion_policy.certificate_issuing: signoff (default) or automatic"

STATEMENTS = [
    "ALTER TABLE programs_completion_policy "
    "ADD COLUMN certificate_issuing VARCHAR(16) NOT NULL DEFAULT 'signoff'"
]


async def forwards():
    return raw_statements(ID, "programs", DESCRIPTION, STATEMENTS)
