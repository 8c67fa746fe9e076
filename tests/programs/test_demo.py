"""The programs demo seed: idempotent, and what it promises is there."""

from __future__ import annotations

from accounts.principal import Role
from grandrounds.server.demo import DEMO_PEOPLE, _ensure_person
from programs.demo import seed_programs
from programs.services.ladder import rungs_of
from programs.services.progress import cohort_progress
from programs.tables import AttendanceRecord, Cohort, Enrollment, FellowRung


async def test_seed_programs_twice_leaves_one_copy() -> None:
    people = {}
    for email, name, degree, zone, roles in DEMO_PEOPLE:
        people[email] = await _ensure_person(email, name, degree, zone, roles)
    assert Role.PROGRAM_STAFF in dict((e, r) for e, *_, r in DEMO_PEOPLE)["staff@example.org"]
    await seed_programs(people)
    counts = (
        await Cohort.count(),
        await Enrollment.count(),
        await AttendanceRecord.count(),
        await FellowRung.count(),
    )
    await seed_programs(people)
    assert (
        await Cohort.count(),
        await Enrollment.count(),
        await AttendanceRecord.count(),
        await FellowRung.count(),
    ) == counts
    assert counts == (2, 4, 9, 1)
    residency = await Cohort.select().where(Cohort.name.like("Residency%")).first()
    progress = {p.email: p for p in await cohort_progress(residency["id"])}
    assert progress["resident@example.org"].credits > 0
    assert progress["colleague@example.org"].credits == 0  # a PA earns participation, not credit
    fellows = await Cohort.select().where(Cohort.name.like("Fellows%")).first()
    assert await rungs_of(fellows["program"], people["member@example.org"]) == {"Bronze"}
