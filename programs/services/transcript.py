"""A person's CME transcript: every curriculum session they attended, with the credit it earned."""

from __future__ import annotations

from decimal import Decimal

from accounts.principal import Principal
from accounts.services.programs import runs_program
from accounts.tables import Person
from programs import errors
from programs.enrollment_status import ON_TRANSCRIPT
from programs.schemas import TranscriptLineOut, TranscriptOut
from programs.services import certificates
from programs.services.attendance import format_minutes
from programs.services.cohorts import curriculum
from programs.services.credits import DEFAULT_CREDIT_DEGREES, ZERO, credit_eligible, credits_for
from programs.services.rules import rules_for
from programs.tables import AttendanceRecord, Enrollment


async def may_see_person(principal: Principal, person_id: int) -> bool:
    """The person themselves, admins, and staff of a program the person is or was enrolled in."""
    if principal.person_id == person_id or principal.is_admin:
        return True
    programs = {
        r["program"]
        for r in await Enrollment.select(Enrollment.program).where(Enrollment.person == person_id)
    }
    for program_id in programs:
        if await runs_program(principal, program_id):
            return True
    return False


async def transcript(principal: Principal, person_id: int) -> TranscriptOut:
    if not await may_see_person(principal, person_id):
        raise errors.person_not_found()
    person = await Person.select(Person.name, Person.degree).where(Person.id == person_id).first()
    if person is None:
        raise errors.person_not_found()
    enrollments = await Enrollment.select(
        Enrollment.cohort,
        Enrollment.program,
        Enrollment.cohort.name.as_alias("cohort_name"),
        Enrollment.program.name.as_alias("program_name"),
    ).where((Enrollment.person == person_id) & Enrollment.status.is_in(list(ON_TRANSCRIPT)))
    lines: list[TranscriptLineOut] = []
    seen: set[int] = set()
    total = ZERO
    eligible = not enrollments and credit_eligible(person["degree"], DEFAULT_CREDIT_DEGREES)
    for e in enrollments:
        rules = await rules_for(e["program"])
        eligible = eligible or credit_eligible(person["degree"], rules.credit_degrees)
        sessions = {s["id"]: s for s in await curriculum(e["cohort"]) if s["id"] not in seen}
        if not sessions:
            continue
        records = await AttendanceRecord.select().where(
            AttendanceRecord.session.is_in(list(sessions)) & (AttendanceRecord.person == person_id)
        )
        for r in records:
            if not rules.attended(r["status"]):
                continue
            s = sessions[r["session"]]
            seen.add(s["id"])
            credit = credits_for(
                person["degree"], True, r["seconds_attended"], s["cme_quarters"], rules.credit_degrees
            )
            total += credit
            lines.append(
                TranscriptLineOut(
                    cohort_id=e["cohort"],
                    program_name=e["program_name"],
                    cohort_name=e["cohort_name"],
                    session_id=s["id"],
                    session_title=s["title"],
                    date=s["starts_at"].date(),
                    status=r["status"],
                    minutes=format_minutes(r["seconds_attended"]),
                    credits=str(credit),
                )
            )
    lines.sort(key=lambda line: (line.date, line.session_title))
    return TranscriptOut(
        person_id=person_id,
        name=person["name"],
        degree=person["degree"],
        credit_eligible=eligible,
        total_credits=str(total if total else Decimal("0.00")),
        lines=lines,
        certificates=await certificates.of_person(person_id),
    )
