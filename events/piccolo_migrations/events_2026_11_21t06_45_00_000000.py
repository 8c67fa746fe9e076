"""Uniqueness for sessions, speakers, tickets and check-ins; registration uniqueness split by scope.

A registration either holds a place at the whole event (session is null) or in
one session with its own capacity (a workshop seat, a consultation slot), so
"one live registration per person" is enforced per scope.
"""

from grandrounds.migrations import raw_statements

ID = "2026-11-21T06:45:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "session-scoped registration uniqueness, ticket codes, one check-in per session and registration"

LIVE = "('pending_payment', 'confirmed', 'waitlisted', 'offered')"
STATEMENTS = [
    "DROP INDEX IF EXISTS events_registration_live_person",
    "DROP INDEX IF EXISTS events_registration_live_email",
    f"CREATE UNIQUE INDEX IF NOT EXISTS events_registration_live_event_person "
    f"ON events_registration (event, person) WHERE session IS NULL AND status IN {LIVE}",
    f"CREATE UNIQUE INDEX IF NOT EXISTS events_registration_live_event_email "
    f"ON events_registration (event, email_key) WHERE session IS NULL AND status IN {LIVE}",
    f"CREATE UNIQUE INDEX IF NOT EXISTS events_registration_live_session_person "
    f"ON events_registration (session, person) WHERE session IS NOT NULL AND status IN {LIVE}",
    f"CREATE UNIQUE INDEX IF NOT EXISTS events_registration_live_session_email "
    f"ON events_registration (session, email_key) WHERE session IS NOT NULL AND status IN {LIVE}",
    "CREATE UNIQUE INDEX IF NOT EXISTS events_registration_ticket_code ON events_registration (ticket_code)",
    "CREATE INDEX IF NOT EXISTS events_registration_session_status ON events_registration (session, status)",
    "CREATE INDEX IF NOT EXISTS events_registration_person ON events_registration (person)",
    "CREATE UNIQUE INDEX IF NOT EXISTS events_check_in_once ON events_check_in (session, registration)",
    "CREATE UNIQUE INDEX IF NOT EXISTS events_session_speaker_once ON events_session_speaker (session, email_key)",
    "CREATE INDEX IF NOT EXISTS events_session_event ON events_session (event, starts_at)",
    "CREATE INDEX IF NOT EXISTS events_ticket_type_event ON events_ticket_type (event)",
]


async def forwards():
    return raw_statements(ID, "events", DESCRIPTION, STATEMENTS)
