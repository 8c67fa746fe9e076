"""Attendance records: from check-ins and webinar imports by the time rules, or set by staff.

A record keeps its evidence (the raw join/leave intervals and where they came
from). Automatic sources recompute status and minutes from all evidence; a
staff decision marks the record overridden, and recomputation then refreshes
the evidence but never the decision. Every change is appended to the audit.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from fractions import Fraction
from typing import Any

from accounts.audit import trail as audit
from accounts.principal import Principal
from accounts.tables import Person
from events.tables import CheckIn, Event, Session
from grandrounds.db import now, write_transaction
from programs import errors
from programs.enrollment_status import EnrollmentStatus
from programs.rules.attendance import minutes_attended, status_from_join
from programs.schemas import AttendanceOut
from programs.services.access import active_member, cohort_for_staff, session_in_cohort
from programs.services.certificates import issue_due
from programs.services.cohort_facts import load_cohort
from programs.services.cohorts import curriculum
from programs.services.credits import DEFAULT_CREDIT_DEGREES, credits_for
from programs.services.rules import ProgramRules, rules_for
from programs.tables import AttendanceChange, AttendanceRecord, Enrollment

CHECK_IN = "check_in"
WEBINAR_IMPORT = "webinar_import"
MANUAL = "manual"

Interval = tuple[datetime, datetime, str]

# What a staff mark decides, as the audit trail shows it before and after.
MARK_FIELDS = ("status", "source", "seconds_attended", "remarks", "overridden")


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()


def encode(intervals: Iterable[Interval]) -> list[tuple[str, str, str]]:
    """Intervals as stored: UTC ISO strings, sorted, no duplicates, so equal evidence compares equal."""
    return sorted({(_iso(a), _iso(b), origin) for a, b, origin in intervals})


def decode(raw: Any) -> list[Interval]:
    items = json.loads(raw) if isinstance(raw, str) else (raw or [])
    return [(datetime.fromisoformat(a), datetime.fromisoformat(b), origin) for a, b, origin in items]


def format_minutes(seconds: int) -> str:
    """Minutes for people: whole minutes, with a decimal only when seconds make a difference."""
    value = round(Fraction(seconds, 60), 1)
    return str(int(value)) if value == int(value) else f"{float(value):.1f}"


def evaluate(
    intervals: list[Interval], start: datetime, end: datetime, rules: ProgramRules
) -> tuple[str, int]:
    """Status by the time rule from the first join, and whole seconds inside the session window."""
    # The first moment inside the window: testing the link before the start and leaving does not count.
    inside = [max(a, start) for a, b, _ in intervals if b > start]
    if not inside:
        return rules.absent_status, 0
    status = status_from_join(min(inside), start, end, rules.present_within, rules.late_within)
    minutes = minutes_attended([(a, b) for a, b, _ in intervals], start, end)
    return rules.time_status(status), int(minutes * 60)


def _source_of(intervals: list[Interval], fallback: str) -> str:
    """Where the status came from: the first join's origin (no evidence left: the origin that removed it)."""
    return min(intervals)[2] if intervals else fallback


async def _audit(record_id: int, before: str, after: str, source: str, by: int | None, remarks: str) -> None:
    await AttendanceChange.insert(
        AttendanceChange(
            record=record_id,
            from_status=before,
            to_status=after,
            source=source,
            by_person=by,
            remarks=remarks,
        )
    )


async def apply_evidence(
    session: dict[str, Any],
    person_id: int,
    origin: str,
    intervals: list[Interval],
    rules: ProgramRules,
    by: int | None,
) -> bool:
    """Replace one origin's evidence for (session, person) and recompute; True if anything changed.

    Call inside a write transaction.
    """
    record = (
        await AttendanceRecord.select()
        .where((AttendanceRecord.session == session["id"]) & (AttendanceRecord.person == person_id))
        .first()
    )
    kept = [i for i in decode(record["intervals"]) if i[2] != origin] if record else []
    evidence = kept + [(a, b, origin) for a, b, _ in intervals]
    stored = encode(evidence)
    if record is None:
        if not evidence:
            return False
        status, seconds = evaluate(evidence, session["starts_at"], session["ends_at"], rules)
        source = _source_of(evidence, origin)
        row = (
            await AttendanceRecord.insert(
                AttendanceRecord(
                    session=session["id"],
                    person=person_id,
                    status=status,
                    source=source,
                    seconds_attended=seconds,
                    intervals=json.dumps(stored),
                    set_by=by,
                    set_at=now(),
                )
            ).returning(AttendanceRecord.id)
        )[0]
        await _audit(row["id"], "", status, source, by, "")
        return True
    if record["overridden"]:
        if encode(decode(record["intervals"])) == stored:
            return False
        await AttendanceRecord.update({AttendanceRecord.intervals: json.dumps(stored)}).where(
            AttendanceRecord.id == record["id"]
        )
        return True
    status, seconds = evaluate(evidence, session["starts_at"], session["ends_at"], rules)
    source = _source_of(evidence, origin)
    unchanged = (
        status == record["status"]
        and seconds == record["seconds_attended"]
        and source == record["source"]
        and encode(decode(record["intervals"])) == stored
    )
    if unchanged:
        return False
    await AttendanceRecord.update(
        {
            AttendanceRecord.status: status,
            AttendanceRecord.source: source,
            AttendanceRecord.seconds_attended: seconds,
            AttendanceRecord.intervals: json.dumps(stored),
            AttendanceRecord.set_by: by,
            AttendanceRecord.set_at: now(),
        }
    ).where(AttendanceRecord.id == record["id"])
    if status != record["status"]:
        await _audit(record["id"], record["status"], status, source, by, "")
    return True


async def session_row(session_id: int) -> dict[str, Any]:
    row = await Session.select().where(Session.id == session_id).first()
    if row is None:
        raise errors.session_not_found()
    return row


async def set_manual(
    principal: Principal,
    cohort_id: int,
    session_id: int,
    person_id: int,
    status: str,
    remarks: str,
    minutes: int | None,
) -> AttendanceOut:
    """Staff decide a status. Minutes: as given, else from the evidence, else all of it if attended."""
    cohort = await cohort_for_staff(principal, cohort_id)
    await session_in_cohort(cohort_id, session_id)
    await active_member(cohort_id, person_id)
    rules = await rules_for(cohort.program_id)
    if status not in rules.scheme.points:
        raise errors.status_unknown(status)
    session = await session_row(session_id)
    length = int((session["ends_at"] - session["starts_at"]).total_seconds())
    async with write_transaction():
        record = (
            await AttendanceRecord.select()
            .where((AttendanceRecord.session == session_id) & (AttendanceRecord.person == person_id))
            .first()
        )
        evidence = decode(record["intervals"]) if record else []
        if not rules.attended(status):
            seconds = 0
        elif minutes is not None:
            seconds = min(minutes * 60, length)
        elif evidence:
            seconds = evaluate(evidence, session["starts_at"], session["ends_at"], rules)[1]
        else:
            seconds = length
        values: dict[str, Any] = {
            "status": status,
            "source": MANUAL,
            "seconds_attended": seconds,
            "remarks": remarks.strip(),
            "overridden": True,
            "set_by": principal.person_id,
            "set_at": now(),
        }
        if record is None:
            row = (
                await AttendanceRecord.insert(
                    AttendanceRecord(session=session_id, person=person_id, intervals="[]", **values)
                ).returning(AttendanceRecord.id)
            )[0]
            record_id, before = row["id"], ""
        else:
            record_id, before = record["id"], record["status"]
            await AttendanceRecord.update({getattr(AttendanceRecord, k): v for k, v in values.items()}).where(
                AttendanceRecord.id == record_id
            )
        await _audit(record_id, before, status, MANUAL, principal.person_id, remarks.strip())
        await audit.record(
            "attendance.mark",
            "session",
            session_id,
            before={k: record[k] for k in MARK_FIELDS} if record else None,
            after={k: values[k] for k in MARK_FIELDS},
            subject_id=person_id,
            details={"cohort_id": cohort_id},
        )
    await issue_due(cohort_id, [person_id])
    return await record_out(session_id, person_id, rules)


async def _rules_of_session(session: dict[str, Any]) -> ProgramRules | None:
    event = await Event.select(Event.program).where(Event.id == session["event"]).first()
    return await rules_for(event["program"]) if event and event["program"] else None


async def record_out(session_id: int, person_id: int, rules: ProgramRules | None = None) -> AttendanceOut:
    session = await session_row(session_id)
    cohort_rules = rules or await _rules_of_session(session)
    person = await Person.select(Person.name, Person.degree).where(Person.id == person_id).first()
    record = (
        await AttendanceRecord.select()
        .where((AttendanceRecord.session == session_id) & (AttendanceRecord.person == person_id))
        .first()
    )
    seconds = record["seconds_attended"] if record else 0
    status = record["status"] if record else None
    return AttendanceOut(
        session_id=session_id,
        person_id=person_id,
        name=person["name"] if person else "",
        # Nobody recorded counts as the program's absent status: the page and the API say so alike.
        status=status or (cohort_rules.absent_status if cohort_rules else ""),
        source=record["source"] if record else "",
        minutes=format_minutes(seconds),
        credits=str(
            credits_for(
                person["degree"] if person else "",
                bool(status and cohort_rules and cohort_rules.attended(status)),
                seconds,
                session["cme_quarters"],
                cohort_rules.credit_degrees if cohort_rules else DEFAULT_CREDIT_DEGREES,
            )
        ),
        remarks=record["remarks"] if record else "",
        overridden=bool(record and record["overridden"]),
        set_by=record["set_by"] if record else None,
        set_at=record["set_at"] if record else None,
        intervals=[list(i) for i in encode(decode(record["intervals"]))] if record else [],
    )


async def active_people(cohort_id: int) -> list[int]:
    rows = await Enrollment.select(Enrollment.person).where(
        (Enrollment.cohort == cohort_id) & (Enrollment.status == EnrollmentStatus.ACTIVE)
    )
    return [r["person"] for r in rows if r["person"] is not None]


CheckInEvidence = tuple[dict[int, dict[str, Any]], ProgramRules, dict[tuple[int, int], datetime | None]]


async def _check_in_evidence(cohort_id: int, session_ids: list[int] | None) -> CheckInEvidence | None:
    """(sessions, rules, first check-in per (session, person)) to apply; None when nobody or nothing to sync.

    A check-in that has since been undone shows as None: the record built on it loses that evidence.
    """
    people = await active_people(cohort_id)
    if not people:
        return None
    rules = await rules_for((await load_cohort(cohort_id)).program_id)
    sessions = {
        s["id"]: s for s in await curriculum(cohort_id) if session_ids is None or s["id"] in session_ids
    }
    if not sessions:
        return None
    check_ins = await CheckIn.select(CheckIn.session, CheckIn.person, CheckIn.at).where(
        CheckIn.session.is_in(list(sessions)) & CheckIn.person.is_in(people)
    )
    first: dict[tuple[int, int], datetime | None] = {}
    for c in check_ins:
        key = (c["session"], c["person"])
        earlier = first.get(key)
        first[key] = c["at"] if earlier is None else min(earlier, c["at"])
    # Records built on a check-in that has since been undone lose that evidence.
    for r in await AttendanceRecord.select(
        AttendanceRecord.session, AttendanceRecord.person, AttendanceRecord.intervals
    ).where(AttendanceRecord.session.is_in(list(sessions)) & AttendanceRecord.person.is_in(people)):
        if (r["session"], r["person"]) not in first and any(i[2] == CHECK_IN for i in decode(r["intervals"])):
            first[(r["session"], r["person"])] = None
    return sessions, rules, first


async def _apply_check_ins(found: CheckInEvidence) -> int:
    """Apply gathered check-ins as evidence; the records changed. Call inside a write transaction."""
    sessions, rules, first = found
    changed = 0
    for (session_id, person_id), at in first.items():
        session = sessions[session_id]
        evidence = [] if at is None else [(at, max(at, session["ends_at"]), CHECK_IN)]
        if await apply_evidence(session, person_id, CHECK_IN, evidence, rules, None):
            changed += 1
    return changed


async def sync_check_ins(cohort_id: int, session_ids: list[int] | None = None) -> int:
    """Turn check-ins of the cohort's members into attendance by the time rule; returns records changed.

    A check-in is a join with no recorded leave, so it counts as present from then until the end.
    Pages and the certificate sweep call this to stay current; it writes no audit row (staff asking
    for a sync call :func:`sync_session`).
    """
    found = await _check_in_evidence(cohort_id, session_ids)
    if found is None:
        return 0
    async with write_transaction():
        changed = await _apply_check_ins(found)
    if changed:
        await issue_due(cohort_id)
    return changed


async def sync_session(principal: Principal, cohort_id: int, session_id: int) -> int:
    """Staff pull one session's check-ins into attendance: one audit row with the count, even of none."""
    await cohort_for_staff(principal, cohort_id)
    await session_in_cohort(cohort_id, session_id)
    found = await _check_in_evidence(cohort_id, [session_id])
    async with write_transaction():
        changed = await _apply_check_ins(found) if found is not None else 0
        await audit.record(
            "attendance.sync",
            "session",
            session_id,
            details={"cohort_id": cohort_id, "records_changed": changed},
        )
    if changed:
        await issue_due(cohort_id)
    return changed


async def sheet(principal: Principal, cohort_id: int, session_id: int) -> list[AttendanceOut]:
    """Every active member's record for one session (Absent by default), check-ins pulled in first."""
    await cohort_for_staff(principal, cohort_id)
    await session_in_cohort(cohort_id, session_id)
    cohort = await load_cohort(cohort_id)
    await sync_check_ins(cohort_id, [session_id])
    rules = await rules_for(cohort.program_id)
    rows = [await record_out(session_id, p, rules) for p in await active_people(cohort_id)]
    return sorted(rows, key=lambda r: r.name.lower())


def session_length(session: dict[str, Any]) -> timedelta:
    length: timedelta = session["ends_at"] - session["starts_at"]
    return length
