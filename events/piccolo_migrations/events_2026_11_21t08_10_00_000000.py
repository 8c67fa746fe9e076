"""The SEQUENCE of the event-level calendar copy a conference's whole-event registrants hold."""

from grandrounds.migrations import raw_statements

ID = "2026-11-21T08:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "events_event.sequence: the iCalendar SEQUENCE of the event as a whole"

STATEMENTS = ["ALTER TABLE events_event ADD COLUMN sequence INTEGER NOT NULL DEFAULT 0"]


async def forwards():
    return raw_statements(ID, "events", DESCRIPTION, STATEMENTS)
