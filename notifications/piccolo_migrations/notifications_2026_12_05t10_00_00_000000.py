"""Outbox rows keep the id of the request that queued them, so a message's log lines lead back to it."""

from grandrounds.migrations import raw_statements

ID = "2026-12-05T10:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "notifications_outbox.request_id: the X-Request-ID of the request that queued it (null: none)"

STATEMENTS = [
    "ALTER TABLE notifications_outbox ADD COLUMN request_id VARCHAR(64) DEFAULT null",
]


async def forwards():
    return raw_statements(ID, "notifications", DESCRIPTION, STATEMENTS)
