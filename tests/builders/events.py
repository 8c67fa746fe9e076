"""Events: one way to make an event through the API, with presets for the shapes tests ask for.

``make_event`` is the builder; the other functions are named presets of it (a published
webinar, a draft, an event for a given staff member), so a change to how events are made
is made once. Every event is a one-session webinar a week ahead unless told otherwise.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from events.tables import Session
from tests.builders.people import Actor, make_staff

JOIN = "https://meet.example.org/j/secret-room-4711"
TITLE = "Grand Rounds: social media in crisis communication"
CRISIS_HOUR = "Grand Rounds: the first hour of a crisis"


def future_year() -> int:
    """A year safely ahead of today, so fixed calendar dates stay "upcoming"."""
    return datetime.now(UTC).year + 2


def event_body(
    capacity: int = 10,
    *,
    program_id: int | None = None,
    days_ahead: int = 7,
    join_url: str | None = JOIN,
    **over: Any,
) -> dict[str, Any]:
    """The JSON of a new event: a one-hour webinar ``days_ahead`` days from now, in Chicago.

    ``join_url=None`` leaves the link out; datetimes in ``over`` are sent as ISO text.
    """
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(days=days_ahead)
    body: dict[str, Any] = {
        "kind": "webinar",
        "title": TITLE,
        "time_zone": "America/Chicago",
        "starts_at": start.isoformat(),
        "ends_at": (start + timedelta(hours=1)).isoformat(),
        "capacity": capacity,
        "program_id": program_id,
    }
    if join_url is not None:
        body["join_url"] = join_url
    body.update({k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in over.items()})
    return body


async def make_event(
    client: httpx.AsyncClient, staff: Actor | None = None, *, publish: bool = True, **fields: Any
) -> tuple[int, Actor]:
    """An event run by ``staff`` (a new program's staff unless given), published unless asked not to.

    The one builder of events: ``fields`` go to ``event_body`` (capacity, days_ahead, join_url,
    any event field), and the functions below are presets of it.
    """
    staff = staff or await make_staff()
    created = await client.post(
        "/api/v1/events/", json=event_body(program_id=staff.program_id, **fields), headers=staff.headers
    )
    assert created.status_code == 201, created.text
    event_id = int(created.json()["id"])
    if publish:
        published = await client.post(f"/api/v1/events/{event_id}/publish", headers=staff.headers)
        assert published.status_code == 200, published.text
    return event_id, staff


async def new_event(
    client: httpx.AsyncClient, staff: Actor | None = None, publish: bool = True, **over: Any
) -> tuple[int, Actor]:
    """The scheduling tests' event: "the first hour of a crisis", a month ahead, and who runs it."""
    return await make_event(
        client, staff, publish=publish, **{"title": CRISIS_HOUR, "days_ahead": 30, **over}
    )


async def published_event(client: httpx.AsyncClient, capacity: int = 10, **over: Any) -> int:
    """A published webinar run by a new program's staff."""
    event_id, _ = await make_event(client, capacity=capacity, **over)
    return event_id


async def create_event(client: httpx.AsyncClient, staff: Actor, *, publish: bool = True, **over: Any) -> int:
    """An event of ``staff``'s program with no join link, as the catalogue lists it."""
    event_id, _ = await make_event(client, staff, publish=publish, **{"join_url": None, **over})
    return event_id


async def event_of(client: httpx.AsyncClient, staff: Actor, capacity: int = 10, **over: Any) -> int:
    """A published webinar of ``staff``'s program."""
    event_id, _ = await make_event(client, staff, capacity=capacity, **over)
    return event_id


async def staffed_event(
    client: httpx.AsyncClient, capacity: int = 10, **over: Any
) -> tuple[int, dict[str, str]]:
    """A published webinar and the API headers of the staff member who runs it."""
    event_id, staff = await make_event(client, capacity=capacity, **over)
    return event_id, staff.headers


async def the_session(event_id: int) -> dict[str, Any]:
    """The one session of a single-session event."""
    rows = await Session.select().where(Session.event == event_id)
    assert len(rows) == 1
    return dict(rows[0])


async def add_ticket_type(
    client: httpx.AsyncClient, event_id: int, staff_headers: dict[str, str], **over: Any
) -> dict[str, Any]:
    """A ticket type on the event, free for every tier unless prices are given."""
    body: dict[str, Any] = {
        "name": "Standard",
        "currency": "USD",
        "member_price": 0,
        "non_member_price": 0,
        "guest_price": 0,
    }
    body.update(over)
    response = await client.post(f"/api/v1/events/{event_id}/ticket-types", json=body, headers=staff_headers)
    assert response.status_code == 201, response.text
    return dict(response.json())


async def add_ticket(client: httpx.AsyncClient, staff: Actor, event_id: int, **over: Any) -> int:
    """The id of a new "General admission" ticket type (the pages' flavour of ``add_ticket_type``)."""
    ticket = await add_ticket_type(client, event_id, staff.headers, **{"name": "General admission", **over})
    return int(ticket["id"])


async def register(client: httpx.AsyncClient, event_id: int, person: Actor) -> dict[str, Any]:
    """``person`` registers for the event through the API; the registration as returned."""
    response = await client.post(f"/api/v1/events/{event_id}/registrations", headers=person.headers)
    assert response.status_code == 201, response.text
    return dict(response.json())
