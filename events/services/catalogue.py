"""The public catalogue: published events still to come, filtered by kind, days, topic and words.

Days are days in each event's own time zone: "from 14 March" means an event in
Chicago that runs on 14 March Chicago time, whatever the UTC date. Because
every zone maps a calendar day to a different UTC window, the date filter is
one condition per distinct zone among published events (there are few), so
filtering and counting stay in the database and pages stay exact.

Words match case-insensitively in title, description, venue and topic; each
word must match somewhere. SQLite has no ILIKE (and its LIKE already ignores
ASCII case), PostgreSQL's LIKE is case-sensitive, so the operator follows the
engine. Wildcards typed by a person are matched literally.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, get_args
from zoneinfo import ZoneInfo

from piccolo.columns.combination import WhereRaw

from events import errors
from events.registration_status import LIVE
from events.schemas import Kind
from events.services.registration.seats import (
    seats_taken,
    seats_taken_in_sessions,
    tickets_taken,
)
from events.tables import Event, Registration, Session, TicketType, Track
from grandrounds.db import contains_any, now
from grandrounds.errors import request_invalid

KINDS: tuple[str, ...] = get_args(Kind)
MAX_LIMIT = 200
MAX_WORDS = 8
# Beyond these a date is a typo, and far-future arithmetic would overflow.
EARLIEST_YEAR, LATEST_YEAR = 1970, 2200


@dataclass(frozen=True, slots=True)
class CatalogueQuery:
    """Validated filters; build one with :func:`parse_query` from what a person typed."""

    kind: str | None = None
    topic: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    q: str = ""
    limit: int = 20
    offset: int = 0


@dataclass(frozen=True, slots=True)
class CatalogueResult:
    rows: list[dict[str, Any]]  # full event rows, soonest first
    total: int


def _parse_date(raw: str | None, field: str) -> date | None:
    text = (raw or "").strip()
    if not text:
        return None
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise errors.catalogue_date_invalid(field) from None
    if not EARLIEST_YEAR <= day.year <= LATEST_YEAR:
        raise errors.catalogue_date_invalid(field)
    return day


def parse_query(
    *,
    kind: str | None = None,
    topic: str | None = None,
    date_from: str | None = None,
    date_to: str | None = None,
    q: str | None = None,
    limit: int = 20,
    offset: int = 0,
) -> CatalogueQuery:
    """Check raw filters (query-string text) and normalise them; blank means "any"."""
    kind = (kind or "").strip().lower() or None
    if kind is not None and kind not in KINDS:
        raise errors.kind_unknown()
    topic = " ".join((topic or "").split()) or None
    if topic is not None and len(topic) > 100:
        raise errors.catalogue_query_too_long("topic", 100)
    words = " ".join((q or "").split())
    if len(words) > 200:
        raise errors.catalogue_query_too_long("q", 200)
    start, end = _parse_date(date_from, "from"), _parse_date(date_to, "to")
    if start and end and end < start:
        raise errors.catalogue_range_invalid()
    if not 1 <= limit <= MAX_LIMIT or offset < 0:
        raise request_invalid(f"limit must be 1 to {MAX_LIMIT} and offset at least 0.", {"field": "limit"})
    return CatalogueQuery(kind, topic, start, end, words, limit, offset)


def day_start(day: date, zone: str) -> datetime:
    """The UTC instant at which ``day`` begins in ``zone`` (midnight local, whatever DST does)."""
    return datetime.combine(day, time(0), ZoneInfo(zone)).astimezone(UTC)


def _listed() -> Any:
    """Published and not yet over: what anyone may browse."""
    return (Event.status == "published") & (Event.ends_at > now())


def _in_days(query: CatalogueQuery, zone: str) -> Any:
    """Events in ``zone`` that run on at least one day of the range, counted in that zone."""
    condition: Any = Event.time_zone == zone
    if query.date_from:
        condition &= Event.ends_at > day_start(query.date_from, zone)
    if query.date_to:
        condition &= Event.starts_at < day_start(query.date_to + timedelta(days=1), zone)
    return condition


async def _condition(query: CatalogueQuery) -> Any | None:
    """The WHERE for ``query``; None when nothing can match."""
    condition = _listed()
    if query.kind:
        condition &= Event.kind == query.kind
    if query.topic:
        condition &= WhereRaw("lower(topic) = {}", query.topic.lower())
    for word in query.q.split()[:MAX_WORDS]:
        condition &= contains_any(("title", "description", "venue", "topic"), word)
    if query.date_from or query.date_to:
        zones = [r["time_zone"] for r in await Event.select(Event.time_zone).distinct().where(_listed())]
        if not zones:
            return None
        by_zone = _in_days(query, zones[0])
        for zone in zones[1:]:
            by_zone |= _in_days(query, zone)
        condition &= by_zone
    return condition


async def search(query: CatalogueQuery) -> CatalogueResult:
    condition = await _condition(query)
    if condition is None:
        return CatalogueResult(rows=[], total=0)
    rows = (
        await Event.select()
        .where(condition)
        .order_by(Event.starts_at)
        .order_by(Event.id)
        .limit(query.limit)
        .offset(query.offset)
    )
    return CatalogueResult(rows=rows, total=await Event.count().where(condition))


async def topics() -> list[str]:
    """Topics of the events on offer, for the filter's choices."""
    rows = await Event.select(Event.topic).distinct().where(_listed() & (Event.topic != ""))
    return sorted({r["topic"] for r in rows}, key=str.lower)


@dataclass(frozen=True, slots=True)
class EventDetail:
    """What the public event page shows: the event, its schedule and what one can buy."""

    event: dict[str, Any]
    seats_left: int
    tracks: dict[int, dict[str, Any]]
    # Scheduled sessions, soonest first; "seats_left" is None unless the session has its own capacity.
    sessions: list[dict[str, Any]]
    # Active ticket types in display order; "left" is None when only the event's capacity limits them.
    ticket_types: list[dict[str, Any]]


async def event_detail(event_id: int, *, include_draft: bool = False) -> EventDetail:
    """The event as the public sees it; a draft is "not found" unless ``include_draft`` (its staff)."""
    event = await Event.select().where(Event.id == event_id).first()
    if event is None or (event["status"] == "draft" and not include_draft):
        raise errors.event_not_found()
    tracks = {
        t["id"]: t
        for t in await Track.select()
        .where(Track.event == event_id)
        .order_by(Track.position)
        .order_by(Track.id)
    }
    sessions = (
        await Session.select()
        .where((Session.event == event_id) & (Session.status != "cancelled"))
        .order_by(Session.starts_at)
        .order_by(Session.id)
    )
    ticket_types = (
        await TicketType.select()
        .where((TicketType.event == event_id) & (TicketType.active == True))  # noqa: E712
        .order_by(TicketType.position)
        .order_by(TicketType.id)
    )
    in_sessions = await seats_taken_in_sessions(event_id)
    for session in sessions:
        capacity = session["capacity"]
        taken = in_sessions.get(session["id"], 0)
        session["seats_left"] = None if capacity is None else max(capacity - taken, 0)
    by_ticket = await tickets_taken(event_id)
    for ticket in ticket_types:
        quantity = ticket["quantity"]
        ticket["left"] = None if quantity is None else max(quantity - by_ticket.get(ticket["id"], 0), 0)
    return EventDetail(
        event=event,
        seats_left=max(event["capacity"] - await seats_taken(event_id), 0),
        tracks=tracks,
        sessions=sessions,
        ticket_types=ticket_types,
    )


@dataclass(frozen=True, slots=True)
class OwnPlace:
    """One of the visitor's own live registrations at an event (the event page says they hold it)."""

    id: int
    status: str
    session_id: int | None


async def own_places(person_id: int, event_id: int) -> list[OwnPlace]:
    """The person's live registrations at the event: seat holders, the waitlisted and open offers."""
    rows = await Registration.select(Registration.id, Registration.status, Registration.session).where(
        (Registration.event == event_id)
        & (Registration.person == person_id)
        & Registration.status.is_in(list(LIVE))
    )
    return [OwnPlace(id=r["id"], status=r["status"], session_id=r["session"]) for r in rows]


@dataclass(frozen=True, slots=True)
class EventChoice:
    """An event another package may link something to (a library recording to its webinar)."""

    id: int
    title: str
    kind: str


async def openable_titles(event_ids: list[int]) -> dict[int, str]:
    """Titles of the events whose page anyone may open: a draft's page is "not found" to the public,
    so other packages link only to the rest."""
    if not event_ids:
        return {}
    rows = await Event.select(Event.id, Event.title).where(
        Event.id.is_in(event_ids) & (Event.status != "draft")
    )
    return {r["id"]: r["title"] for r in rows}


async def linkable_events(limit: int = 200) -> list[EventChoice]:
    """Events something may belong to, latest first, drafts left out."""
    rows = (
        await Event.select(Event.id, Event.title, Event.kind)
        .where(Event.status != "draft")
        .order_by(Event.starts_at, ascending=False)
        .limit(limit)
    )
    return [EventChoice(id=r["id"], title=r["title"], kind=r["kind"]) for r in rows]
