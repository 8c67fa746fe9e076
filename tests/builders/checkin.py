"""Check-in: a webinar whose one session has a door, the people registered for it, their ticket codes."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta

import httpx

from accounts.principal import Role
from events.tables import Registration, Session
from grandrounds.db import now
from tests.builders.events import make_event
from tests.builders.people import Actor, make_actor


@dataclass
class World:
    staff: Actor
    event_id: int
    session_id: int


async def webinar(
    client: httpx.AsyncClient, capacity: int = 10, staff: Actor | None = None, open_now: bool = False
) -> World:
    """A published webinar (one session) run by ``staff``; its session open for self check-in if asked."""
    event_id, staff = await make_event(client, staff, capacity=capacity)
    session = await Session.select(Session.id).where(Session.event == event_id).first()
    assert session is not None
    if open_now:
        await Session.update(
            {Session.starts_at: now() - timedelta(minutes=5), Session.ends_at: now() + timedelta(minutes=55)}
        ).where(Session.id == session["id"])
    return World(staff=staff, event_id=event_id, session_id=session["id"])


async def register(
    client: httpx.AsyncClient, event_id: int, person: Actor | None = None
) -> tuple[Actor, int, str]:
    """(person, registration id, status) for a new member registering."""
    person = person or await make_actor(Role.MEMBER)
    response = await client.post(f"/api/v1/events/{event_id}/registrations", headers=person.headers)
    assert response.status_code == 201, response.text
    return person, response.json()["id"], response.json()["status"]


async def ticket_code_of(registration_id: int) -> str:
    """The registration's ticket code, issued here if registration did not issue one."""
    row = (
        await Registration.select(Registration.ticket_code).where(Registration.id == registration_id).first()
    )
    assert row is not None
    if row["ticket_code"]:
        return str(row["ticket_code"])
    code = secrets.token_urlsafe(16)
    await Registration.update({Registration.ticket_code: code}).where(Registration.id == registration_id)
    return code
