"""Check-in API: staff check people in (by search or ticket code) and undo; attendees use the room's code.

A new check-in answers 201; the same check-in again answers 200 with
``already: true`` and the time of the standing record.
"""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, Response, delete, get, post
from litestar.params import FromPath, JSONBody, QueryParameter
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from accounts.principal import Role
from events.schemas import (
    AttendeeOut,
    CheckInCodeOut,
    CheckInCreate,
    CheckInOut,
    CheckInRemovalOut,
    SelfCheckIn,
    SessionCheckIns,
)
from events.services.checkin import codes as checkin_codes
from events.services.checkin import records as checkin
from grandrounds.web.auth import requires, signed_in
from grandrounds.web.dependencies import CurrentPrincipal

Search = Annotated[str, QueryParameter(max_length=200)]
Reason = Annotated[str, QueryParameter(max_length=200)]
NO_STORE = {"Cache-Control": "no-store"}


def _created_or_not(out: CheckInOut) -> Response[CheckInOut]:
    return Response(out, status_code=HTTP_200_OK if out.already else HTTP_201_CREATED, headers=NO_STORE)


class CheckInController(Controller):
    path = "/api/v1/sessions"
    tags = ["check-in"]

    @get("/{session_id:int}/checkins", guards=[requires(Role.PROGRAM_STAFF)])
    async def list_checkins(self, principal: CurrentPrincipal, session_id: FromPath[int]) -> SessionCheckIns:
        return await checkin.session_checkins(principal, session_id)

    @post(
        "/{session_id:int}/checkins",
        guards=[requires(Role.PROGRAM_STAFF)],
        opt={"audit": "registration.check_in"},
    )
    async def check_in(
        self, principal: CurrentPrincipal, session_id: FromPath[int], data: JSONBody[CheckInCreate]
    ) -> Response[CheckInOut]:
        out = await checkin.check_in(
            principal,
            session_id,
            registration_id=data.registration_id,
            ticket_code=data.ticket_code,
            method=data.method,
        )
        return _created_or_not(out)

    @delete(
        "/{session_id:int}/checkins/{registration_id:int}",
        status_code=HTTP_200_OK,
        guards=[requires(Role.PROGRAM_STAFF)],
        opt={"audit": "registration.check_in.undo"},
    )
    async def undo(
        self,
        principal: CurrentPrincipal,
        session_id: FromPath[int],
        registration_id: FromPath[int],
        reason: Reason = "",
    ) -> CheckInRemovalOut:
        return await checkin.undo(principal, session_id, registration_id, reason)

    @get("/{session_id:int}/attendees", guards=[requires(Role.PROGRAM_STAFF)])
    async def search(
        self, principal: CurrentPrincipal, session_id: FromPath[int], q: Search = ""
    ) -> list[AttendeeOut]:
        return await checkin.search_attendees(principal, session_id, q)

    @get("/{session_id:int}/checkin-code", guards=[requires(Role.PROGRAM_STAFF)])
    async def code(self, principal: CurrentPrincipal, session_id: FromPath[int]) -> Response[CheckInCodeOut]:
        out = await checkin_codes.current_code(principal, session_id)
        return Response(out, headers=NO_STORE)

    @post("/{session_id:int}/self-checkin", guards=[signed_in])
    async def self_check_in(
        self, principal: CurrentPrincipal, session_id: FromPath[int], data: JSONBody[SelfCheckIn]
    ) -> Response[CheckInOut]:
        out = await checkin_codes.self_check_in(principal, session_id, data.code)
        return _created_or_not(out)


CONTROLLERS = [CheckInController]
