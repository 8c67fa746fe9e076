"""Admin API of erasure requests: the pending list, carrying one out, declining one.

Admins only (``requires(Role.ADMIN)``); each decision declares its audit action.
"""

from __future__ import annotations

from litestar import get, post
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_200_OK

from accounts.principal import Role
from grandrounds.web.auth import requires
from grandrounds.web.dependencies import CurrentPrincipal
from records.schemas import ErasureDecline, ErasureOut
from records.services import erasure

ADMIN = [requires(Role.ADMIN)]
TAGS = ["records"]


@get("/api/v1/admin/erasures", guards=ADMIN, tags=TAGS)
async def erasure_requests() -> list[ErasureOut]:
    """Pending erasure requests, oldest first, each with the legal holds covering its person."""
    return await erasure.pending_for_admin()


@post(
    "/api/v1/admin/erasures/{request_id:int}/carry-out",
    guards=ADMIN,
    tags=TAGS,
    status_code=HTTP_200_OK,
    opt={"audit": "person.erase"},
)
async def carry_out_erasure(principal: CurrentPrincipal, request_id: FromPath[int]) -> ErasureOut:
    """Anonymize the person, unless a legal hold covers them (409 ``records.erasure_held``).

    ``outcome`` names the pseudonym and what is kept, and why."""
    return await erasure.carry_out(request_id, principal.person_id)


@post(
    "/api/v1/admin/erasures/{request_id:int}/decline",
    guards=ADMIN,
    tags=TAGS,
    status_code=HTTP_200_OK,
    opt={"audit": "erasure.decline"},
)
async def decline_erasure(
    principal: CurrentPrincipal, request_id: FromPath[int], data: JSONBody[ErasureDecline]
) -> ErasureOut:
    return await erasure.decline(request_id, principal.person_id, data.reason)


CONTROLLERS = [erasure_requests, carry_out_erasure, decline_erasure]
