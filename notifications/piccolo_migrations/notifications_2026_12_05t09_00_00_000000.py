"""notifications_chore_lease: the lease of every background chore, kept by the dispatcher's package.

The retention run's lease lived in records (records_chore_lease); records' migration of the
same day copies its row here and drops that table. The statement is written so either app
may run first.
"""

from grandrounds.migrations import raw_statements

ID = "2026-12-05T09:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "notifications_chore_lease: who runs each background chore, until when"

CREATE = (
    'CREATE TABLE IF NOT EXISTS "notifications_chore_lease" ('
    '"name" VARCHAR(64) PRIMARY KEY NOT NULL, '
    "\"holder\" VARCHAR(64) NOT NULL DEFAULT '', "
    '"until" TIMESTAMPTZ NOT NULL DEFAULT current_timestamp)'
)


async def forwards():
    return raw_statements(ID, "notifications", DESCRIPTION, [CREATE])
