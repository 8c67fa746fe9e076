"""The library's composite unique indexes: one tag per item and word, one prerequisite per cohort and item."""

from grandrounds.migrations import raw_statements

ID = "2026-11-21T09:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "library unique indexes"

STATEMENTS = [
    "CREATE UNIQUE INDEX IF NOT EXISTS library_item_tag_unique ON library_item_tag (item, tag)",
    "CREATE UNIQUE INDEX IF NOT EXISTS library_cohort_prerequisite_unique"
    " ON library_cohort_prerequisite (cohort, item)",
    "CREATE INDEX IF NOT EXISTS library_item_listing ON library_item (status, audience, kind)",
]


async def forwards():
    return raw_statements(ID, "library", DESCRIPTION, STATEMENTS)
