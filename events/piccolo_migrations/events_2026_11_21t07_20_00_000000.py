"""Speaker invites keep the calendar UID they were first sent with; speaker lookups by token and person.

A speaker invited before they had an account is later linked to the account
they make; the UID must not change with that link, or their calendar would
hold two copies of the session. So the UID chosen at the first invite is kept.
"""

from grandrounds.migrations import raw_statements

ID = "2026-11-21T07:20:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "speaker invite UID; indexes for speaker token and person lookups"

STATEMENTS = [
    "ALTER TABLE events_session_speaker ADD COLUMN invite_uid VARCHAR(200) NOT NULL DEFAULT ''",
    "CREATE INDEX IF NOT EXISTS events_session_speaker_token ON events_session_speaker (token_hash)",
    "CREATE INDEX IF NOT EXISTS events_session_speaker_person ON events_session_speaker (person)",
    "CREATE INDEX IF NOT EXISTS events_session_speaker_email ON events_session_speaker (email_key)",
]


async def forwards():
    return raw_statements(ID, "events", DESCRIPTION, STATEMENTS)
