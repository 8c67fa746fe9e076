"""What the attendee and staff page tests share: signing in, posting a form as a browser does, reading text.

Everything goes through the rendered HTML as a browser would see it, with the
CSRF field taken from the form it came in.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from tests.conftest import PASSWORD, Actor, csrf_from

JOIN = "https://meet.example.org/j/secret-room-4711"


async def sign_in(client, actor: Actor) -> None:
    client.cookies.clear()
    form = await client.get("/signin")
    response = await client.post(
        "/signin",
        data={"email": actor.email, "password": PASSWORD, "next": "/", "_csrf_token": csrf_from(form.text)},
    )
    assert response.status_code in (302, 303), response.text


async def submit(client, page_path: str, action: str, data: dict[str, str] | None = None):
    """Post a form the way a browser does: with the CSRF field of the page it sits on."""
    page = await client.get(page_path)
    assert page.status_code == 200, page.text
    return await client.post(action, data={**(data or {}), "_csrf_token": csrf_from(page.text)})


async def add_ticket(client, staff: Actor, event_id: int, **over: Any) -> int:
    body: dict[str, Any] = {
        "name": "General admission",
        "currency": "USD",
        "member_price": 0,
        "non_member_price": 0,
        "guest_price": 0,
    }
    body.update(over)
    created = await client.post(f"/api/v1/events/{event_id}/ticket-types", json=body, headers=staff.headers)
    assert created.status_code == 201, created.text
    return int(created.json()["id"])


async def register_api(client, person: Actor, event_id: int, **body: Any) -> dict[str, Any]:
    response = await client.post(
        f"/api/v1/events/{event_id}/registrations", json=body or None, headers=person.headers
    )
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


def visible_text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def second_sunday_of_march(year: int) -> date:
    return next(date(year, 3, d) for d in range(8, 15) if date(year, 3, d).weekday() == 6)
