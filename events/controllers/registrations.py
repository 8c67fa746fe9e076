"""Registrations: booking colleagues, the caller's own list, cancel, and answering a waitlist offer.

Signing oneself up is ``POST /api/v1/events/{event_id}/registrations`` (events controller).
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from events.schemas import ColleaguesCreate, RegistrationOut
from events.services.registration import registering as registration
from grandrounds.web.auth import signed_in
from grandrounds.web.dependencies import CurrentPrincipal
from grandrounds.web.payments import payments_open


class RegistrationController(Controller):
    path = "/api/v1/registrations"
    tags = ["registrations"]
    guards = [signed_in]

    @get("/mine")
    async def mine(self, principal: CurrentPrincipal) -> list[RegistrationOut]:
        return await registration.my_registrations(principal.person_id)

    @post("/{registration_id:int}/cancel", status_code=HTTP_200_OK)
    async def cancel(self, principal: CurrentPrincipal, registration_id: FromPath[int]) -> RegistrationOut:
        return await registration.cancel(principal, registration_id)

    @post("/{registration_id:int}/claim", status_code=HTTP_200_OK)
    async def claim(self, principal: CurrentPrincipal, registration_id: FromPath[int]) -> RegistrationOut:
        """Take an open offer (a party's offer is taken for the whole party)."""
        return await registration.claim_offer(principal, registration_id)

    @post("/{registration_id:int}/decline", status_code=HTTP_200_OK)
    async def decline(self, principal: CurrentPrincipal, registration_id: FromPath[int]) -> RegistrationOut:
        return await registration.decline_offer(principal, registration_id)


class ColleagueRegistrationController(Controller):
    path = "/api/v1/events/{event_id:int}/registrations/colleagues"
    tags = ["registrations"]
    guards = [signed_in]

    @post("/", status_code=HTTP_201_CREATED)
    async def register_colleagues(
        self,
        request: Request[Any, Any, Any],
        principal: CurrentPrincipal,
        event_id: FromPath[int],
        data: JSONBody[ColleaguesCreate],
    ) -> list[RegistrationOut]:
        """Register a group, all or nothing: an organization's leader for its members, event staff for
        anyone. The group waits, and is offered seats, together."""
        return await registration.register_colleagues(
            principal,
            event_id,
            data.person_ids,
            data.ticket_type_id,
            session_id=data.session_id,
            payments_open=payments_open(request.app.state),
        )


CONTROLLERS = [RegistrationController, ColleagueRegistrationController]
