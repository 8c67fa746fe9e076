"""Webinar attendance from Zoom's attendee report, and the queue of people nobody matched.

Matching is against the cohort's active members: email first (case-insensitive),
then the exact name when exactly one member has it. Reconnect rows of one person
are grouped before matching, so they add minutes, not people. The same file
uploaded twice is recognised by its SHA-256 and changes nothing; a different
export of the same data changes nothing either, because evidence is replaced,
not appended, and equal evidence leaves a record untouched.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any
from zoneinfo import ZoneInfo

from accounts.audit import trail as audit
from accounts.principal import Principal
from accounts.services.people import check_time_zone
from accounts.tables import Person
from events.tables import Event
from grandrounds.db import now, unique_violation, write_transaction
from grandrounds.errors import DomainError
from programs import errors
from programs.rules.attendance import minutes_attended
from programs.rules.zoom_report import PersonAttendance, ZoomReportError, group_by_person, parse_zoom_report
from programs.schemas import ImportOut, UnmatchedOut
from programs.services.access import active_member, cohort_for_staff, session_in_cohort
from programs.services.attendance import (
    WEBINAR_IMPORT,
    Interval,
    active_people,
    apply_evidence,
    decode,
    format_minutes,
    session_row,
)
from programs.services.certificates import issue_due
from programs.services.rules import rules_for
from programs.tables import AttendanceRecord, CohortSession, UnmatchedAttendee, WebinarImport

MAX_REPORT_BYTES = 5 * 1024 * 1024


def match_key(person: PersonAttendance) -> str:
    return f"email:{person.email}" if person.email else f"name:{person.name}"


def _intervals(person: PersonAttendance) -> list[Interval]:
    return [(a, b, WEBINAR_IMPORT) for a, b in person.intervals]


async def _roster(cohort_id: int) -> tuple[dict[str, int], dict[str, list[int]]]:
    ids = await active_people(cohort_id)
    rows = await Person.select(Person.id, Person.email, Person.name).where(Person.id.is_in(ids or [-1]))
    by_email = {r["email"].lower(): r["id"] for r in rows}
    by_name: dict[str, list[int]] = {}
    for r in rows:
        by_name.setdefault(r["name"], []).append(r["id"])
    return by_email, by_name


async def import_report(
    principal: Principal, cohort_id: int, session_id: int, data: bytes, filename: str, zone_name: str
) -> ImportOut:
    """Import Zoom's attendee report for one session of the cohort.

    ``zone_name`` is the zone the report was exported in; empty means the
    session's own zone (Zoom writes the host's local times, and the host runs
    the session where it is scheduled). A report whose times, so read, miss
    the session window entirely is refused: storing everyone as absent would
    be a guess, not a record.
    """
    cohort = await cohort_for_staff(principal, cohort_id)
    await session_in_cohort(cohort_id, session_id)
    if not data:
        raise errors.report_empty()
    session = await session_row(session_id)
    zone_name = zone_name.strip() or await session_zone(session)
    try:
        zone = ZoneInfo(check_time_zone(zone_name))
    except DomainError:
        raise errors.time_zone_unknown() from None
    digest = hashlib.sha256(data).hexdigest()
    previous = (
        await WebinarImport.select()
        .where((WebinarImport.session == session_id) & (WebinarImport.sha256 == digest))
        .first()
    )
    if previous is not None:
        return await _unchanged(previous, cohort_id, filename)
    try:
        people = group_by_person(parse_zoom_report(data, zone))
    except ZoomReportError as exc:
        raise errors.report_invalid(exc.reason, exc.line) from None
    _check_overlap(people, session, zone)
    rules = await rules_for(cohort.program_id)
    by_email, by_name = await _roster(cohort_id)

    evidence: dict[int, list[Interval]] = {}
    queue: list[PersonAttendance] = []
    for person in people:
        pid = by_email.get(person.email) if person.email else None
        if pid is None and len(by_name.get(person.name, [])) == 1:
            pid = by_name[person.name][0]
        if pid is not None:
            evidence.setdefault(pid, []).extend(_intervals(person))
        elif not person.is_panelist:
            queue.append(person)
    with unique_violation() as clash:
        async with write_transaction():
            row = (
                await WebinarImport.insert(
                    WebinarImport(
                        cohort=cohort_id,
                        session=session_id,
                        sha256=digest,
                        filename=filename[:255],
                        time_zone=zone_name,
                        people_in_file=len(people),
                        matched=len(evidence),
                        unmatched=len(queue),
                        uploaded_by=principal.person_id,
                    )
                ).returning(WebinarImport.id)
            )[0]
            for person in queue:
                key = match_key(person)
                entry = (
                    await UnmatchedAttendee.select()
                    .where((UnmatchedAttendee.session == session_id) & (UnmatchedAttendee.match_key == key))
                    .first()
                )
                if entry is None:
                    await UnmatchedAttendee.insert(
                        UnmatchedAttendee(
                            webinar_import=row["id"],
                            session=session_id,
                            match_key=key[:300],
                            name=person.name[:200],
                            email=person.email[:254],
                            intervals=json.dumps(_encode(_intervals(person))),
                        )
                    )
                elif entry["status"] == "resolved" and entry["resolved_person"] in set(
                    await active_people(cohort_id)
                ):
                    # Staff said who this is: their minutes keep counting on every re-import.
                    evidence.setdefault(entry["resolved_person"], []).extend(_intervals(person))
            changed = 0
            for pid, intervals in evidence.items():
                if await apply_evidence(session, pid, WEBINAR_IMPORT, intervals, rules, principal.person_id):
                    changed += 1
            await _audit_import(
                session_id,
                cohort_id,
                row["id"],
                filename,
                unchanged=False,
                people_in_file=len(people),
                matched=len(evidence),
                unmatched=len(queue),
                records_changed=changed,
            )
    if clash.error is not None:  # the same file, uploaded twice at the same moment: theirs is the import
        again = (
            await WebinarImport.select()
            .where((WebinarImport.session == session_id) & (WebinarImport.sha256 == digest))
            .first()
        )
        if again is None:
            raise clash.error
        return await _unchanged(again, cohort_id, filename)
    if changed:
        await issue_due(cohort_id, list(evidence))
    stored = await WebinarImport.select().where(WebinarImport.id == row["id"]).first()
    assert stored is not None
    return _out(stored, unchanged=False, changed=changed)


async def _audit_import(
    session_id: int, cohort_id: int, import_id: int, filename: str, unchanged: bool, **counts: int
) -> None:
    """The import's one audit row: which file, and how many people it matched and changed."""
    await audit.record(
        "attendance.import",
        "session",
        session_id,
        details={
            "cohort_id": cohort_id,
            "import_id": import_id,
            "filename": filename[:255],
            "unchanged_file": unchanged,
            **counts,
        },
    )


async def _unchanged(previous: dict[str, Any], cohort_id: int, filename: str) -> ImportOut:
    """The same file again changes nothing, but staff did upload it: the trail says so."""
    async with write_transaction():
        await _audit_import(
            previous["session"],
            cohort_id,
            previous["id"],
            filename,
            unchanged=True,
            people_in_file=previous["people_in_file"],
            matched=previous["matched"],
            unmatched=previous["unmatched"],
            records_changed=0,
        )
    return _out(previous, unchanged=True, changed=0)


async def session_zone(session: dict[str, Any]) -> str:
    event = await Event.select(Event.time_zone).where(Event.id == session["event"]).first()
    return event["time_zone"] if event else "UTC"


def _check_overlap(people: list[PersonAttendance], session: dict[str, Any], zone: ZoneInfo) -> None:
    """Refuse a report in which nobody was there during the session (a wrong zone, a wrong file)."""
    if not people:
        return
    starts_at, ends_at = session["starts_at"], session["ends_at"]
    if any(minutes_attended(list(p.intervals), starts_at, ends_at) > 0 for p in people):
        return
    raise errors.report_outside_session(
        zone.key,
        starts_at.astimezone(zone).strftime("%Y-%m-%d %H:%M"),
        ends_at.astimezone(zone).strftime("%H:%M %Z"),
    )


def _encode(intervals: list[Interval]) -> list[list[str]]:
    return [[a.isoformat(), b.isoformat(), origin] for a, b, origin in intervals]


def _out(row: dict[str, Any], unchanged: bool, changed: int) -> ImportOut:
    return ImportOut(
        import_id=row["id"],
        unchanged_file=unchanged,
        people_in_file=row["people_in_file"],
        matched=row["matched"],
        unmatched=row["unmatched"],
        records_changed=changed,
        time_zone=row["time_zone"],
    )


async def unmatched_queue(
    principal: Principal, cohort_id: int, include_closed: bool = False
) -> list[UnmatchedOut]:
    await cohort_for_staff(principal, cohort_id)
    session_ids = [s["session"] for s in await _cohort_sessions(cohort_id)]
    query = UnmatchedAttendee.select().where(UnmatchedAttendee.session.is_in(session_ids or [-1]))
    if not include_closed:
        query = query.where(UnmatchedAttendee.status == "open")
    out = []
    for row in await query.order_by(UnmatchedAttendee.id):
        entry_intervals = decode(row["intervals"])
        session = await session_row(row["session"])
        seconds = int(
            minutes_attended(
                [(a, b) for a, b, _ in entry_intervals], session["starts_at"], session["ends_at"]
            )
            * 60
        )
        out.append(
            UnmatchedOut(
                id=row["id"],
                session_id=row["session"],
                name=row["name"],
                email=row["email"],
                minutes=format_minutes(seconds),
                status=row["status"],
            )
        )
    return out


async def _cohort_sessions(cohort_id: int) -> list[dict[str, Any]]:
    return await CohortSession.select(CohortSession.session).where(CohortSession.cohort == cohort_id)


async def _open_entry(cohort_id: int, entry_id: int) -> dict[str, Any]:
    entry = await UnmatchedAttendee.select().where(UnmatchedAttendee.id == entry_id).first()
    sessions = {s["session"] for s in await _cohort_sessions(cohort_id)}
    if entry is None or entry["status"] != "open" or entry["session"] not in sessions:
        raise errors.unmatched_not_found()
    return entry


async def resolve(principal: Principal, cohort_id: int, entry_id: int, person_id: int) -> UnmatchedOut:
    """Staff say who an unmatched attendee is; their intervals join that member's import evidence."""
    cohort = await cohort_for_staff(principal, cohort_id)
    entry = await _open_entry(cohort_id, entry_id)
    await active_member(cohort_id, person_id)
    session = await session_row(entry["session"])
    rules = await rules_for(cohort.program_id)
    async with write_transaction():
        record = (
            await AttendanceRecord.select(AttendanceRecord.intervals)
            .where((AttendanceRecord.session == entry["session"]) & (AttendanceRecord.person == person_id))
            .first()
        )
        existing = [i for i in decode(record["intervals"]) if i[2] == WEBINAR_IMPORT] if record else []
        changed = await apply_evidence(
            session,
            person_id,
            WEBINAR_IMPORT,
            existing + decode(entry["intervals"]),
            rules,
            principal.person_id,
        )
        await UnmatchedAttendee.update(
            {
                UnmatchedAttendee.status: "resolved",
                UnmatchedAttendee.resolved_person: person_id,
                UnmatchedAttendee.resolved_by: principal.person_id,
                UnmatchedAttendee.resolved_at: now(),
            }
        ).where(UnmatchedAttendee.id == entry_id)
        await audit.record(
            "attendance.unmatched.resolve",
            "unmatched_attendee",
            entry_id,
            before={"status": entry["status"], "resolved_person": entry["resolved_person"]},
            after={"status": "resolved", "resolved_person": person_id},
            subject_id=person_id,
            details={"cohort_id": cohort_id, "session_id": entry["session"], "record_changed": changed},
        )
    await issue_due(cohort_id, [person_id])
    entries = await unmatched_queue(principal, cohort_id, include_closed=True)
    return next(e for e in entries if e.id == entry_id)


async def dismiss(principal: Principal, cohort_id: int, entry_id: int) -> None:
    """Not one of ours (a guest, a colleague from elsewhere): leave them out, now and on re-imports."""
    await cohort_for_staff(principal, cohort_id)
    entry = await _open_entry(cohort_id, entry_id)
    async with write_transaction():
        await UnmatchedAttendee.update(
            {
                UnmatchedAttendee.status: "dismissed",
                UnmatchedAttendee.resolved_by: principal.person_id,
                UnmatchedAttendee.resolved_at: now(),
            }
        ).where(UnmatchedAttendee.id == entry_id)
        await audit.record(
            "attendance.unmatched.dismiss",
            "unmatched_attendee",
            entry_id,
            before={"status": entry["status"]},
            after={"status": "dismissed"},
            details={"cohort_id": cohort_id, "session_id": entry["session"]},
        )
