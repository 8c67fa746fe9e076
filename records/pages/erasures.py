"""Admin pages of erasure requests: the pending list with any legal hold, one request, the decisions.

Server-rendered, without JavaScript; admins only; times on the admin's own clock.
"""

from __future__ import annotations

from typing import Any

from litestar import Response, get, post
from litestar.params import FromPath, URLEncodedBody
from litestar.response import Redirect, Template

from accounts.principal import Role
from grandrounds.errors import DomainError
from grandrounds.web.auth import requires
from grandrounds.web.dependencies import CurrentPrincipal
from grandrounds.web.times import clock, viewer_zone
from records.services import erasure

ADMIN = [requires(Role.ADMIN)]
Form = URLEncodedBody[dict[str, str]]


async def _erasures_page(principal_id: int, error: DomainError | None = None, notice: str = "") -> Template:
    return Template(
        "records/erasures.html",
        context={
            "pending": await erasure.pending_for_admin(),
            "decided": await erasure.decided_for_admin(),
            "local": clock(await viewer_zone(principal_id)),
            "error": error.message if error else "",
            "notice": notice,
        },
        status_code=error.status_code if error else 200,
    )


@get("/admin/erasures", guards=ADMIN, include_in_schema=False)
async def erasures_index(principal: CurrentPrincipal) -> Template:
    """Pending erasure requests (with any legal hold on the person) and the latest decisions."""
    return await _erasures_page(principal.person_id)


@get("/admin/erasures/{request_id:int}", guards=ADMIN, include_in_schema=False)
async def erasure_detail(principal: CurrentPrincipal, request_id: FromPath[int]) -> Template:
    """One request and its outcome: what was anonymized, what was kept and why."""
    return Template(
        "records/erasure.html",
        context={
            "erasure": await erasure.get(request_id),
            "local": clock(await viewer_zone(principal.person_id)),
        },
    )


@post(
    "/admin/erasures/{request_id:int}/carry-out",
    guards=ADMIN,
    include_in_schema=False,
    opt={"audit": "person.erase"},
)
async def erasure_carry_out(principal: CurrentPrincipal, request_id: FromPath[int]) -> Response[Any]:
    try:
        await erasure.carry_out(request_id, principal.person_id)
    except DomainError as exc:
        return await _erasures_page(principal.person_id, error=exc)
    return Redirect(path=f"/admin/erasures/{request_id}", status_code=303)


@post(
    "/admin/erasures/{request_id:int}/decline",
    guards=ADMIN,
    include_in_schema=False,
    opt={"audit": "erasure.decline"},
)
async def erasure_decline(
    principal: CurrentPrincipal, request_id: FromPath[int], data: Form
) -> Response[Any]:
    try:
        await erasure.decline(request_id, principal.person_id, data.get("reason", ""))
    except DomainError as exc:
        return await _erasures_page(principal.person_id, error=exc)
    return Redirect(path=f"/admin/erasures/{request_id}", status_code=303)


CONTROLLERS = [erasures_index, erasure_detail, erasure_carry_out, erasure_decline]
