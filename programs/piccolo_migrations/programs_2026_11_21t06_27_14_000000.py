"""Programs: composite uniqueness and the indexes the roster and imports read by.

One live enrollment per person (by email) and program, whatever its cohort:
moving cohorts closes the old row first. Closed rows (rejected, withdrawn,
moved) stay as history and do not count.
"""

from grandrounds.migrations import raw_statements

ID = "2026-11-21T06:27:14:000000"
VERSION = "1.38.0"
DESCRIPTION = "programs: unique enrollment, attendance, curriculum, imports, certificates, rungs"

LIVE = "('applied', 'invited', 'awaiting_payment', 'active')"
STATEMENTS = [
    f"CREATE UNIQUE INDEX IF NOT EXISTS programs_enrollment_live_email "
    f"ON programs_enrollment (program, email_key) WHERE status IN {LIVE}",
    "CREATE INDEX IF NOT EXISTS programs_enrollment_cohort ON programs_enrollment (cohort, status)",
    "CREATE INDEX IF NOT EXISTS programs_enrollment_person ON programs_enrollment (person)",
    "CREATE UNIQUE INDEX IF NOT EXISTS programs_attendance_once ON programs_attendance (session, person)",
    "CREATE INDEX IF NOT EXISTS programs_attendance_person ON programs_attendance (person)",
    "CREATE UNIQUE INDEX IF NOT EXISTS programs_cohort_session_once ON programs_cohort_session (cohort, session)",
    "CREATE UNIQUE INDEX IF NOT EXISTS programs_cohort_mentor_once ON programs_cohort_mentor (cohort, person)",
    "CREATE UNIQUE INDEX IF NOT EXISTS programs_webinar_import_once ON programs_webinar_import (session, sha256)",
    "CREATE UNIQUE INDEX IF NOT EXISTS programs_unmatched_once ON programs_unmatched_attendee (session, match_key)",
    "CREATE UNIQUE INDEX IF NOT EXISTS programs_certificate_once ON programs_certificate (cohort, person)",
    "CREATE UNIQUE INDEX IF NOT EXISTS programs_fellow_rung_once ON programs_fellow_rung (program, person, rung)",
    "CREATE INDEX IF NOT EXISTS programs_deliverable_cohort_person ON programs_deliverable (cohort, person)",
]


async def forwards():
    return raw_statements(ID, "programs", DESCRIPTION, STATEMENTS)
