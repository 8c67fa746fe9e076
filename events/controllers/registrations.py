"""Registrations: the caller's own list, cancel, and claiming or declining a waitlist offer."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.params import FromPath
from litestar.status_codes import HTTP_200_OK

from events.schemas import RegistrationOut
from events.services import registration
from grandrounds.auth import current_principal, signed_in


class RegistrationController(Controller):
    path = "/api/v1/registrations"
    tags = ["registrations"]
    guards = [signed_in]

    @get("/mine")
    async def mine(self, request: Request[Any, Any, Any]) -> list[RegistrationOut]:
        return await registration.my_registrations(current_principal(request).person_id)

    @post("/{registration_id:int}/cancel", status_code=HTTP_200_OK)
    async def cancel(
        self, request: Request[Any, Any, Any], registration_id: FromPath[int]
    ) -> RegistrationOut:
        return await registration.cancel(current_principal(request), registration_id)

    @post("/{registration_id:int}/claim", status_code=HTTP_200_OK)
    async def claim(self, request: Request[Any, Any, Any], registration_id: FromPath[int]) -> RegistrationOut:
        return await registration.claim_offer(current_principal(request), registration_id)

    @post("/{registration_id:int}/decline", status_code=HTTP_200_OK)
    async def decline(
        self, request: Request[Any, Any, Any], registration_id: FromPath[int]
    ) -> RegistrationOut:
        return await registration.decline_offer(current_principal(request), registration_id)


CONTROLLERS = [RegistrationController]
