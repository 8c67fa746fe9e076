"""The audit trail page for admins, and its CSV download (itself recorded).

The filter is the API's (accounts.audit.queries); its days and the times shown are
on the admin's own clock.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from litestar import Request, Response, get
from litestar.response import Template

from accounts.audit import queries as audit_queries
from accounts.audit.actions import ACTIONS
from accounts.principal import Role
from grandrounds.errors import DomainError
from grandrounds.web.auth import requires
from grandrounds.web.dependencies import CurrentPrincipal
from grandrounds.web.downloads import csv_response
from grandrounds.web.paging import Limit, Offset
from grandrounds.web.times import clock, viewer_zone

ADMIN = [requires(Role.ADMIN)]
FILTER_FIELDS = ("actor", "action", "object_kind", "object_id", "subject", "from", "to")


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


CONTROLLERS = [audit_index, audit_csv]
