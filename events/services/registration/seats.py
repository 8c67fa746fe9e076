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
from events.registration_status import RegistrationStatus
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


async def lock_event(event_id: int, *, lock: bool = True) -> Row:
    """The event row, locked until commit (PostgreSQL; SQLite's BEGIN IMMEDIATE already serialises
    writers): every change to an event's seats, in any of its places, queues behind this lock.
    ``lock=False`` reads it only, for a caller that takes its seat with :func:`take_seats`.

    NO KEY UPDATE, the strength an UPDATE of its columns takes: it queues behind take_seats and
    the counters' updates, but not behind the key-share lock every registration's foreign key
    check takes, so sign-ups writing their rows never wait for it (nor it for them)."""
    query = Event.select().where(Event.id == event_id)
    if lock and isinstance(engine(), PostgresEngine):
        query = query.lock_rows("NO KEY UPDATE")
    row = await query.first()
    if row is None:
        raise errors.event_not_found()
    return row


# The hot path's lock and seat check in one short statement: the row lock it takes is held to
# commit, and every condition reads the locked row itself, so PostgreSQL re-checks them all on the
# newest version of the row when a concurrent booking commits first (no stale snapshot of the line).
_TAKE_SEATS = """
UPDATE events_event SET seats_held = seats_held + {}
WHERE id = {} AND status = 'published' AND ends_at > {} AND waiting = 0 AND seats_held + {} <= capacity
RETURNING id
"""


async def take_seats(place: Place, seats: int) -> bool:
    """Seat ``seats`` people at the whole-event place now if the counters leave room and nobody
    waits; False (nothing changed) when full, when someone waits, or when it stopped taking
    registrations meanwhile: the caller then locks the event and decides exactly."""
    assert place.session is None, "a session's seats are decided under the event lock"
    rows = await Event.raw(_TAKE_SEATS, seats, place.event["id"], now(), seats)
    return bool(rows)


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


# Which statuses each counter of a place counts (events_event / events_session: seats_held, waiting).
HOLDS_SEAT = frozenset({Status.CONFIRMED, Status.PENDING_PAYMENT, Status.OFFERED})


def counter_steps(from_status: str, to_status: str) -> tuple[int, int]:
    """How a move from one status to another changes its place's (seats_held, waiting)."""

    def weight(status: str) -> tuple[int, int]:
        return (int(status in HOLDS_SEAT), int(status == Status.WAITLISTED))

    before, after = weight(from_status), weight(to_status)
    return after[0] - before[0], after[1] - before[1]


_SHIFT = "UPDATE %s SET seats_held = seats_held + {}, waiting = waiting + {} WHERE id = {}"
_SHIFT_EVENT = _SHIFT % "events_event"
_SHIFT_SESSION = _SHIFT % "events_session"


async def shift_counters(event_id: int, session_id: int | None, held: int, waiting: int) -> None:
    """Move a place's counters by what its registrations just did, inside their transaction (the
    event row is locked, so no other writer of this place's counters runs meanwhile)."""
    if held == 0 and waiting == 0:
        return
    if session_id is None:
        await Registration.raw(_SHIFT_EVENT, held, waiting, event_id)
    else:
        await Registration.raw(_SHIFT_SESSION, held, waiting, session_id)


@dataclass(frozen=True, slots=True)
class Occupancy:
    held: int  # registrations holding a seat by status, lapsed holds and offers included
    waiting: int  # registrations waitlisted
    lapsed: int  # of ``held``: checkouts and offers past their deadline, not yet marked expired

    @property
    def taken(self) -> int:
        """Seats held now: a hold or an offer stops holding one the moment it expires."""
        return self.held - self.lapsed


_COUNTERS_EVENT = "SELECT seats_held, waiting FROM events_event WHERE id = {}"
_COUNTERS_SESSION = "SELECT seats_held, waiting FROM events_session WHERE id = {}"

# Holds and offers past their deadline that the expiry chores have not marked yet. The (event,
# status) and (session, status) indexes bound it by the place's open holds, never its history.
_LAPSED = f"""
SELECT COUNT(*) AS lapsed FROM events_registration
WHERE %s AND (
  (status = '{Status.PENDING_PAYMENT}' AND hold_expires_at <= {{}})
  OR (status = '{Status.OFFERED}' AND offer_expires_at <= {{}}))
"""  # noqa: S608 - the statuses are the enum's own constants, the values are bound parameters
_LAPSED_EVENT = _LAPSED % "event = {} AND session IS NULL"
_LAPSED_SESSION = _LAPSED % "session = {}"


async def lapsed_holds(event_id: int, session_id: int | None) -> int:
    at = now()
    if session_id is None:
        rows = await Registration.raw(_LAPSED_EVENT, event_id, at, at)
    else:
        rows = await Registration.raw(_LAPSED_SESSION, session_id, at, at)
    return int(rows[0]["lapsed"])


async def occupancy(place: Place, *, room_for: int = 1) -> Occupancy:
    """The place's counters as they are in this transaction, exact for the question asked: lapsed
    holds are counted (one more indexed query) only when they could change the answer, that is when
    someone waits for a seat or the counters alone leave no room for ``room_for`` more."""
    if place.session_id is None:
        rows = await Registration.raw(_COUNTERS_EVENT, place.event["id"])
    else:
        rows = await Registration.raw(_COUNTERS_SESSION, place.session_id)
    held, waiting = int(rows[0]["seats_held"]), int(rows[0]["waiting"])
    lapsed = 0
    if waiting or held + room_for > place.capacity:
        lapsed = await lapsed_holds(place.event["id"], place.session_id)
    return Occupancy(held=held, waiting=waiting, lapsed=lapsed)


async def seats_taken(event_id: int, session_id: int | None = None) -> int:
    """Seats held at the event (session_id None) or in one session with its own capacity."""
    if session_id is None:
        rows = await Registration.raw(_COUNTERS_EVENT, event_id)
    else:
        rows = await Registration.raw(_COUNTERS_SESSION, session_id)
    if not rows:
        return 0
    return int(rows[0]["seats_held"]) - await lapsed_holds(event_id, session_id)


def _holds_seat(at: datetime) -> Any:
    """The same rule as Occupancy.taken, as a query condition for counting many places at once."""
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
