"""Events: schedule and publish (staff of the event's program), browse, register."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, get, patch, post
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from accounts.principal import Role
from events.schemas import (
    CancelRequest,
    EventCreate,
    EventOut,
    EventPage,
    EventUpdate,
    RegistrationCreate,
    RegistrationOut,
)
from events.services import catalogue, scheduling
from events.services.registration import registering as registration
from grandrounds.web.auth import requires, signed_in
from grandrounds.web.dependencies import CurrentPrincipal
from grandrounds.web.paging import Limit, Offset
from grandrounds.web.payments import payments_open


class EventController(Controller):
    path = "/api/v1/events"
    tags = ["events"]

    @post(
        "/",
        status_code=HTTP_201_CREATED,
        guards=[requires(Role.PROGRAM_STAFF)],
        opt={"audit": "event.create"},
    )
    async def create_event(self, principal: CurrentPrincipal, data: JSONBody[EventCreate]) -> EventOut:
        return await scheduling.create_event(principal, data)

    @post(
        "/{event_id:int}/publish",
        status_code=HTTP_200_OK,
        guards=[requires(Role.PROGRAM_STAFF)],
        opt={"audit": "event.publish"},
    )
    async def publish(self, principal: CurrentPrincipal, event_id: FromPath[int]) -> EventOut:
        return await scheduling.publish_event(principal, event_id)

    @patch(
        "/{event_id:int}",
        guards=[requires(Role.PROGRAM_STAFF)],
        opt={"audit": ("event.update", "event.reschedule")},
    )
    async def update_event(
        self, principal: CurrentPrincipal, event_id: FromPath[int], data: JSONBody[EventUpdate]
    ) -> EventOut:
        """Edit or reschedule; a one-sitting event's session moves with it and invitees are told."""
        return await scheduling.update_event(principal, event_id, data)

    @post(
        "/{event_id:int}/cancel",
        status_code=HTTP_200_OK,
        guards=[requires(Role.PROGRAM_STAFF)],
        opt={"audit": "event.cancel"},
    )
    async def cancel_event(
        self, principal: CurrentPrincipal, event_id: FromPath[int], data: JSONBody[CancelRequest]
    ) -> EventOut:
        return await scheduling.cancel_event(principal, event_id, data)

    @get("/")
    async def list_events(
        self,
        limit: Limit = 50,
        offset: Offset = 0,
        kind: FromQuery[str | None] = None,
        topic: FromQuery[str | None] = None,
        date_from: Annotated[str | None, QueryParameter(name="from")] = None,
        date_to: Annotated[str | None, QueryParameter(name="to")] = None,
        q: FromQuery[str | None] = None,
    ) -> EventPage:
        """Published events still to come; days in ``from``/``to`` are days in each event's zone."""
        query = catalogue.parse_query(
            kind=kind, topic=topic, date_from=date_from, date_to=date_to, q=q, limit=limit, offset=offset
        )
        return await scheduling.list_published(query)

    @get("/{event_id:int}")
    async def get_event(self, event_id: FromPath[int]) -> EventOut:
        return await scheduling.event_out(event_id, include_unpublished=False)

    @post("/{event_id:int}/registrations", status_code=HTTP_201_CREATED, guards=[signed_in])
    async def register(
        self,
        request: Request[Any, Any, Any],
        principal: CurrentPrincipal,
        event_id: FromPath[int],
        data: JSONBody[RegistrationCreate | None] = None,
    ) -> RegistrationOut:
        """Sign up; name a ticket type when the event sells several, a session for a session's own seats."""
        choice = data or RegistrationCreate()
        return await registration.register(
            principal,
            event_id,
            ticket_type_id=choice.ticket_type_id,
            session_id=choice.session_id,
            payments_open=payments_open(request.app.state),
        )


CONTROLLERS = [EventController]
