"""Where each learner stands against the cohort's completion policy, computed on demand and said in words.

Nothing here is stored: progress is derived from the curriculum, attendance
records, deliverables and sign-off every time, so it can never disagree with them.
A rule is *met* when no future session can undo it (attendance counts sessions
still to come as not yet earned), and *possible* while it can still be met.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from fractions import Fraction
from typing import Any

from accounts.tables import Person
from grandrounds.db import now
from programs.enrollment_status import EnrollmentStatus
from programs.rules.attendance import AttendancePercentage, attendance_percentage
from programs.services.cohort_facts import find_cohort
from programs.services.cohorts import curriculum, policy_row, quarters_to_credits
from programs.services.credits import DEFAULT_CREDIT_DEGREES, ZERO, credit_eligible, credit_note, credits_for
from programs.services.rules import ProgramRules, rules_for
from programs.tables import AttendanceRecord, Certificate, Deliverable, Enrollment

COMPLETE = "complete"
IN_PROGRESS = "in_progress"
CANNOT_COMPLETE = "cannot_complete"


@dataclass(frozen=True)
class RuleCheck:
    rule: str
    met: bool
    possible: bool
    explanation: str


@dataclass(frozen=True)
class SessionLine:
    session_id: int
    title: str
    starts_at: datetime
    ends_at: datetime
    held: bool
    required: bool
    counts: bool
    status: str | None  # None: not held yet and nothing recorded
    seconds: int
    credits: Decimal
    designated: Decimal
    source: str = ""


@dataclass
class Progress:
    cohort_id: int
    person_id: int
    name: str
    email: str
    degree: str
    mentor_id: int | None
    enrollment_id: int
    attendance: AttendancePercentage
    credits: Decimal
    sessions: list[SessionLine]
    rules: list[RuleCheck] = field(default_factory=list)
    certificate_code: str | None = None
    certificate_revoked: bool = False
    deliverable_status: str | None = None
    credit_degrees: tuple[str, ...] = DEFAULT_CREDIT_DEGREES

    @property
    def credit_eligible(self) -> bool:
        return credit_eligible(self.degree, self.credit_degrees)

    @property
    def credit_note(self) -> str:
        return credit_note(self.degree, self.credit_degrees)

    @property
    def state(self) -> str:
        if all(r.met for r in self.rules):
            return COMPLETE
        if not all(r.possible for r in self.rules):
            return CANNOT_COMPLETE
        return IN_PROGRESS

    @property
    def to_do(self) -> list[str]:
        return [r.explanation for r in self.rules if not r.met]


def percent_text(value: Fraction | None) -> str:
    """37.5 -> "37.5%", 50 -> "50%"; no attendance yet -> "-"."""
    if value is None:
        return "-"
    rounded = round(value, 1)
    return f"{int(rounded)}%" if rounded == int(rounded) else f"{float(rounded):.1f}%"


def _titles(lines: list[SessionLine]) -> str:
    return ", ".join(line.title for line in lines)


def _judge(
    lines: list[SessionLine],
    attendance: AttendancePercentage,
    credits: Decimal,
    eligible: bool,
    policy: dict[str, Any],
    rules: ProgramRules,
    deliverable: dict[str, Any] | None,
    signed_off: bool,
) -> list[RuleCheck]:
    checks: list[RuleCheck] = []
    minimum = Fraction(policy["min_attendance_percent"])
    if minimum > 0:
        over_all, best = attendance.over_all, attendance.best_possible
        met = over_all is not None and over_all >= minimum
        possible = best is None or best >= minimum
        if over_all is None:
            text = f"Attendance: no sessions counted yet; {percent_text(minimum)} needed"
        else:
            text = f"Attendance {percent_text(over_all)} of {percent_text(minimum)} needed"
            if attendance.future_sessions:
                text += f" (best still possible {percent_text(best)})"
        checks.append(RuleCheck("attendance", met, possible, text))

    required = [line for line in lines if line.required]
    if required:
        attended = [line for line in required if line.status is not None and rules.attended(line.status)]
        missed = [
            line for line in required if line.held and not (line.status and rules.attended(line.status))
        ]
        to_come = [line for line in required if not line.held and line not in attended]
        text = f"{len(attended)} of {len(required)} required sessions attended"
        if missed:
            text += f"; missing: {_titles(missed)}"
        if to_come:
            text += f"; still to come: {_titles(to_come)}"
        checks.append(RuleCheck("required_sessions", len(attended) == len(required), not missed, text))

    limit = policy["max_unexcused_absences"]
    if limit is not None:
        absences = sum(
            1 for line in lines if line.held and line.counts and line.status == rules.absent_status
        )
        word = "absence" if absences == 1 else "absences"
        text = f"{absences} unexcused {word}; at most {limit} allowed"
        checks.append(RuleCheck("unexcused_absences", absences <= limit, absences <= limit, text))

    min_quarters = policy["min_credit_quarters"]
    if min_quarters > 0 and eligible:
        needed = quarters_to_credits(min_quarters)
        still_offered = sum((line.designated for line in lines if not line.held), ZERO)
        text = f"{credits} of {needed} CME credits earned"
        checks.append(RuleCheck("credits", credits >= needed, credits + still_offered >= needed, text))

    if policy["requires_deliverable"]:
        title = rules.deliverable_title
        status = deliverable["status"] if deliverable else None
        if status == "passed":
            text = f"{title}: passed"
        elif status == "submitted":
            text = f"{title}: submitted, awaiting review"
        elif status == "returned":
            note = (deliverable or {}).get("review_note", "").strip()
            text = (
                f"{title}: returned for changes" + (f" ({note})" if note else "") + "; upload a new version"
            )
        else:
            text = f"{title}: not submitted yet"
        checks.append(RuleCheck("deliverable", status == "passed", True, text))

    if policy["requires_signoff"]:
        text = "Staff sign-off: given" if signed_off else "Staff sign-off: not yet given"
        checks.append(RuleCheck("signoff", signed_off, True, text))
    return checks


async def cohort_progress(
    cohort_id: int, person_ids: list[int] | None = None, at: datetime | None = None
) -> list[Progress]:
    """Progress of the cohort's active members (or just ``person_ids`` among them), ordered by name."""
    moment = at or now()
    cohort = await find_cohort(cohort_id)
    if cohort is None:
        return []
    rules = await rules_for(cohort.program_id)
    policy = await policy_row(cohort_id)
    query = Enrollment.select().where(
        (Enrollment.cohort == cohort_id) & (Enrollment.status == EnrollmentStatus.ACTIVE)
    )
    if person_ids is not None:
        query = query.where(Enrollment.person.is_in(person_ids or [-1]))
    enrollments = {e["person"]: e for e in await query if e["person"] is not None}
    if not enrollments:
        return []
    people = await Person.select(Person.id, Person.name, Person.email, Person.degree).where(
        Person.id.is_in(list(enrollments))
    )
    sessions = await curriculum(cohort_id)
    records: dict[tuple[int, int], dict[str, Any]] = {}
    if sessions:
        for r in await AttendanceRecord.select().where(
            AttendanceRecord.session.is_in([s["id"] for s in sessions])
            & AttendanceRecord.person.is_in(list(enrollments))
        ):
            records[(r["session"], r["person"])] = r
    deliverables: dict[int, dict[str, Any]] = {}
    for d in (
        await Deliverable.select()
        .where((Deliverable.cohort == cohort_id) & Deliverable.person.is_in(list(enrollments)))
        .order_by(Deliverable.id)
    ):
        deliverables[d["person"]] = d  # the newest wins
    certificates = {
        c["person"]: c
        for c in await Certificate.select(Certificate.person, Certificate.code, Certificate.revoked_at).where(
            Certificate.cohort == cohort_id
        )
    }
    result: list[Progress] = []
    for person in people:
        pid = person["id"]
        lines: list[SessionLine] = []
        for s in sessions:
            held = s["ends_at"] <= moment
            record = records.get((s["id"], pid))
            status = record["status"] if record else (rules.absent_status if held else None)
            seconds = record["seconds_attended"] if record else 0
            attended = status is not None and rules.attended(status)
            lines.append(
                SessionLine(
                    session_id=s["id"],
                    title=s["title"],
                    starts_at=s["starts_at"],
                    ends_at=s["ends_at"],
                    held=held,
                    required=s["required"],
                    counts=s["counts_toward_completion"],
                    status=status,
                    seconds=seconds,
                    credits=credits_for(
                        person["degree"], attended, seconds, s["cme_quarters"], rules.credit_degrees
                    ),
                    designated=quarters_to_credits(s["cme_quarters"]),
                    source=record["source"] if record else "",
                )
            )
        counted = [line for line in lines if line.counts]
        held_statuses = [line.status for line in counted if line.held and line.status is not None]
        # A session recorded before it ends (an early check-in) counts as held for attendance.
        early = [line.status for line in counted if not line.held and line.status is not None]
        attendance = attendance_percentage(
            held_statuses + early,
            future_sessions=sum(1 for line in counted if not line.held and line.status is None),
            excused_policy=policy["excused_policy"],
            scheme=rules.scheme,
        )
        credits = sum((line.credits for line in lines), ZERO)
        enrollment = enrollments[pid]
        deliverable = deliverables.get(pid)
        progress = Progress(
            cohort_id=cohort_id,
            person_id=pid,
            name=person["name"],
            email=person["email"],
            degree=person["degree"],
            mentor_id=enrollment["mentor"],
            enrollment_id=enrollment["id"],
            attendance=attendance,
            credits=credits,
            sessions=lines,
            certificate_code=certificates[pid]["code"] if pid in certificates else None,
            certificate_revoked=bool(pid in certificates and certificates[pid]["revoked_at"]),
            deliverable_status=deliverable["status"] if deliverable else None,
            credit_degrees=rules.credit_degrees,
        )
        progress.rules = _judge(
            lines,
            attendance,
            credits,
            credit_eligible(person["degree"], rules.credit_degrees),
            policy,
            rules,
            deliverable,
            enrollment["signed_off_at"] is not None,
        )
        result.append(progress)
    return sorted(result, key=lambda p: (p.name.lower(), p.person_id))


async def person_progress(cohort_id: int, person_id: int, at: datetime | None = None) -> Progress | None:
    found = await cohort_progress(cohort_id, [person_id], at)
    return found[0] if found else None
