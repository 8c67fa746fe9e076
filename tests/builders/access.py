"""The authorization walk's world: one program's objects, and one caller of each kind.

Program A owns an event with a session, track, ticket type and speaker, a member's
registration and check-in, and a cohort with an enrolled resident. The callers are
anonymous, a guest, a member, a speaker, finance, program A's staff, program B's
staff (someone else's program) and an admin. Path parameters are filled with A's
objects, so "program staff of another program" meets real objects it must not reach.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import httpx

from accounts.principal import Role
from events.tables import Registration, Session, SessionSpeaker, TicketType, Track
from programs.tables import Enrollment
from tests.builders.cohorts import make_world
from tests.builders.events import add_ticket, create_event, register
from tests.builders.people import Actor, make_actor, make_staff

ROLES = ("anonymous", "guest", "member", "speaker", "finance", "program_staff", "other_staff", "admin")
MISSING = 999_999


@dataclass
class AccessWorld:
    callers: dict[str, Actor | None]
    params: dict[str, Any] = field(default_factory=dict)

    def fill(self, path: str) -> str:
        """``path`` with every ``{name:type}`` replaced by A's object of that name (or a missing id)."""
        out = path
        while "{" in out:
            start, end = out.index("{"), out.index("}")
            name = out[start + 1 : end].split(":")[0]
            out = out[:start] + str(self.params.get(name, MISSING)) + out[end + 1 :]
        return out


async def _first(table: Any, *where: Any) -> int:
    query = table.select(table.id).order_by(table.id)
    for condition in where:
        query = query.where(condition)
    row = await query.first()
    assert row is not None, table
    return int(row["id"])


async def access_world(client: httpx.AsyncClient) -> AccessWorld:
    world = await make_world(client, residents=1)
    staff = world.staff
    staff.program_id = world.program_id
    event_id = await create_event(client, staff)
    member, subject = await make_actor(Role.MEMBER), await make_actor(Role.GUEST)
    registration = await register(client, event_id, member)
    await add_ticket(client, staff, event_id)
    tracked = await client.post(
        f"/api/v1/events/{event_id}/tracks", json={"name": "Main"}, headers=staff.headers
    )
    assert tracked.status_code == 201, tracked.text
    session_id = await _first(Session, Session.event == event_id)
    callers: dict[str, Actor | None] = {
        "anonymous": None,
        "guest": await make_actor(Role.GUEST),
        "member": member,
        "speaker": await make_actor(Role.SPEAKER),
        "finance": await make_actor(Role.FINANCE),
        "program_staff": staff,
        "other_staff": await make_staff(),
        "admin": await make_actor(Role.ADMIN),
    }
    params: dict[str, Any] = {
        "event_id": event_id,
        "session_id": session_id,
        "registration_id": registration["id"],
        "track_id": await _first(Track, Track.event == event_id),
        "ticket_type_id": await _first(TicketType, TicketType.event == event_id),
        "program_id": world.program_id,
        "cohort_id": world.cohort_id,
        "enrollment_id": await _first(Enrollment, Enrollment.cohort == world.cohort_id),
        "person_id": subject.id,
        "role": "speaker",
        "action": "accept",
        "decision": "approve",
        "code": "NO-SUCH-CODE",
        "token": "no-such-token",
        "name": "no-such-name",
        "path": "no-such-path",
    }
    speaker = await SessionSpeaker.select(SessionSpeaker.id).first()
    if speaker is not None:
        params["speaker_id"] = speaker["id"]
    assert await Registration.count() >= 1
    return AccessWorld(callers=callers, params=params)
