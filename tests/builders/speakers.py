"""Speakers: a webinar with one session to speak at, and a speaker invited to it by its staff."""

from __future__ import annotations

from typing import Any

import httpx

from tests.builders.events import new_event, the_session
from tests.builders.people import Actor


async def invite(
    client: httpx.AsyncClient, session_id: int, staff: Actor, email: str, name: str = "Dr. Speaker"
) -> dict[str, Any]:
    response = await client.post(
        f"/api/v1/sessions/{session_id}/speakers", json={"email": email, "name": name}, headers=staff.headers
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


async def webinar(client: httpx.AsyncClient) -> tuple[int, dict[str, Any], Actor]:
    """(event id, its one session, its staff) for a webinar on 16 March 2027, 09:00 in Chicago."""
    event_id, staff = await new_event(
        client, starts_at="2027-03-16T09:00:00-05:00", ends_at="2027-03-16T10:00:00-05:00"
    )
    return event_id, await the_session(event_id), staff
