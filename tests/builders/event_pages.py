"""What the staff management page tests share: a conference, a talk, filling a form as shown, a snapshot.

Everything goes through the rendered HTML as a browser would send it: the
form's own fields (as the page filled them in) and its CSRF token.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from html import unescape
from html.parser import HTMLParser
from typing import Any
from zoneinfo import ZoneInfo

from events.tables import Event, Registration, Session, SessionSpeaker, TicketType, Track
from notifications.tables import OutboxMessage
from tests.builders.clients import csrf_from
from tests.builders.events import future_year, new_event
from tests.builders.pages import second_sunday_of_march, visible_text
from tests.builders.people import Actor

CHICAGO = ZoneInfo("America/Chicago")
YEAR = future_year()
# A conference from Monday 08:00 to Wednesday 08:00 in Chicago (CDT, UTC-5).
CONF_START = datetime(YEAR, 4, 19, 8, tzinfo=CHICAGO)
CONF_END = CONF_START + timedelta(days=2)


class _Fields(HTMLParser):
    """The fields of one form, as a browser would submit them without any change."""

    def __init__(self, action: str) -> None:
        super().__init__()
        self.action, self.inside, self.fields = action, False, {}
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.inside = a.get("action") == self.action
        if not self.inside or (not a.get("name") and tag != "option"):
            return
        if tag == "input" and a.get("type") not in ("submit", "button"):
            if a.get("type") != "checkbox" or "checked" in a:
                self.fields[a["name"]] = a.get("value", "on" if a.get("type") == "checkbox" else "")
        elif tag == "select":
            self._select = a["name"]
        elif tag == "option" and self._select and ("selected" in a or self._select not in self.fields):
            self.fields[self._select] = a.get("value", "")
        elif tag == "textarea":
            self._textarea = a["name"]
            self.fields[a["name"]] = ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.inside = False
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self.fields[self._textarea] += data


def form_fields(html: str, action: str) -> dict[str, str]:
    parser = _Fields(action)
    parser.feed(html)
    return dict(parser.fields)


async def send(client, page: str, action: str, **changes: str):
    """Open ``page``, fill the form posting to ``action`` as shown, apply ``changes``, submit it."""
    shown = await client.get(page)
    assert shown.status_code == 200, shown.text
    data = {"_csrf_token": csrf_from(shown.text), **form_fields(shown.text, action), **changes}
    return await client.post(action, data=data)


def local(moment: datetime) -> str:
    return moment.astimezone(CHICAGO).strftime("%Y-%m-%dT%H:%M")


def gap_time() -> str:
    """02:30 on the morning US clocks spring forward: it never happens in Chicago."""
    return f"{second_sunday_of_march(YEAR)}T02:30"


async def conference(client, staff: Actor | None = None) -> tuple[int, Actor]:
    return await new_event(
        client,
        staff,
        kind="conference",
        capacity=100,
        join_url="",
        starts_at=CONF_START.isoformat(),
        ends_at=CONF_END.isoformat(),
    )


async def add_talk(client, event_id: int, staff: Actor, **over: Any) -> int:
    body = {
        "title": "Rumours in a measles outbreak",
        "starts_at": (CONF_START + timedelta(hours=2)).isoformat(),
        "ends_at": (CONF_START + timedelta(hours=3)).isoformat(),
        "room": "Hall A",
        **over,
    }
    response = await client.post(f"/api/v1/events/{event_id}/sessions", json=body, headers=staff.headers)
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


async def snapshot() -> list[Any]:
    """Every row these pages could write, to show a refused form wrote nothing."""
    tables = (Event, Session, Track, SessionSpeaker, TicketType, Registration)
    rows = [await t.select().order_by(t.id) for t in tables]
    return [*rows, await OutboxMessage.count()]


def alert(page: str) -> str:
    """The words of the page's error message."""
    start = page.index(">", page.index('role="alert"')) + 1
    return unescape(visible_text(page[start : page.index("</p>", start)])).strip()
