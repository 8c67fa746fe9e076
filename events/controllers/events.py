"""Events: schedule and publish (staff of the event's program), browse, register."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from accounts.principal import Role
from events.schemas import EventCreate, EventOut, EventPage, RegistrationOut
from events.services import registration, scheduling
from grandrounds.auth import current_principal, requires, signed_in

Limit = Annotated[int, QueryParameter(ge=1, le=200)]
Offset = Annotated[int, QueryParameter(ge=0)]


class EventController(Controller):
    path = "/api/v1/events"
    tags = ["events"]

    @post("/", status_code=HTTP_201_CREATED, guards=[requires(Role.PROGRAM_STAFF)])
    async def create_event(self, request: Request[Any, Any, Any], data: JSONBody[EventCreate]) -> EventOut:
        return await scheduling.create_event(current_principal(request), data)

    @post("/{event_id:int}/publish", status_code=HTTP_200_OK, guards=[requires(Role.PROGRAM_STAFF)])
    async def publish(self, request: Request[Any, Any, Any], event_id: FromPath[int]) -> EventOut:
        return await scheduling.publish_event(current_principal(request), event_id)

    @get("/")
    async def list_events(
        self, limit: Limit = 50, offset: Offset = 0, kind: FromQuery[str | None] = None
    ) -> EventPage:
        return await scheduling.list_published(limit, offset, kind)

    @get("/{event_id:int}")
    async def get_event(self, event_id: FromPath[int]) -> EventOut:
        return await scheduling.event_out(event_id, include_unpublished=False)

    @post("/{event_id:int}/registrations", status_code=HTTP_201_CREATED, guards=[signed_in])
    async def register(self, request: Request[Any, Any, Any], event_id: FromPath[int]) -> RegistrationOut:
        return await registration.register(current_principal(request), event_id)


CONTROLLERS = [EventController]
