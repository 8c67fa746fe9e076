"""Creating, publishing, editing and cancelling events.

Editing takes the event's row lock (SQLite: the one writer) so the seat count
that capacity is checked against cannot change before the write, and the
session of a one-sitting event moves with it in the same transaction, with
its SEQUENCE raised and updated invites queued.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlparse

import msgspec

from accounts.audit import trail as audit
from accounts.principal import Principal
from accounts.services.people import check_time_zone
from accounts.services.programs import runs_program
from accounts.tables import Program
from events import errors
from events.registration_status import LIVE
from events.schemas import CancelRequest, EventCreate, EventOut, EventPage, EventUpdate
from events.services.access import event_for_staff
from events.services.catalogue import CatalogueQuery, search
from events.services.invites import copies as invites
from events.services.registration.lifecycle import cancel_by_staff, capacity_raised
from events.services.registration.seats import Place, lock_event, seats_taken, seats_taken_at_events
from events.tables import Event, Registration, Session
from grandrounds.db import now, write_transaction
from grandrounds.errors import DomainError


def check_zone(zone: str) -> str:
    try:
        return check_time_zone(zone)
    except DomainError:
        raise errors.time_zone_unknown() from None


def is_web_link(url: str) -> bool:
    """An http(s) address with a host: never javascript:, data: or a bare word in a join link."""
    if url != url.strip() or any(c.isspace() or ord(c) < 32 for c in url):
        return False
    parts = urlparse(url)
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def check_reminder_hours(setting: str) -> str:
    """ "24,1" style: whole hours 1..336, at most six, or empty for no reminders."""
    pieces = [p.strip() for p in setting.split(",")] if setting.strip() else []
    if len(pieces) > 6 or not all(p.isdigit() and 1 <= int(p) <= 336 for p in pieces):
        raise errors.reminder_hours_invalid()
    return ",".join(str(int(p)) for p in pieces)


def _validate(data: EventCreate) -> None:
    check_zone(data.time_zone)
    if data.starts_at.tzinfo is None or data.ends_at.tzinfo is None:
        raise errors.times_naive()
    if data.ends_at <= data.starts_at:
        raise errors.times_invalid()
    if data.join_url and not is_web_link(data.join_url):
        raise errors.join_url_invalid()


# Kinds that are one sitting: they get a session spanning the event when created.
SINGLE_SESSION_KINDS = ("webinar", "workshop", "consultation")


async def create_event(principal: Principal, data: EventCreate) -> EventOut:
    _validate(data)
    if data.program_id is not None and not await Program.exists().where(Program.id == data.program_id):
        raise errors.program_unknown()
    if not await runs_program(principal, data.program_id):
        raise errors.not_your_program()
    async with write_transaction():
        row = (
            await Event.insert(
                Event(
                    kind=data.kind,
                    title=" ".join(data.title.split()),
                    description=data.description,
                    time_zone=data.time_zone,
                    starts_at=data.starts_at.astimezone(UTC),
                    ends_at=data.ends_at.astimezone(UTC),
                    venue=data.venue,
                    join_url=data.join_url,
                    capacity=data.capacity,
                    member_only=data.member_only,
                    offer_hours=data.offer_hours,
                    created_by=principal.person_id,
                    program=data.program_id,
                    topic=data.topic.strip(),
                )
            ).returning(Event.id)
        )[0]
        session_id: int | None = None
        if data.kind in SINGLE_SESSION_KINDS:
            session = await Session.insert(
                Session(
                    event=row["id"],
                    title=" ".join(data.title.split()),
                    starts_at=data.starts_at.astimezone(UTC),
                    ends_at=data.ends_at.astimezone(UTC),
                    room=data.venue,
                    join_url=data.join_url,
                    checkin_secret=secrets.token_hex(32),
                )
            ).returning(Session.id)
            session_id = session[0]["id"]
        await audit.record(
            "event.create",
            "event",
            row["id"],
            after={
                "kind": data.kind,
                "title": " ".join(data.title.split()),
                "program_id": data.program_id,
                "time_zone": data.time_zone,
                "starts_at": data.starts_at.astimezone(UTC),
                "ends_at": data.ends_at.astimezone(UTC),
                "capacity": data.capacity,
                "member_only": data.member_only,
            },
            details={"session_id": session_id} if session_id is not None else None,
        )
    return await event_out(row["id"])


async def publish_event(principal: Principal, event_id: int) -> EventOut:
    """Publish a draft; publishing an event that is not a draft changes (and records) nothing."""
    event = await event_for_staff(principal, event_id)
    if event["status"] != "draft":
        return await event_out(event_id)
    async with write_transaction():
        status = (await lock_event(event_id))["status"]
        if status == "draft":
            await Event.update({Event.status: "published"}).where(Event.id == event_id)
        # Recorded even when a simultaneous request changed it first: this transaction commits.
        await audit.record(
            "event.publish",
            "event",
            event_id,
            before={"status": status},
            after={"status": "published" if status == "draft" else status},
        )
    return await event_out(event_id)


def _out(row: dict[str, Any], taken: int) -> EventOut:
    return EventOut(
        id=row["id"],
        kind=row["kind"],
        title=row["title"],
        description=row["description"],
        time_zone=row["time_zone"],
        starts_at=row["starts_at"],
        ends_at=row["ends_at"],
        venue=row["venue"],
        capacity=row["capacity"],
        status=row["status"],
        member_only=row["member_only"],
        seats_left=max(row["capacity"] - taken, 0),
        program_id=row["program"],
        topic=row["topic"],
        reminder_hours=row["reminder_hours"],
    )


async def event_out(event_id: int, include_unpublished: bool = True) -> EventOut:
    row = await Event.select().where(Event.id == event_id).first()
    if row is None or (not include_unpublished and row["status"] == "draft"):
        raise errors.event_not_found()
    return _out(row, await seats_taken(event_id))


async def list_published(query: CatalogueQuery) -> EventPage:
    """Published events still to come that match the catalogue's filters, soonest first.

    The read-model of the catalogue: the JSON list and the /events page both show it.
    Seats are counted for the whole page at once, so a page costs the same few queries
    whatever its size."""
    found = await search(query)
    taken = await seats_taken_at_events([row["id"] for row in found.rows])
    items = [_out(row, taken.get(row["id"], 0)) for row in found.rows]
    return EventPage(items=items, total=found.total, limit=query.limit, offset=query.offset)


def _utc(moment: datetime, field: str) -> datetime:
    if moment.tzinfo is None:
        raise errors.times_naive(field)
    return moment.astimezone(UTC)


def _changes(data: EventUpdate) -> dict[str, Any]:
    """What the request changes, checked field by field (rules that need the database come later)."""
    given = {f: getattr(data, f) for f in data.__struct_fields__ if getattr(data, f) is not msgspec.UNSET}
    changes: dict[str, Any] = {}
    for field, value in given.items():
        if field == "title":
            value = " ".join(value.split())
            if not value:
                raise errors.title_blank()
        elif field == "join_url" and value and not is_web_link(value):
            raise errors.join_url_invalid()
        elif field == "capacity" and not 1 <= value <= 100_000:
            raise errors.capacity_invalid()
        elif field in ("starts_at", "ends_at"):
            value = _utc(value, field)
        elif field == "time_zone":
            value = check_zone(value)
        elif field == "reminder_hours":
            value = check_reminder_hours(value)
        elif field in ("venue", "topic"):
            value = value.strip()
        changes[field] = value
    return changes


async def _check_capacity(event: dict[str, Any], capacity: int, sessions: list[dict[str, Any]]) -> None:
    taken = await seats_taken(event["id"])
    if capacity < taken:
        raise errors.capacity_below_registrations(taken)
    biggest = max((s["capacity"] for s in sessions if s["capacity"]), default=0)
    if capacity < biggest:
        raise errors.capacity_below_session(biggest)


async def _follow(
    session: dict[str, Any], old: dict[str, Any], new: dict[str, Any], changes: dict[str, Any], mirror: bool
) -> bool:
    """Carry an event change to one session: a one-sitting event's session mirrors the event;
    any session whose time, place or link (its own or the event's it falls back on) moved
    gets a higher SEQUENCE and updated invites. True when it moved."""
    updates: dict[str, Any] = {}
    if mirror:
        updates.update(starts_at=new["starts_at"], ends_at=new["ends_at"])
        mirrored = (("room", "venue"), ("join_url", "join_url"), ("title", "title"))
        updates.update({column: changes[field] for column, field in mirrored if field in changes})
    moved_to = {**session, **updates}
    moved: bool = (
        moved_to["starts_at"] != session["starts_at"]
        or moved_to["ends_at"] != session["ends_at"]
        or (moved_to["room"] or new["venue"]) != (session["room"] or old["venue"])
        or (moved_to["join_url"] or new["join_url"]) != (session["join_url"] or old["join_url"])
        or new["time_zone"] != old["time_zone"]
    )
    if not updates and not moved:
        return False
    before = await invites.invitees(session["id"])
    values: dict[Any, Any] = {getattr(Session, k): v for k, v in updates.items()}
    values[Session.updated_at] = now()
    if moved:
        values[Session.sequence] = session["sequence"] + 1
    await Session.update(values).where(Session.id == session["id"])
    if moved:
        await invites.announce_session_change(session["id"], before, moved=True)
    return moved


# A change of these moves the event in time: the trail calls it a reschedule, not an edit.
TIMES = ("starts_at", "ends_at")


async def update_event(principal: Principal, event_id: int, data: EventUpdate) -> EventOut:
    """Edit or reschedule. An empty change writes and records nothing (a cancelled event still refuses)."""
    found = await event_for_staff(principal, event_id)
    changes = _changes(data)
    if not changes:
        if found["status"] == "cancelled":
            raise errors.event_cancelled()
        return await event_out(event_id)
    async with write_transaction():
        event = await lock_event(event_id)
        if event["status"] == "cancelled":
            raise errors.event_cancelled()
        new = {**event, **changes}
        if new["ends_at"] <= new["starts_at"]:
            raise errors.times_invalid()
        sessions = await Session.select().where((Session.event == event_id) & (Session.status == "scheduled"))
        if "capacity" in changes:
            await _check_capacity(event, changes["capacity"], sessions)
        mirrored = sessions[0]["id"] if event["kind"] in SINGLE_SESSION_KINDS and len(sessions) == 1 else None
        if any(
            s["starts_at"] < new["starts_at"] or s["ends_at"] > new["ends_at"]
            for s in sessions
            if s["id"] != mirrored
        ):
            raise errors.sessions_outside_span()
        values: dict[Any, Any] = {getattr(Event, k): v for k, v in changes.items()}
        await Event.update({**values, Event.updated_at: now()}).where(Event.id == event_id)
        # Its own copy (a conference's whole-event registrants) moves with its span, venue, link.
        await invites.announce_event_change(event, new)
        moved = 0
        for session in sessions:
            moved += await _follow(session, event, new, changes, mirror=session["id"] == mirrored)
        if changes.get("capacity", 0) > event["capacity"]:
            # More seats: the line moves up, as when a seat is freed.
            await capacity_raised(Place(new), principal.person_id)
        rescheduled = any(field in changes and changes[field] != event[field] for field in TIMES)
        await audit.record(
            "event.reschedule" if rescheduled else "event.update",
            "event",
            event_id,
            before={field: event[field] for field in changes},
            after=changes,
            details={"sessions_moved": moved} if moved else None,
        )
    return await event_out(event_id)


async def cancel_event(principal: Principal, event_id: int, data: CancelRequest) -> EventOut:
    """Cancel the event, its sessions and every live registration, with history, and tell everyone."""
    reason = " ".join(data.reason.split())
    if not reason:
        raise errors.cancel_reason_required()
    await event_for_staff(principal, event_id)
    async with write_transaction():
        event = await lock_event(event_id)
        if event["status"] == "cancelled":
            raise errors.event_cancelled()
        moment = now()
        sessions = await Session.select(Session.id).where(
            (Session.event == event_id) & (Session.status == "scheduled")
        )
        session_ids = [s["id"] for s in sessions]
        if session_ids:
            await Session.update(
                {
                    Session.status: "cancelled",
                    Session.sequence: Session.sequence + 1,
                    Session.updated_at: moment,
                }
            ).where(Session.id.is_in(session_ids))
        live = await Registration.select().where(
            (Registration.event == event_id) & Registration.status.is_in(list(LIVE))
        )
        await invites.announce_event_cancelled(event_id, session_ids, live, reason)
        await cancel_by_staff(live, principal.person_id, f"event cancelled: {reason}", at=moment)
        await Event.update({Event.status: "cancelled", Event.updated_at: moment}).where(Event.id == event_id)
        await audit.record(
            "event.cancel",
            "event",
            event_id,
            before={"status": event["status"]},
            after={"status": "cancelled"},
            details={
                "reason": reason,
                "sessions_cancelled": len(session_ids),
                "registrations_cancelled": len(live),
            },
        )
    return await event_out(event_id)
