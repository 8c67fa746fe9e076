"""Programs tables: cohorts, enrollment, attendance, completion, certificates.

Composite uniqueness (one live enrollment per person and program, one attendance
record per session and person, ...) lives in raw index migrations, because
SQLite rejects the ALTER statements Piccolo would generate for it.
"""

from __future__ import annotations

from piccolo.columns import JSON, Boolean, Date, ForeignKey, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from accounts.tables import Person, Program
from events.tables import Session
from programs.enrollment_status import EnrollmentStatus


class ProgramSettings(Table, tablename="programs_program_settings"):
    """How one program judges attendance and issues certificates; defaults apply while absent.

    ``statuses`` is a JSON list of ``{"name", "points", "excused"}``; the first
    status with the most points earns full marks.
    """

    id: Serial  # added by Piccolo; declared for type checkers
    program = ForeignKey(references=Program, null=False, unique=True)
    statuses = JSON(default="[]")
    present_within_minutes = Integer(default=10)
    late_within_minutes = Integer(default=60)
    # immediately, cohort_end, on_date
    certificate_timing = Varchar(length=16, default="immediately")
    certificate_date = Date(null=True, default=None)
    provider = Varchar(length=200, default="")  # the accredited CME provider named on certificates
    deliverable_title = Varchar(length=200, default="Strategic social media plan")
    # Degrees that earn AMA PRA Category 1 Credit, comma-separated; others get participation.
    credit_degrees = Varchar(length=200, default="MD,DO")


class Cohort(Table, tablename="programs_cohort"):
    """One run of a program with dates, seats and its own completion policy."""

    id: Serial  # added by Piccolo; declared for type checkers
    program = ForeignKey(references=Program, null=False)
    name = Varchar(length=200)
    starts_on = Date()
    ends_on = Date()
    time_zone = Varchar(length=64, default="UTC")
    capacity = Integer(default=30)
    mentor_limit = Integer(default=8)
    open_for_applications = Boolean(default=False)
    requires_membership = Boolean(default=False)
    fee_amount = Integer(default=0)  # minor units of fee_currency; 0 means free
    fee_currency = Varchar(length=3, default="USD")
    created_at = Timestamptz(default=TimestamptzNow())


class CompletionPolicy(Table, tablename="programs_completion_policy"):
    """What a learner must do to complete a cohort; one row per cohort."""

    id: Serial  # added by Piccolo; declared for type checkers
    cohort = ForeignKey(references=Cohort, null=False, unique=True)
    min_attendance_percent = Integer(default=80)
    excused_policy = Varchar(length=20, default="leave_denominator")  # or count_as_present
    max_unexcused_absences = Integer(null=True, default=None)
    min_credit_quarters = Integer(default=0)  # CME credit in quarter hours, for credit-eligible learners
    requires_deliverable = Boolean(default=False)
    requires_signoff = Boolean(default=False)
    # "signoff": a certificate waits for staff to sign the enrollment off, even when an import or a
    # sweep finds the learner complete; "automatic": issued as soon as the policy is met.
    certificate_issuing = Varchar(length=16, default="signoff")


class CohortSession(Table, tablename="programs_cohort_session"):
    """A session of the cohort's curriculum; (cohort, session) is unique."""

    id: Serial  # added by Piccolo; declared for type checkers
    cohort = ForeignKey(references=Cohort, null=False)
    session = ForeignKey(references=Session, null=False)
    required = Boolean(default=False)


class Enrollment(Table, tablename="programs_enrollment"):
    """A person's place in a cohort, from application or invitation to the end.

    Statuses: applied, invited, awaiting_payment, active (live); rejected,
    withdrawn, moved (closed). One live enrollment per (program, email_key).
    ``person`` is empty for an invitation to an email without an account yet.
    """

    id: Serial  # added by Piccolo; declared for type checkers
    cohort = ForeignKey(references=Cohort, null=False)
    program = ForeignKey(references=Program, null=False)
    person = ForeignKey(references=Person, null=True)
    email_key = Varchar(length=254)
    status = Varchar(length=20, choices=EnrollmentStatus)
    statement = Text(default="")  # the applicant's motivation; seen by program staff only
    mentor = ForeignKey(references=Person, null=True)
    invite_token_hash = Varchar(length=64, default="")
    signed_off_by = ForeignKey(references=Person, null=True)
    signed_off_at = Timestamptz(null=True, default=None)
    moved_to = Integer(null=True, default=None)  # the enrollment that replaced this one
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class EnrollmentChange(Table, tablename="programs_enrollment_change"):
    """Append-only: who moved an enrollment from which state to which, and why."""

    id: Serial  # added by Piccolo; declared for type checkers
    enrollment = ForeignKey(references=Enrollment, null=False)
    from_status = Varchar(length=20, default="")
    to_status = Varchar(length=20)
    by_person = ForeignKey(references=Person, null=True)
    reason = Varchar(length=300, default="")
    at = Timestamptz(default=TimestamptzNow())


class CohortMentor(Table, tablename="programs_cohort_mentor"):
    """Someone who mentors residents of a cohort; (cohort, person) is unique."""

    id: Serial  # added by Piccolo; declared for type checkers
    cohort = ForeignKey(references=Cohort, null=False)
    person = ForeignKey(references=Person, null=False)


class AttendanceRecord(Table, tablename="programs_attendance"):
    """One person's attendance at one session; (session, person) is unique.

    ``intervals`` keeps the evidence: a JSON list of ``[join, leave, origin]``
    (ISO times, origin ``check_in`` or ``webinar_import``). ``overridden``
    marks a staff decision that recomputation must leave alone.
    """

    id: Serial  # added by Piccolo; declared for type checkers
    session = ForeignKey(references=Session, null=False)
    person = ForeignKey(references=Person, null=False)
    status = Varchar(length=40)
    source = Varchar(length=20)  # check_in, webinar_import, manual
    seconds_attended = Integer(default=0)
    intervals = JSON(default="[]")
    remarks = Text(default="")
    overridden = Boolean(default=False)
    set_by = ForeignKey(references=Person, null=True)
    set_at = Timestamptz(default=TimestamptzNow())


class AttendanceChange(Table, tablename="programs_attendance_change"):
    """Append-only audit of every change to an attendance record."""

    id: Serial  # added by Piccolo; declared for type checkers
    record = ForeignKey(references=AttendanceRecord, null=False)
    from_status = Varchar(length=40, default="")
    to_status = Varchar(length=40)
    source = Varchar(length=20)
    by_person = ForeignKey(references=Person, null=True)
    remarks = Text(default="")
    at = Timestamptz(default=TimestamptzNow())


class WebinarImport(Table, tablename="programs_webinar_import"):
    """One uploaded Zoom attendee report for one session; (session, sha256) is unique."""

    id: Serial  # added by Piccolo; declared for type checkers
    cohort = ForeignKey(references=Cohort, null=False)
    session = ForeignKey(references=Session, null=False)
    sha256 = Varchar(length=64)
    filename = Varchar(length=255, default="")
    time_zone = Varchar(length=64)
    people_in_file = Integer(default=0)
    matched = Integer(default=0)
    unmatched = Integer(default=0)
    uploaded_by = ForeignKey(references=Person, null=True)
    uploaded_at = Timestamptz(default=TimestamptzNow())


class UnmatchedAttendee(Table, tablename="programs_unmatched_attendee"):
    """Someone in a report whom no enrolled person matched; staff resolve or dismiss them.

    (session, match_key) is unique so a re-import never queues them twice.
    """

    id: Serial  # added by Piccolo; declared for type checkers
    webinar_import = ForeignKey(references=WebinarImport, null=False)
    session = ForeignKey(references=Session, null=False)
    match_key = Varchar(length=300)
    name = Varchar(length=200, default="")
    email = Varchar(length=254, default="")
    intervals = JSON(default="[]")
    status = Varchar(length=12, default="open")  # open, resolved, dismissed
    resolved_person = ForeignKey(references=Person, null=True)
    resolved_by = ForeignKey(references=Person, null=True)
    resolved_at = Timestamptz(null=True, default=None)


class Deliverable(Table, tablename="programs_deliverable"):
    """One uploaded version of a learner's deliverable; the newest is the one reviewed."""

    id: Serial  # added by Piccolo; declared for type checkers
    cohort = ForeignKey(references=Cohort, null=False)
    person = ForeignKey(references=Person, null=False)
    storage_name = Varchar(length=100)  # the file's name in the store (deliverables/<this>); never the user's
    filename = Varchar(length=255)
    content_type = Varchar(length=100)
    size = Integer()
    sha256 = Varchar(length=64)
    status = Varchar(length=12, default="submitted")  # submitted, passed, returned
    review_note = Text(default="")
    reviewed_by = ForeignKey(references=Person, null=True)
    reviewed_at = Timestamptz(null=True, default=None)
    uploaded_at = Timestamptz(default=TimestamptzNow())


class Certificate(Table, tablename="programs_certificate"):
    """Proof of completion. What it states is copied at issue, so it never changes afterwards.

    (cohort, person) is unique: one certificate per completion. ``code`` is the
    public verification code.
    """

    id: Serial  # added by Piccolo; declared for type checkers
    code = Varchar(length=14, unique=True)
    cohort = ForeignKey(references=Cohort, null=False)
    person = ForeignKey(references=Person, null=False)
    kind = Varchar(length=16)  # cme, participation
    learner_name = Varchar(length=200)
    learner_degree = Varchar(length=20, default="")
    program_name = Varchar(length=200)
    cohort_name = Varchar(length=200)
    provider = Varchar(length=200, default="")
    activity_format = Varchar(length=100, default="")
    location = Varchar(length=300, default="")
    starts_on = Date()
    ends_on = Date()
    credit_quarters = Integer(default=0)
    issued_on = Date()
    issued_at = Timestamptz(default=TimestamptzNow())
    revoked_at = Timestamptz(null=True, default=None)
    revoked_reason = Varchar(length=300, default="")
    revoked_by = ForeignKey(references=Person, null=True)


class FellowRung(Table, tablename="programs_fellow_rung"):
    """A rung of the fellows ladder granted to a person; (program, person, rung) is unique."""

    id: Serial  # added by Piccolo; declared for type checkers
    program = ForeignKey(references=Program, null=False)
    person = ForeignKey(references=Person, null=False)
    rung = Varchar(length=12)  # Bronze, Silver, Gold, Platinum
    note = Varchar(length=300, default="")
    granted_by = ForeignKey(references=Person, null=True)
    granted_at = Timestamptz(default=TimestamptzNow())
