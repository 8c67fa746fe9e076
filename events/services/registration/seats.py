"""How many seats a place has given out, and who is next in line: the counts capacity is checked against.

A place is the whole event (registrations without a session) or one session
with its own capacity (a workshop seat, a consultation slot); each has its own
seats and its own line.

Confirmed places, unpaid checkouts and open waitlist offers all hold a seat;
a hold or an offer stops holding one the moment it expires, even before the
expiry chore has marked it.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from piccolo.engine.postgres import PostgresEngine
from piccolo.query.functions.aggregate import Count

from events import errors
from events.registration_status import LIVE, RegistrationStatus
from events.tables import Event, Registration, Session
from grandrounds.db import engine, now

Row = dict[str, Any]
Status = RegistrationStatus


@dataclass(frozen=True, slots=True)
class Place:
    """Where a registration holds its seat: the whole event, or one session with its own capacity."""

    event: Row
    session: Row | None = None

    @property
    def session_id(self) -> int | None:
        return None if self.session is None else int(self.session["id"])

    @property
    def program_id(self) -> int | None:
        """The program running the event: its staff see the mail this place sends."""
        return self.event.get("program")

    @property
    def capacity(self) -> int:
        return int(self.session["capacity"] if self.session is not None else self.event["capacity"])

    @property
    def title(self) -> str:
        if self.session is None:
            return str(self.event["title"])
        return f"{self.event['title']}: {self.session['title']}"

    @property
    def join_url(self) -> str | None:
        """The online link a confirmed registrant gets: the session's own, else the event's."""
        session_url = self.session["join_url"] if self.session is not None else ""
        return session_url or self.event["join_url"] or None

    def scope(self) -> Any:
        """The registrations that compete for this place's seats."""
        if self.session is None:
            return (Registration.event == self.event["id"]) & Registration.session.is_null()
        return Registration.session == self.session["id"]


async def lock_event(event_id: int) -> Row:
    """The event row, locked until commit (PostgreSQL; SQLite's BEGIN IMMEDIATE already serialises
    writers): every change to an event's seats, in any of its places, queues behind this lock."""
    query = Event.select().where(Event.id == event_id)
    if isinstance(engine(), PostgresEngine):
        query = query.lock_rows("UPDATE")
    row = await query.first()
    if row is None:
        raise errors.event_not_found()
    return row


async def open_place(event: Row, session_id: int | None) -> Place:
    """The place being booked, if it takes registrations now."""
    at = now()
    if event["status"] != "published" or event["ends_at"] <= at:
        raise errors.not_open()
    if session_id is None:
        return Place(event)
    session = (
        await Session.select().where((Session.id == session_id) & (Session.event == event["id"])).first()
    )
    if session is None:
        raise errors.session_not_found()
    if session["capacity"] is None:
        raise errors.session_not_bookable()
    if session["status"] != "scheduled" or session["ends_at"] <= at:
        raise errors.session_closed()
    return Place(event, session)


async def place_of(event: Row, reg: Row) -> Place:
    """The place an existing registration holds (or waits for)."""
    if reg["session"] is None:
        return Place(event)
    return Place(event, await Session.select().where(Session.id == reg["session"]).first())


@dataclass(frozen=True, slots=True)
class Occupancy:
    taken: int  # seats held: confirmed, unexpired checkouts, unexpired offers
    waiting: int  # registrations waitlisted behind them


# One round trip for both numbers: this runs inside every registration's write lock.
_OCCUPANCY = f"""
SELECT
  COALESCE(SUM(CASE WHEN status = '{Status.CONFIRMED}'
    OR (status = '{Status.PENDING_PAYMENT}' AND (hold_expires_at IS NULL OR hold_expires_at > {{}}))
    OR (status = '{Status.OFFERED}' AND offer_expires_at > {{}}) THEN 1 ELSE 0 END), 0) AS taken,
  COALESCE(SUM(CASE WHEN status = '{Status.WAITLISTED}' THEN 1 ELSE 0 END), 0) AS waiting
FROM events_registration
WHERE event = {{}} AND status IN ({", ".join(f"'{s}'" for s in sorted(LIVE))}) AND %s
"""  # noqa: S608 - the statuses are the enum's own constants, the values are bound parameters


async def occupancy(event_id: int, session_id: int | None = None) -> Occupancy:
    at = now()
    if session_id is None:
        rows = await Registration.raw(_OCCUPANCY % "session IS NULL", at, at, event_id)
    else:
        rows = await Registration.raw(_OCCUPANCY % "session = {}", at, at, event_id, session_id)
    return Occupancy(taken=int(rows[0]["taken"]), waiting=int(rows[0]["waiting"]))


async def seats_taken(event_id: int, session_id: int | None = None) -> int:
    """Seats held at the event (session_id None) or in one session with its own capacity."""
    return (await occupancy(event_id, session_id)).taken


def _holds_seat(at: datetime) -> Any:
    """The same rule as _OCCUPANCY's "taken", as a query condition for counting many places at once."""
    return (
        (Registration.status == RegistrationStatus.CONFIRMED)
        | (
            (Registration.status == RegistrationStatus.PENDING_PAYMENT)
            & (Registration.hold_expires_at.is_null() | (Registration.hold_expires_at > at))
        )
        | ((Registration.status == RegistrationStatus.OFFERED) & (Registration.offer_expires_at > at))
    )


async def seats_taken_at_events(event_ids: Collection[int]) -> dict[int, int]:
    """Seats held at each event's whole-event place, in one query: lists of events show them all.
    An event nobody holds a seat at is absent (read it as 0)."""
    if not event_ids:
        return {}
    rows = await (
        Registration.select(Registration.event, Count(alias="taken"))
        .where(
            Registration.event.is_in(list(event_ids)) & Registration.session.is_null() & _holds_seat(now())
        )
        .group_by(Registration.event)
    )
    return {r["event"]: r["taken"] for r in rows}


async def seats_taken_in_sessions(event_id: int) -> dict[int, int]:
    """Seats held in each session of an event that has its own capacity, in one query.
    A session nobody holds a seat in is absent (read it as 0)."""
    rows = await (
        Registration.select(Registration.session, Count(alias="taken"))
        .where((Registration.event == event_id) & Registration.session.is_not_null() & _holds_seat(now()))
        .group_by(Registration.session)
    )
    return {r["session"]: r["taken"] for r in rows}


def _counts_against_ticket(at: datetime) -> Any:
    """Registrations that use up a ticket type's quantity: every live one whose hold or offer is
    still open, the waitlisted included, so an offer made later never finds its type sold out."""
    return (
        Registration.status.is_in([Status.CONFIRMED, Status.WAITLISTED])
        | (
            (Registration.status == Status.PENDING_PAYMENT)
            & (Registration.hold_expires_at.is_null() | (Registration.hold_expires_at > at))
        )
        | ((Registration.status == Status.OFFERED) & (Registration.offer_expires_at > at))
    )


async def ticket_taken(ticket_type_id: int) -> int:
    count: int = await Registration.count().where(
        (Registration.ticket_type == ticket_type_id) & _counts_against_ticket(now())
    )
    return count


async def tickets_taken(event_id: int) -> dict[int, int]:
    """Places taken per ticket type of an event, for showing what is left."""
    rows = await (
        Registration.select(Registration.ticket_type, Count(alias="taken"))
        .where(
            (Registration.event == event_id)
            & Registration.ticket_type.is_not_null()
            & _counts_against_ticket(now())
        )
        .group_by(Registration.ticket_type)
    )
    return {r["ticket_type"]: r["taken"] for r in rows}


def units_that_fit(line: Sequence[dict[str, Any]], free: int) -> list[list[dict[str, Any]]]:
    """The front of the line that ``free`` seats can serve, in order, a party counting as one unit.

    ``line`` is the waitlist in sign-up order. A party's registrations share
    one ``created_at`` (they were made in one transaction), so they sit next
    to each other. Units are taken from the front while the whole unit fits;
    the first one that does not fit stops the walk, so nobody behind it jumps
    ahead. Reading ``free + 1`` rows is enough: a unit cut off at the end of
    that window already needs more than ``free`` seats.
    """
    units: list[list[dict[str, Any]]] = []
    for reg in line:
        if units and reg["party"] and units[-1][0]["party"] == reg["party"]:
            units[-1].append(reg)
        else:
            units.append([reg])
    taken: list[list[dict[str, Any]]] = []
    for unit in units:
        if len(unit) > free:
            break
        taken.append(unit)
        free -= len(unit)
    return taken
