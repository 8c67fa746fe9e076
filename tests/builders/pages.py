"""What the attendee and staff page tests share: signing in, posting a form as a browser does, reading text.

Everything goes through the rendered HTML as a browser would see it, with the
CSRF field taken from the form it came in.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from tests.builders.clients import csrf_from
from tests.builders.people import Actor


async def submit(client, page_path: str, action: str, data: dict[str, str] | None = None):
    """Post a form the way a browser does: with the CSRF field of the page it sits on."""
    page = await client.get(page_path)
    assert page.status_code == 200, page.text
    return await client.post(action, data={**(data or {}), "_csrf_token": csrf_from(page.text)})


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
