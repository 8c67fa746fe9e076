"""Tracks and sessions: the public schedule of an event, and staff changes to it."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, delete, get, patch, post
from litestar.params import FromPath, JSONBody, QueryParameter
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED, HTTP_204_NO_CONTENT

from accounts.principal import Role
from events.schemas import SessionCreate, SessionOut, SessionUpdate, TrackCreate, TrackOut, TrackUpdate
from events.services import sessions
from grandrounds.web.auth import requires
from grandrounds.web.dependencies import CurrentPrincipal, Viewer

Reason = Annotated[str, QueryParameter(max_length=200)]
STAFF = [requires(Role.PROGRAM_STAFF)]


class EventScheduleController(Controller):
    path = "/api/v1/events/{event_id:int}"
    tags = ["sessions"]

    @get("/tracks")
    async def list_tracks(self, viewer: Viewer, event_id: FromPath[int]) -> list[TrackOut]:
        return await sessions.list_tracks(viewer, event_id)

    @post("/tracks", status_code=HTTP_201_CREATED, guards=STAFF, opt={"audit": "track.create"})
    async def create_track(
        self, principal: CurrentPrincipal, event_id: FromPath[int], data: JSONBody[TrackCreate]
    ) -> TrackOut:
        return await sessions.create_track(principal, event_id, data)

    @get("/sessions")
    async def list_sessions(self, viewer: Viewer, event_id: FromPath[int]) -> list[SessionOut]:
        return await sessions.list_sessions(viewer, event_id)

    @post("/sessions", status_code=HTTP_201_CREATED, guards=STAFF, opt={"audit": "session.create"})
    async def create_session(
        self, principal: CurrentPrincipal, event_id: FromPath[int], data: JSONBody[SessionCreate]
    ) -> SessionOut:
        return await sessions.create_session(principal, event_id, data)


class TrackController(Controller):
    path = "/api/v1/tracks"
    tags = ["sessions"]
    guards = STAFF

    @patch("/{track_id:int}", opt={"audit": "track.update"})
    async def update_track(
        self, principal: CurrentPrincipal, track_id: FromPath[int], data: JSONBody[TrackUpdate]
    ) -> TrackOut:
        return await sessions.update_track(principal, track_id, data)

    @delete("/{track_id:int}", status_code=HTTP_204_NO_CONTENT, opt={"audit": "track.delete"})
    async def delete_track(self, principal: CurrentPrincipal, track_id: FromPath[int]) -> None:
        await sessions.delete_track(principal, track_id)


class SessionController(Controller):
    path = "/api/v1/sessions"
    tags = ["sessions"]

    @get("/{session_id:int}")
    async def get_session(self, viewer: Viewer, session_id: FromPath[int]) -> SessionOut:
        return await sessions.get_session(viewer, session_id)

    @patch("/{session_id:int}", guards=STAFF, opt={"audit": ("session.update", "session.reschedule")})
    async def update_session(
        self, principal: CurrentPrincipal, session_id: FromPath[int], data: JSONBody[SessionUpdate]
    ) -> SessionOut:
        """A change of time, room or link raises SEQUENCE and sends updated invites."""
        return await sessions.update_session(principal, session_id, data)

    @delete("/{session_id:int}", status_code=HTTP_200_OK, guards=STAFF, opt={"audit": "session.cancel"})
    async def cancel_session(
        self, principal: CurrentPrincipal, session_id: FromPath[int], reason: Reason = ""
    ) -> SessionOut:
        """Cancel (the session stays, as cancelled); everyone holding an invite gets a CANCEL."""
        return await sessions.cancel_session(principal, session_id, reason)


CONTROLLERS = [EventScheduleController, TrackController, SessionController]
