"""Building cohorts for tests: a program with staff, curriculum sessions in the past or future, residents."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from accounts.principal import Role
from events.tables import CheckIn, Event, Registration, Session
from tests.builders.people import Actor, make_actor, make_program, make_staff


async def make_session(
    program_id: int,
    title: str,
    start: datetime,
    minutes: int = 60,
    cme_quarters: int = 4,
    counts: bool = True,
    kind: str = "webinar",
) -> int:
    """An event of the program with one session, as scheduling makes them (inserted directly for speed)."""
    end = start + timedelta(minutes=minutes)
    event = (
        await Event.insert(
            Event(
                kind=kind,
                title=title,
                time_zone="America/New_York",
                starts_at=start,
                ends_at=end,
                capacity=100,
                status="published",
                program=program_id,
            )
        ).returning(Event.id)
    )[0]
    session = (
        await Session.insert(
            Session(
                event=event["id"],
                title=title,
                starts_at=start,
                ends_at=end,
                cme_quarters=cme_quarters,
                counts_toward_completion=counts,
                checkin_secret=secrets.token_hex(8),
            )
        ).returning(Session.id)
    )[0]
    return int(session["id"])


async def check_in(session_id: int, person_id: int, at: datetime) -> None:
    """A check-in row as events' check-in writes it (with the registration it needs)."""
    session = await Session.select(Session.event).where(Session.id == session_id).first()
    assert session is not None
    person_reg = (
        await Registration.select(Registration.id)
        .where((Registration.event == session["event"]) & (Registration.person == person_id))
        .first()
    )
    if person_reg is None:
        person_reg = (
            await Registration.insert(
                Registration(
                    event=session["event"], person=person_id, email_key=f"p{person_id}@x", status="confirmed"
                )
            ).returning(Registration.id)
        )[0]
    await CheckIn.insert(
        CheckIn(session=session_id, registration=person_reg["id"], person=person_id, method="search", at=at)
    )


@dataclass
class World:
    client: Any
    staff: Actor
    program_id: int
    cohort_id: int
    sessions: list[int] = field(default_factory=list)
    residents: list[Actor] = field(default_factory=list)

    async def api(self, method: str, path: str, actor: Actor | None = None, **kwargs: Any) -> Any:
        who = actor or self.staff
        return await self.client.request(method, path, headers=who.headers, **kwargs)

    async def mark(self, session_id: int, person: Actor, status: str, **extra: Any) -> Any:
        response = await self.api(
            "PUT",
            f"/api/v1/cohorts/{self.cohort_id}/sessions/{session_id}/attendance/{person.id}",
            json={"status": status, **extra},
        )
        assert response.status_code == 200, response.text
        return response.json()

    async def progress(self, person: Actor, as_actor: Actor | None = None) -> Any:
        response = await self.api(
            "GET", f"/api/v1/cohorts/{self.cohort_id}/progress/{person.id}", as_actor or person
        )
        assert response.status_code == 200, response.text
        return response.json()

    async def add_resident(
        self, degree: str = "MD", email: str | None = None, name: str | None = None
    ) -> Actor:
        person = await make_actor(Role.MEMBER, degree=degree, email=email)
        if name:
            from accounts.tables import Person

            await Person.update({Person.name: name}).where(Person.id == person.id)
        enrolled = await self.api(
            "POST", f"/api/v1/cohorts/{self.cohort_id}/enrollments", json={"person_id": person.id}
        )
        assert enrolled.status_code == 201, enrolled.text
        self.residents.append(person)
        return person


def hours_ago(hours: float) -> datetime:
    return (datetime.now(UTC) - timedelta(hours=hours)).replace(microsecond=0)


async def make_world(
    client: Any,
    sessions: list[tuple[str, datetime, bool]] | None = None,
    policy: dict[str, Any] | None = None,
    residents: int = 1,
    kind: str = "residency",
    cme_quarters: int = 4,
    **cohort: Any,
) -> World:
    """A program run by a new staff person, one cohort, its curriculum and ``residents`` MD residents.

    ``sessions``: (title, start, required); default three past sessions.
    """
    program_id = await make_program(kind)
    staff = await make_staff(program_id)
    today = date.today()
    body = {
        "name": "Residency 2027",
        "starts_on": (today - timedelta(days=30)).isoformat(),
        "ends_on": (today + timedelta(days=60)).isoformat(),
        "time_zone": "America/New_York",
        "policy": policy or {"min_attendance_percent": 80},
        **cohort,
    }
    created = await client.post(f"/api/v1/programs/{program_id}/cohorts", json=body, headers=staff.headers)
    assert created.status_code == 201, created.text
    world = World(client, staff, program_id, created.json()["id"])
    specs = (
        sessions
        if sessions is not None
        else [
            ("Platforms and audiences", hours_ago(72), False),
            ("Crisis communication", hours_ago(48), False),
            ("Measuring reach", hours_ago(24), False),
        ]
    )
    for title, start, required in specs:
        session_id = await make_session(program_id, title, start, cme_quarters=cme_quarters)
        added = await world.api(
            "POST",
            f"/api/v1/cohorts/{world.cohort_id}/sessions",
            json={"session_id": session_id, "required": required},
        )
        assert added.status_code == 200, added.text
        world.sessions.append(session_id)
    for _ in range(residents):
        await world.add_resident()
    return world


PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
