"""The roster API: an event's registrations for its program's staff and admins, as JSON or CSV."""

from __future__ import annotations

from typing import Annotated, Literal

from litestar import Response, get
from litestar.params import FromPath, FromQuery, QueryParameter

from events.schemas import RosterPage
from events.services.registration import roster
from grandrounds.web.auth import signed_in
from grandrounds.web.dependencies import CurrentPrincipal

Limit = Annotated[int, QueryParameter(ge=1, le=roster.MAX_LIMIT)]
Offset = Annotated[int, QueryParameter(ge=0)]


def csv_response(body: str, filename: str) -> Response[str]:
    """A download: UTF-8 with a byte-order mark, so spreadsheet programs read names correctly."""
    return Response(
        "\ufeff" + body,
        media_type="text/csv; charset=utf-8",
        headers={
            "content-disposition": f'attachment; filename="{filename}"',
            "cache-control": "no-store",
        },
    )


@get("/api/v1/events/{event_id:int}/registrations", guards=[signed_in], tags=["roster"])
async def event_registrations(
    principal: CurrentPrincipal,
    event_id: FromPath[int],
    status: FromQuery[str | None] = None,
    q: FromQuery[str | None] = None,
    limit: Limit = 50,
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
