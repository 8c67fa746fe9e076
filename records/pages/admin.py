"""Admin pages of the records package: erasure requests, the audit trail (and its CSV), one person.

Server-rendered, without JavaScript; admins only. Times are shown on the admin's
own clock (their account's time zone), and the audit filter reads its days there too.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from litestar import Request, Response, get, post
from litestar.params import FromPath, URLEncodedBody
from litestar.response import Redirect, Template

from accounts.audit import queries as audit_queries
from accounts.audit.actions import ACTIONS
from accounts.principal import Role
from grandrounds.errors import DomainError
from grandrounds.web.auth import requires
from grandrounds.web.dependencies import CurrentPrincipal
from grandrounds.web.downloads import csv_response
from grandrounds.web.paging import Limit, Offset
from grandrounds.web.times import clock, viewer_zone
from records.services import erasure, person_record

ADMIN = [requires(Role.ADMIN)]
Form = URLEncodedBody[dict[str, str]]
FILTER_FIELDS = ("actor", "action", "object_kind", "object_id", "subject", "from", "to")


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


def _asked(request: Request[Any, Any, Any]) -> dict[str, str]:
    params = request.query_params
    return {name: (params.get(name) or "").strip()[:254] for name in FILTER_FIELDS}


async def _filter(asked: dict[str, str], zone: str) -> audit_queries.AuditFilter:
    return await audit_queries.parse_filter(
        actor=asked["actor"],
        action=asked["action"],
        object_kind=asked["object_kind"],
        object_id=asked["object_id"],
        subject=asked["subject"],
        from_day=asked["from"],
        to_day=asked["to"],
        zone=zone,
    )


@get("/admin/audit", guards=ADMIN, include_in_schema=False)
async def audit_index(
    request: Request[Any, Any, Any], principal: CurrentPrincipal, limit: Limit = 50, offset: Offset = 0
) -> Template:
    """The audit trail, newest first, filtered as asked; the same filter downloads as CSV."""
    asked = _asked(request)
    zone = await viewer_zone(principal.person_id)
    error: DomainError | None = None
    page = None
    try:
        page = await audit_queries.search(await _filter(asked, zone), limit, offset)
    except DomainError as exc:
        error = exc
    query: dict[str, Any] = {k: v for k, v in asked.items() if v}
    newer, older = max(offset - limit, 0), offset + limit
    return Template(
        "records/audit.html",
        context={
            "asked": asked,
            "actions": ACTIONS,
            "page": page,
            "error": error.message if error else "",
            "error_field": error.details.get("field") if error else None,
            "zone": zone,
            "local": clock(zone),
            "csv_url": "/admin/audit.csv" + (f"?{urlencode(query)}" if query else ""),
            "newer_url": f"/admin/audit?{urlencode({**query, 'limit': limit, 'offset': newer})}",
            "older_url": f"/admin/audit?{urlencode({**query, 'limit': limit, 'offset': older})}",
            "limit": limit,
            "offset": offset,
        },
        status_code=error.status_code if error else 200,
    )


@get("/admin/audit.csv", guards=ADMIN, include_in_schema=False, opt={"audit": "export.audit_csv"})
async def audit_csv(request: Request[Any, Any, Any], principal: CurrentPrincipal) -> Response[str]:
    """Every row of the filter as CSV (formula-safe); the download writes its own audit row."""
    chosen = await _filter(_asked(request), await viewer_zone(principal.person_id))
    return csv_response(await audit_queries.export_csv(chosen), "audit-trail.csv")


@get("/admin/people/{person_id:int}", guards=ADMIN, include_in_schema=False, opt={"audit": "person.view"})
async def person_page(principal: CurrentPrincipal, person_id: FromPath[int]) -> Template:
    """One person: profile, roles history, who saw or changed their data; the visit is recorded."""
    record = await person_record.view_person(person_id)
    return Template(
        "records/person.html",
        context={"record": record, "local": clock(await viewer_zone(principal.person_id))},
    )


CONTROLLERS = [
    erasures_index,
    erasure_detail,
    erasure_carry_out,
    erasure_decline,
    audit_index,
    audit_csv,
    person_page,
]
