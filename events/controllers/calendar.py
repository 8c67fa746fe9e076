"""Public calendar files: an event's whole schedule as a feed, and one session to add to a calendar."""

from __future__ import annotations

from litestar import Controller, Response, get
from litestar.params import FromPath

from events.services import feed_entries
from grandrounds.settings import get_settings
from notifications.controllers.feeds import calendar_response
from notifications.feeds import build_feed


class EventCalendars(Controller):
    tags = ["calendar"]

    @get("/events/{event_id:int}/calendar.ics")
    async def schedule(self, event_id: FromPath[int]) -> Response[str]:
        event, entries = await feed_entries.event_schedule(event_id)
        body = build_feed(event["title"], entries, get_settings().base_url)
        return calendar_response(body, f"event-{event_id}.ics")

    @get("/sessions/{session_id:int}/calendar.ics")
    async def session(self, session_id: FromPath[int]) -> Response[str]:
        session, entry = await feed_entries.session_entry(session_id)
        body = build_feed(session["title"], [entry], get_settings().base_url)
        response = calendar_response(body, f"session-{session_id}.ics")
        response.headers["Content-Disposition"] = f'attachment; filename="session-{session_id}.ics"'
        return response


CONTROLLERS = [EventCalendars]
