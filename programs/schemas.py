"""Request and response shapes of the programs API (msgspec validates them on the way in)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

import msgspec

Name = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
Note = Annotated[str, msgspec.Meta(max_length=2000)]


class StatusDef(msgspec.Struct, forbid_unknown_fields=True):
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=40)]
    points: Annotated[int, msgspec.Meta(ge=0, le=100)]
    excused: bool = False


class RulesUpdate(msgspec.Struct, forbid_unknown_fields=True):
    statuses: list[StatusDef] | None = None
    present_within_minutes: Annotated[int, msgspec.Meta(ge=0, le=1440)] | None = None
    late_within_minutes: Annotated[int, msgspec.Meta(ge=0, le=1440)] | None = None
    certificate_timing: Literal["immediately", "cohort_end", "on_date"] | None = None
    certificate_date: date | None = None
    provider: Annotated[str, msgspec.Meta(max_length=200)] | None = None
    deliverable_title: Annotated[str, msgspec.Meta(min_length=1, max_length=200)] | None = None
    # Degrees that earn AMA PRA Category 1 Credit; others receive a certificate of participation.
    credit_degrees: list[Annotated[str, msgspec.Meta(min_length=1, max_length=20)]] | None = None


class RulesOut(msgspec.Struct):
    program_id: int
    statuses: list[StatusDef]
    present_within_minutes: int
    late_within_minutes: int
    certificate_timing: str
    certificate_date: date | None
    provider: str
    deliverable_title: str
    credit_degrees: list[str]


class PolicyIn(msgspec.Struct, forbid_unknown_fields=True):
    min_attendance_percent: Annotated[int, msgspec.Meta(ge=0, le=100)] = 80
    excused_policy: Literal["leave_denominator", "count_as_present"] = "leave_denominator"
    max_unexcused_absences: Annotated[int, msgspec.Meta(ge=0, le=1000)] | None = None
    min_credits: Annotated[float, msgspec.Meta(ge=0, le=1000)] = 0
    requires_deliverable: bool = False
    requires_signoff: bool = False
    # When a complete learner's certificate is issued: after staff sign-off (default) or at once.
    certificate_issuing: Literal["signoff", "automatic"] = "signoff"


class PolicyOut(msgspec.Struct):
    min_attendance_percent: int
    excused_policy: str
    max_unexcused_absences: int | None
    min_credits: str
    requires_deliverable: bool
    requires_signoff: bool
    certificate_issuing: str


class CohortCreate(msgspec.Struct, forbid_unknown_fields=True):
    name: Name
    starts_on: date
    ends_on: date
    time_zone: Annotated[str, msgspec.Meta(min_length=1, max_length=64)] = "UTC"
    capacity: Annotated[int, msgspec.Meta(ge=1, le=10_000)] = 30
    mentor_limit: Annotated[int, msgspec.Meta(ge=1, le=100)] = 8
    open_for_applications: bool = False
    requires_membership: bool = False
    fee_amount: Annotated[int, msgspec.Meta(ge=0, le=100_000_000)] = 0
    fee_currency: Annotated[str, msgspec.Meta(min_length=3, max_length=3)] = "USD"
    policy: PolicyIn | None = None


class CurriculumSession(msgspec.Struct):
    session_id: int
    event_id: int
    title: str
    starts_at: datetime
    ends_at: datetime
    credits: str
    counts_toward_completion: bool
    required: bool


class CohortOut(msgspec.Struct):
    id: int
    program_id: int
    name: str
    starts_on: date
    ends_on: date
    time_zone: str
    capacity: int
    mentor_limit: int
    open_for_applications: bool
    requires_membership: bool
    fee_amount: int
    fee_currency: str
    policy: PolicyOut
    sessions: list[CurriculumSession]


class CurriculumAdd(msgspec.Struct, forbid_unknown_fields=True):
    session_id: int
    required: bool = False


class Application(msgspec.Struct, forbid_unknown_fields=True):
    statement: Annotated[str, msgspec.Meta(max_length=5000)] = ""


class EnrollIn(msgspec.Struct, forbid_unknown_fields=True):
    person_id: int


class InviteIn(msgspec.Struct, forbid_unknown_fields=True):
    email: Annotated[str, msgspec.Meta(min_length=3, max_length=254)]


class InvitationAccept(msgspec.Struct, forbid_unknown_fields=True):
    token: Annotated[str, msgspec.Meta(min_length=10, max_length=100)]


class Decision(msgspec.Struct, forbid_unknown_fields=True):
    reason: Annotated[str, msgspec.Meta(max_length=300)] = ""


class MoveIn(msgspec.Struct, forbid_unknown_fields=True):
    cohort_id: int
    reason: Annotated[str, msgspec.Meta(max_length=300)] = ""


class MentorIn(msgspec.Struct, forbid_unknown_fields=True):
    mentor_id: int | None


class PersonRef(msgspec.Struct, forbid_unknown_fields=True):
    person_id: int


class EnrollmentOut(msgspec.Struct):
    id: int
    cohort_id: int
    program_id: int
    person_id: int | None
    email: str
    status: str
    mentor_id: int | None
    signed_off_at: datetime | None
    moved_to: int | None
    created_at: datetime


class InvitationOut(msgspec.Struct):
    """The token is returned to staff once, as the email carries it; only its hash is kept."""

    enrollment: EnrollmentOut
    token: str


class AttendanceIn(msgspec.Struct, forbid_unknown_fields=True):
    status: Annotated[str, msgspec.Meta(min_length=1, max_length=40)]
    remarks: Annotated[str, msgspec.Meta(max_length=2000)] = ""
    minutes: Annotated[int, msgspec.Meta(ge=0, le=24 * 60)] | None = None


class AttendanceOut(msgspec.Struct):
    session_id: int
    person_id: int
    name: str
    status: str
    source: str
    minutes: str
    credits: str
    remarks: str
    overridden: bool
    set_by: int | None
    set_at: datetime | None
    intervals: list[list[str]]


class ImportOut(msgspec.Struct):
    import_id: int
    unchanged_file: bool
    people_in_file: int
    matched: int
    unmatched: int
    records_changed: int
    time_zone: str = ""  # the zone the report's times were read in


class UnmatchedOut(msgspec.Struct):
    id: int
    session_id: int
    name: str
    email: str
    minutes: str
    status: str


class RuleOut(msgspec.Struct):
    rule: str
    met: bool
    possible: bool
    explanation: str


class SessionLineOut(msgspec.Struct):
    session_id: int
    title: str
    starts_at: datetime
    held: bool
    required: bool
    counts_toward_completion: bool
    status: str | None
    credits: str


class ProgressOut(msgspec.Struct):
    cohort_id: int
    person_id: int
    name: str
    state: str
    attendance_percent: str | None  # over all sessions, future ones not yet earned
    attendance_so_far: str | None  # over the sessions held so far
    attendance_best_possible: str | None
    credits: str
    credit_eligible: bool
    rules: list[RuleOut]
    to_do: list[str]
    credit_note: str
    sessions: list[SessionLineOut]
    certificate_code: str | None
    rung: str | None


class RosterRowOut(msgspec.Struct):
    person_id: int
    name: str
    email: str
    degree: str
    mentor_id: int | None
    attendance_percent: str | None
    attendance_so_far: str | None
    credits: str
    state: str
    certificate_code: str | None


class ReviewIn(msgspec.Struct, forbid_unknown_fields=True):
    decision: Literal["pass", "return"]
    note: Note = ""


class DeliverableOut(msgspec.Struct):
    id: int
    cohort_id: int
    person_id: int
    filename: str
    content_type: str
    size: int
    status: str
    review_note: str
    uploaded_at: datetime
    reviewed_at: datetime | None


class CertificateOut(msgspec.Struct):
    code: str
    kind: str
    learner_name: str
    program_name: str
    cohort_name: str
    provider: str
    activity_format: str
    location: str
    starts_on: date
    ends_on: date
    credits: str
    issued_on: date
    revoked: bool
    revoked_reason: str


class RevokeIn(msgspec.Struct, forbid_unknown_fields=True):
    reason: Annotated[str, msgspec.Meta(max_length=300)]


class RungIn(msgspec.Struct, forbid_unknown_fields=True):
    rung: Annotated[str, msgspec.Meta(max_length=12)]
    note: Annotated[str, msgspec.Meta(max_length=300)] = ""


class RungOut(msgspec.Struct):
    program_id: int
    person_id: int
    rungs: list[str]
    current: str | None


class TranscriptLineOut(msgspec.Struct):
    cohort_id: int
    program_name: str
    cohort_name: str
    session_id: int
    session_title: str
    date: date
    status: str
    minutes: str
    credits: str


class TranscriptOut(msgspec.Struct):
    person_id: int
    name: str
    degree: str
    credit_eligible: bool
    total_credits: str
    lines: list[TranscriptLineOut]
    certificates: list[CertificateOut]
