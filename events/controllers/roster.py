"""The roster API: an event's registrations for its program's staff and admins, as JSON or CSV."""

from __future__ import annotations

from typing import Literal

from litestar import Response, get
from litestar.params import FromPath, FromQuery

from events.schemas import RosterPage
from events.services.registration import roster
from grandrounds.web.auth import signed_in
from grandrounds.web.dependencies import CurrentPrincipal
from grandrounds.web.downloads import csv_response
from grandrounds.web.paging import ExportLimit, Offset


@get("/api/v1/events/{event_id:int}/registrations", guards=[signed_in], tags=["roster"])
async def event_registrations(
    principal: CurrentPrincipal,
    event_id: FromPath[int],
    status: FromQuery[str | None] = None,
    q: FromQuery[str | None] = None,
    limit: ExportLimit = 50,
    offset: Offset = 0,
    format: FromQuery[Literal["json", "csv"]] = "json",
) -> RosterPage | Response[str]:
    """Registrations of one event, oldest first; ``format=csv`` exports every match.

    A plain handler rather than a Controller: the POST on this path lives in
    the events controller, and Litestar merges a second method onto an
    existing path only for handlers registered after it this way.
    """
    query = roster.parse_query(status, q, limit, offset)
    if format == "csv":
        body = await roster.roster_csv(principal, event_id, query)
        return csv_response(body, f"event-{event_id}-roster.csv")
    return await roster.roster(principal, event_id, query)


CONTROLLERS = [event_registrations]
