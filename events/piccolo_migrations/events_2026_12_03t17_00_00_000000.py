"""Seat counters on each place (the event, a session with its own capacity), backfilled from the rows.

``seats_held`` counts the place's registrations that hold a seat by status
(confirmed, pending_payment, offered), ``waiting`` its waitlisted ones; the
registration lifecycle keeps both in the transaction that moves a registration,
so the hot path checks capacity against one row instead of counting.
"""

from grandrounds.migrations import raw_statements

ID = "2026-12-03T17:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "events_event and events_session: seats_held and waiting counters, backfilled"

_HOLDING = "('confirmed', 'pending_payment', 'offered')"

STATEMENTS = [
    "ALTER TABLE events_event ADD COLUMN seats_held INTEGER NOT NULL DEFAULT 0",
    "ALTER TABLE events_event ADD COLUMN waiting INTEGER NOT NULL DEFAULT 0",
    "ALTER TABLE events_session ADD COLUMN seats_held INTEGER NOT NULL DEFAULT 0",
    "ALTER TABLE events_session ADD COLUMN waiting INTEGER NOT NULL DEFAULT 0",
    "UPDATE events_event SET"
    " seats_held = (SELECT COUNT(*) FROM events_registration r WHERE r.event = events_event.id"
    f" AND r.session IS NULL AND r.status IN {_HOLDING}),"
    " waiting = (SELECT COUNT(*) FROM events_registration r WHERE r.event = events_event.id"
    " AND r.session IS NULL AND r.status = 'waitlisted')",
    "UPDATE events_session SET"
    " seats_held = (SELECT COUNT(*) FROM events_registration r WHERE r.session = events_session.id"
    f" AND r.status IN {_HOLDING}),"
    " waiting = (SELECT COUNT(*) FROM events_registration r WHERE r.session = events_session.id"
    " AND r.status = 'waitlisted')",
]


async def forwards():
    return raw_statements(ID, "events", DESCRIPTION, STATEMENTS)
