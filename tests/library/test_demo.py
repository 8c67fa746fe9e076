"""The library demo seed: idempotent, every audience present, the recording linked to its webinar."""

from __future__ import annotations

from events.demo import seed_events
from grandrounds.server.demo import DEMO_PEOPLE, _ensure_person
from library.demo import RECORDING_TITLE, seed_library
from library.tables import CohortPrerequisite, LibraryItem
from programs.demo import seed_programs


async def test_seed_library_twice_leaves_one_copy_with_every_audience() -> None:
    people = {}
    for email, name, degree, zone, roles in DEMO_PEOPLE:
        people[email] = await _ensure_person(email, name, degree, zone, roles)
    await seed_events(people)
    await seed_programs(people)
    await seed_library(people)
    counts = (await LibraryItem.count(), await CohortPrerequisite.count())
    await seed_library(people)
    assert (await LibraryItem.count(), await CohortPrerequisite.count()) == counts == (7, 2)
    audiences = {r["audience"] for r in await LibraryItem.select(LibraryItem.audience)}
    assert audiences == {"public", "guest_sample", "members_only"}
    assert await LibraryItem.count().where(LibraryItem.status != "published") == 0
    recording = await LibraryItem.select().where(LibraryItem.title == RECORDING_TITLE).first()
    assert recording is not None and recording["event"] is not None
