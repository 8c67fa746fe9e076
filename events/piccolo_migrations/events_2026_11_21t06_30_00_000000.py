"""One live registration per (event, person) and per (event, email): partial unique indexes."""

from grandrounds.migrations import raw_statements

ID = "2026-11-21T06:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "live-registration uniqueness and the indexes the hot path reads"

LIVE = "('pending_payment', 'confirmed', 'waitlisted', 'offered')"
STATEMENTS = [
    f"CREATE UNIQUE INDEX IF NOT EXISTS events_registration_live_person "
    f"ON events_registration (event, person) WHERE status IN {LIVE}",
    f"CREATE UNIQUE INDEX IF NOT EXISTS events_registration_live_email "
    f"ON events_registration (event, email_key) WHERE status IN {LIVE}",
    "CREATE INDEX IF NOT EXISTS events_registration_event_status ON events_registration (event, status)",
    "CREATE INDEX IF NOT EXISTS events_registration_change_reg ON events_registration_change (registration)",
]


async def forwards():
    return raw_statements(ID, "events", DESCRIPTION, STATEMENTS)
