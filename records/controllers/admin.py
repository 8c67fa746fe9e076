"""Admin API of the records package: erasure decisions and the audit trail.

Admins only (``requires(Role.ADMIN)``). The audit list takes the same filters as
the page ``/admin/audit`` and reads days in the admin's own time zone.
"""

from __future__ import annotations

from typing import Annotated

from litestar import get, post
from litestar.params import FromPath, JSONBody, QueryParameter
from litestar.status_codes import HTTP_200_OK

from accounts.audit import queries as audit_queries
from accounts.audit.schemas import AuditPage
from accounts.principal import Role
from accounts.services.people import time_zone_of
from grandrounds.web.auth import requires
from grandrounds.web.dependencies import CurrentPrincipal
from grandrounds.web.paging import Limit, Offset
from records.schemas import ErasureDecline, ErasureOut
from records.services import erasure

ADMIN = [requires(Role.ADMIN)]
TAGS = ["records"]
Text = Annotated[str | None, QueryParameter(max_length=254)]
From = Annotated[str | None, QueryParameter(name="from", max_length=40)]
To = Annotated[str | None, QueryParameter(name="to", max_length=40)]


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


@get("/api/v1/audit", guards=ADMIN, tags=TAGS)
async def audit_trail(
    principal: CurrentPrincipal,
    actor: Text = None,
    action: Text = None,
    object_kind: Text = None,
    object_id: Text = None,
    subject: Text = None,
    start: From = None,
    end: To = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> AuditPage:
    """The audit trail, newest first: filter by actor (id or email), action code, object, subject
    person and days (YYYY-MM-DD, both included, in your time zone)."""
    chosen = await audit_queries.parse_filter(
        actor=actor,
        action=action,
        object_kind=object_kind,
        object_id=object_id,
        subject=subject,
        from_day=start,
        to_day=end,
        zone=await time_zone_of(principal.person_id) or "UTC",
    )
    return await audit_queries.search(chosen, limit, offset)


CONTROLLERS = [erasure_requests, carry_out_erasure, decline_erasure, audit_trail]
