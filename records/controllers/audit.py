"""The audit trail in the API, for admins: the same filters as the page ``/admin/audit``.

Days are read in the admin's own time zone, as the page reads them.
"""

from __future__ import annotations

from typing import Annotated

from litestar import get
from litestar.params import QueryParameter

from accounts.audit import queries as audit_queries
from accounts.audit.schemas import AuditPage
from accounts.principal import Role
from grandrounds.web.auth import requires
from grandrounds.web.dependencies import CurrentPrincipal
from grandrounds.web.paging import Limit, Offset
from grandrounds.web.times import viewer_zone

ADMIN = [requires(Role.ADMIN)]
Text = Annotated[str | None, QueryParameter(max_length=254)]
From = Annotated[str | None, QueryParameter(name="from", max_length=40)]
To = Annotated[str | None, QueryParameter(name="to", max_length=40)]


@get("/api/v1/audit", guards=ADMIN, tags=["audit"])
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
        zone=await viewer_zone(principal.person_id),
    )
    return await audit_queries.search(chosen, limit, offset)


CONTROLLERS = [audit_trail]
