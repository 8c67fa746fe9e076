"""Ticket types: anyone may list a published event's types; staff of its program manage them."""

from __future__ import annotations

from litestar import Controller, get, patch, post
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from accounts.principal import Role
from events.schemas import TicketTypeCreate, TicketTypeOut, TicketTypeUpdate
from events.services import tickets
from grandrounds.web.auth import requires
from grandrounds.web.dependencies import CurrentPrincipal, Viewer


class TicketTypeController(Controller):
    path = "/api/v1"
    tags = ["ticket types"]

    @get("/events/{event_id:int}/ticket-types")
    async def list_types(self, viewer: Viewer, event_id: FromPath[int]) -> list[TicketTypeOut]:
        """Active types of a published event; the event's staff also see inactive ones and drafts'."""
        return await tickets.list_ticket_types(viewer, event_id)

    @post(
        "/events/{event_id:int}/ticket-types",
        status_code=HTTP_201_CREATED,
        guards=[requires(Role.PROGRAM_STAFF)],
        opt={"audit": "ticket_type.create"},
    )
    async def create_type(
        self, principal: CurrentPrincipal, event_id: FromPath[int], data: JSONBody[TicketTypeCreate]
    ) -> TicketTypeOut:
        """Prices in minor units of an ISO 4217 currency (19.99 USD is 1999)."""
        return await tickets.create_ticket_type(principal, event_id, data)

    @patch(
        "/ticket-types/{ticket_type_id:int}",
        guards=[requires(Role.PROGRAM_STAFF)],
        opt={"audit": "ticket_type.update"},
    )
    async def update_type(
        self,
        principal: CurrentPrincipal,
        ticket_type_id: FromPath[int],
        data: JSONBody[TicketTypeUpdate],
    ) -> TicketTypeOut:
        return await tickets.update_ticket_type(principal, ticket_type_id, data)

    @post(
        "/ticket-types/{ticket_type_id:int}/deactivate",
        status_code=HTTP_200_OK,
        guards=[requires(Role.PROGRAM_STAFF)],
        opt={"audit": "ticket_type.deactivate"},
    )
    async def deactivate_type(
        self, principal: CurrentPrincipal, ticket_type_id: FromPath[int]
    ) -> TicketTypeOut:
        return await tickets.deactivate_ticket_type(principal, ticket_type_id)


CONTROLLERS = [TicketTypeController]
