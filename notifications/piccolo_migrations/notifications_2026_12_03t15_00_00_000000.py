"""Outbox rows name the program they were sent for, so program staff see only their own programs' mail."""

from grandrounds.migrations import raw_statements

ID = "2026-12-03T15:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "notifications_outbox.program_id: the program a message was sent for (null: site-wide)"

STATEMENTS = [
    "ALTER TABLE notifications_outbox ADD COLUMN program_id INTEGER DEFAULT null",
    "CREATE INDEX IF NOT EXISTS notifications_outbox_program_id ON notifications_outbox (program_id)",
]


async def forwards():
    return raw_statements(ID, "notifications", DESCRIPTION, STATEMENTS)
