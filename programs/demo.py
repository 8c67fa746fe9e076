"""Demo programs: a residency cohort part-way through, and a fellows cohort with a Bronze fellow.

Dates are relative to the day of seeding. Idempotent: programs by slug, cohorts
by name, sessions by title, and nothing already recorded is recorded again.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from accounts.principal import Principal, Role
from accounts.schemas import ProgramCreate, ProgramKind
from accounts.services.programs import assign_staff, create_program
from accounts.tables import Person, Program
from events.schemas import EventCreate
from events.services.scheduling import create_event
from events.tables import Event, Session
from programs.schemas import CohortCreate, PolicyIn
from programs.services import attendance, cohorts, enrollment, ladder, rules
from programs.tables import AttendanceRecord, Cohort, Enrollment

CHICAGO = "America/Chicago"
RESIDENCY_SESSIONS = [
    (-42, "Residency: platforms and audiences", False),
    (-28, "Residency: crisis communication", True),
    (-14, "Residency: measuring reach", False),
    (14, "Residency: writing your strategic plan", True),
    (28, "Residency: clinicians' voices online", False),
]
# Past sessions' marks for each demo learner, in session order.
MARKS = {
    "resident@example.org": ["Present", "Present", "Late"],
    "member@example.org": ["Present", "Absent", "Excused"],
    "colleague@example.org": ["Present", "Present", "Present"],
}


async def _program(slug: str, name: str, kind: ProgramKind, staff_id: int) -> int:
    row = await Program.select(Program.id).where(Program.slug == slug).first()
    program_id = (
        int(row["id"]) if row else (await create_program(ProgramCreate(slug=slug, name=name, kind=kind))).id
    )
    await assign_staff(program_id, staff_id)
    return program_id


async def _cohort(staff: Principal, program_id: int, data: CohortCreate) -> int:
    row = (
        await Cohort.select(Cohort.id)
        .where((Cohort.program == program_id) & (Cohort.name == data.name))
        .first()
    )
    return int(row["id"]) if row else (await cohorts.create_cohort(staff, program_id, data)).id


async def _session(staff: Principal, program_id: int, title: str, day: date) -> int:
    existing = await Session.select(Session.id).where(Session.title == title).first()
    if existing:
        return int(existing["id"])
    start = datetime.combine(day, time(12), ZoneInfo(CHICAGO)).astimezone(UTC)
    event = await create_event(
        staff,
        EventCreate(
            kind="webinar",
            title=title,
            time_zone=CHICAGO,
            starts_at=start,
            ends_at=start + timedelta(hours=1),
            capacity=200,
            program_id=program_id,
            topic="residency",
        ),
    )
    await Event.update({Event.status: "published"}).where(Event.id == event.id)
    await Session.update({Session.cme_quarters: 4, Session.counts_toward_completion: True}).where(
        Session.event == event.id
    )
    row = await Session.select(Session.id).where(Session.event == event.id).first()
    assert row is not None
    return int(row["id"])


async def _enroll(staff: Principal, cohort_id: int, person_id: int) -> None:
    if not await Enrollment.exists().where(
        (Enrollment.cohort == cohort_id) & (Enrollment.person == person_id)
    ):
        await enrollment.enroll(staff, cohort_id, person_id)


async def seed_programs(people: dict[str, int]) -> None:
    staff_id = people["staff@example.org"]
    staff_row = await Person.select(Person.email, Person.name).where(Person.id == staff_id).first()
    assert staff_row is not None
    staff = Principal(
        staff_id, staff_row["email"], staff_row["name"], frozenset({Role.PROGRAM_STAFF}), "cli", 0
    )
    today = date.today()

    residency = await _program("social-media-residency", "Social Media Residency", "residency", staff_id)
    await rules.save_rules(residency, provider="Riverside Center for Social Media in Medicine")
    cohort_id = await _cohort(
        staff,
        residency,
        CohortCreate(
            name=f"Residency {today.year}-{today.year + 1}",
            starts_on=today - timedelta(days=60),
            ends_on=today + timedelta(days=90),
            time_zone=CHICAGO,
            capacity=20,
            open_for_applications=True,
            policy=PolicyIn(
                min_attendance_percent=80,
                max_unexcused_absences=1,
                min_credits=3,
                requires_deliverable=True,
                requires_signoff=True,
            ),
        ),
    )
    session_ids = []
    for offset, title, required in RESIDENCY_SESSIONS:
        session_id = await _session(staff, residency, title, today + timedelta(days=offset))
        await cohorts.add_session(staff, cohort_id, session_id, required)
        session_ids.append(session_id)
    for email, marks in MARKS.items():
        person_id = people[email]
        await _enroll(staff, cohort_id, person_id)
        for session_id, status in zip(session_ids, marks, strict=False):
            if not await AttendanceRecord.exists().where(
                (AttendanceRecord.session == session_id) & (AttendanceRecord.person == person_id)
            ):
                await attendance.set_manual(staff, cohort_id, session_id, person_id, status, "", None)

    fellows = await _program("social-media-fellows", "Social Media Fellows", "fellows", staff_id)
    fellows_cohort = await _cohort(
        staff,
        fellows,
        CohortCreate(
            name=f"Fellows {today.year}",
            starts_on=today - timedelta(days=30),
            ends_on=today + timedelta(days=335),
            time_zone=CHICAGO,
            policy=PolicyIn(min_attendance_percent=0, requires_signoff=True),
        ),
    )
    fellow = people["member@example.org"]
    await _enroll(staff, fellows_cohort, fellow)
    if "Bronze" not in await ladder.rungs_of(fellows, fellow):
        await ladder.grant(staff, fellows, fellow, "Bronze", "Strategic plan reviewed and passed")
