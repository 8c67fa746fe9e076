"""Errors of the programs package, each with its stable code."""

from __future__ import annotations

from accounts.errors import person_not_found as person_not_found
from accounts.errors import program_not_found as program_not_found
from events.errors import session_not_found as session_not_found
from grandrounds.errors import Conflict, Forbidden, Gone, InvalidInput, NotFound, Unprocessable


def cohort_not_found() -> NotFound:
    return NotFound("cohort.not_found", "No such cohort.")


def not_your_program() -> Forbidden:
    return Forbidden(
        "cohort.not_your_program", "Only staff of this cohort's program (or an admin) may do that."
    )


def dates_invalid() -> InvalidInput:
    return InvalidInput(
        "cohort.dates_invalid", "A cohort must end on or after the day it starts.", {"field": "ends_on"}
    )


def time_zone_unknown() -> InvalidInput:
    return InvalidInput(
        "cohort.time_zone_unknown",
        "Unknown time zone; use an IANA name such as America/New_York.",
        {"field": "time_zone"},
    )


def currency_invalid() -> InvalidInput:
    return InvalidInput(
        "cohort.currency_invalid",
        "Currency must be a three-letter ISO code such as USD.",
        {"field": "fee_currency"},
    )


def session_not_in_program() -> InvalidInput:
    return InvalidInput(
        "cohort.session_not_in_program",
        "Only sessions of events that belong to this cohort's program can join its curriculum.",
        {"field": "session_id"},
    )


def session_not_in_cohort() -> NotFound:
    return NotFound("cohort.session_not_in_cohort", "That session is not part of this cohort's curriculum.")


def statuses_invalid(reason: str) -> InvalidInput:
    return InvalidInput(
        "program.statuses_invalid",
        f"The attendance statuses are not usable: {reason}.",
        {"field": "statuses"},
    )


def timing_invalid() -> InvalidInput:
    return InvalidInput(
        "program.certificate_timing_invalid",
        "Certificates are issued immediately, at cohort end, or on a date (give the date).",
        {"field": "certificate_timing"},
    )


def policy_invalid(reason: str, field: str) -> InvalidInput:
    return InvalidInput("cohort.policy_invalid", reason, {"field": field})


def enrollment_not_found() -> NotFound:
    return NotFound("enrollment.not_found", "No such enrollment.")


def already_enrolled() -> Conflict:
    return Conflict(
        "enrollment.duplicate",
        "This person already has an application or a place in a cohort of this program.",
    )


def cohort_full() -> Conflict:
    return Conflict("cohort.full", "This cohort has no seats left.")


def not_open_for_applications() -> Conflict:
    return Conflict("cohort.not_open", "This cohort does not take applications.")


def membership_required() -> Forbidden:
    return Forbidden("cohort.membership_required", "This cohort is for members; join first, then apply.")


def enrollment_wrong_state(expected: str) -> Conflict:
    return Conflict("enrollment.wrong_state", f"This enrollment is not {expected}.")


def invitation_invalid() -> NotFound:
    return NotFound("enrollment.invitation_invalid", "This invitation link is unknown, used, or withdrawn.")


def invitation_other_email() -> Forbidden:
    return Forbidden(
        "enrollment.invitation_other_email",
        "This invitation was sent to another email address than your account's.",
    )


def move_other_program() -> InvalidInput:
    return InvalidInput(
        "enrollment.move_other_program", "A person can move only between cohorts of the same program."
    )


def mentor_full(limit: int) -> Conflict:
    return Conflict(
        "mentor.full", f"This mentor already has {limit} residents, the most allowed.", {"limit": limit}
    )


def not_a_mentor() -> InvalidInput:
    return InvalidInput(
        "mentor.not_in_cohort", "Add this person as a mentor of the cohort first.", {"field": "mentor_id"}
    )


def status_unknown(status: str) -> InvalidInput:
    return InvalidInput(
        "attendance.status_unknown",
        f"{status!r} is not an attendance status of this program.",
        {"field": "status"},
    )


def not_enrolled() -> NotFound:
    return NotFound("enrollment.not_enrolled", "This person is not enrolled in the cohort.")


def report_invalid(message: str, line: int | None) -> Unprocessable:
    return Unprocessable("import.report_invalid", message, {"line": line})


def report_outside_session(zone: str, starts_at: str, ends_at: str) -> Unprocessable:
    return Unprocessable(
        "import.outside_session",
        f"Nobody's times in the report fall within the session ({starts_at} to {ends_at}) when read "
        f"in {zone}; check the time zone the report was exported in.",
        {"field": "time_zone", "time_zone": zone},
    )


def report_empty() -> InvalidInput:
    return InvalidInput(
        "import.file_missing", "Choose the attendee report CSV file to upload.", {"field": "file"}
    )


def unmatched_not_found() -> NotFound:
    return NotFound("import.unmatched_not_found", "No such open entry in the unmatched queue.")


def deliverable_type() -> InvalidInput:
    return InvalidInput("deliverable.type", "Upload a PDF or a Word (.docx) document.", {"field": "file"})


def deliverable_size(limit_mb: int) -> InvalidInput:
    return InvalidInput(
        "deliverable.too_large", f"The file must be at most {limit_mb} MB.", {"field": "file"}
    )


def deliverable_not_found() -> NotFound:
    return NotFound("deliverable.not_found", "No such deliverable.")


def deliverable_file_missing() -> Gone:
    return Gone(
        "deliverable.file_missing",
        "This deliverable's file is no longer in the file store; the learner can upload it again.",
    )


def deliverable_not_required() -> Conflict:
    return Conflict("deliverable.not_required", "This cohort asks for no deliverable.")


def review_decision_invalid() -> InvalidInput:
    return InvalidInput(
        "deliverable.decision_invalid", "Decide pass or return; a return needs a note.", {"field": "decision"}
    )


def certificate_not_found() -> NotFound:
    return NotFound("certificate.not_found", "No certificate has this verification code.")


def certificate_already_revoked() -> Conflict:
    return Conflict("certificate.revoked", "This certificate is already revoked.")


def reason_required() -> InvalidInput:
    return InvalidInput(
        "certificate.reason_required", "Say why the certificate is revoked.", {"field": "reason"}
    )


def rung_unknown() -> InvalidInput:
    return InvalidInput(
        "ladder.rung_unknown", "Rungs are Bronze, Silver, Gold and Platinum.", {"field": "rung"}
    )


def rung_out_of_order(rung: str, missing: str) -> Conflict:
    return Conflict(
        "ladder.out_of_order",
        f"{rung} cannot be granted before {missing}.",
        {"rung": rung, "missing": missing},
    )


def rung_already_granted(rung: str) -> Conflict:
    return Conflict("ladder.already_granted", f"{rung} is already granted.", {"rung": rung})


def not_fellows_program() -> InvalidInput:
    return InvalidInput("ladder.not_fellows", "The fellows ladder belongs to fellows programs only.")


def upload_file_missing(field: str) -> InvalidInput:
    return InvalidInput("upload.file_missing", "Choose a file to upload.", {"field": field})
