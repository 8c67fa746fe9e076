"""Which join link a registration shows: the same one its invites and feed entries carry.

Invites and feeds show a session's own link, else the event's. A whole-event
place at a one-sitting event (a webinar, a workshop) holds a copy of each of
its open sessions, so when that is a single session with a link of its own,
the registration shows that link too; otherwise staff changing the session's
link would leave the API showing the old one while invites show the new.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from events.services.invites.holders import EVENT_COPY_KINDS
from events.tables import Event, Session


def join_link(session: Mapping[str, Any] | None, event: Mapping[str, Any]) -> str:
    """The link a copy of ``session`` (or of the whole event) shows."""
    return (session["join_url"] if session is not None else "") or event["join_url"] or ""


async def whole_event_links(event_ids: set[int]) -> dict[int, str]:
    """For whole-event places, by event: the link their sessions' copies show, where it is one link."""
    if not event_ids:
        return {}
    events = {e["id"]: e for e in await Event.select().where(Event.id.is_in(list(event_ids)))}
    sessions = await Session.select(Session.event, Session.join_url).where(
        Session.event.is_in(list(event_ids)) & Session.capacity.is_null() & (Session.status == "scheduled")
    )
    links: dict[int, set[str]] = {}
    for session in sessions:
        links.setdefault(session["event"], set()).add(join_link(session, events[session["event"]]))
    found = {event_id: join_link(None, event) for event_id, event in events.items()}
    for event_id, shown in links.items():
        if events[event_id]["kind"] not in EVENT_COPY_KINDS and len(shown) == 1:
            found[event_id] = shown.pop()
    return found
