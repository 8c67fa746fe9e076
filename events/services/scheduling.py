"""Creating and publishing events."""

from __future__ import annotations

import secrets
from datetime import UTC
from typing import Any

from accounts.principal import Principal
from accounts.services.people import check_time_zone
from accounts.services.programs import runs_program
from accounts.tables import Program
from events import errors
from events.schemas import EventCreate, EventOut, EventPage
from events.services.access import event_for_staff
from events.services.seats import seats_taken
from events.tables import Event, Session
from grandrounds.db import write_transaction
from grandrounds.errors import DomainError


def _validate(data: EventCreate) -> None:
    try:
        check_time_zone(data.time_zone)
    except DomainError:
        raise errors.time_zone_unknown() from None
    if data.starts_at.tzinfo is None or data.ends_at.tzinfo is None:
        raise DomainError("event.times_naive", "Give times with an offset, e.g. 2027-03-05T14:00:00Z.")
    if data.ends_at <= data.starts_at:
        raise errors.times_invalid()


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
        if data.kind in SINGLE_SESSION_KINDS:
            await Session.insert(
                Session(
                    event=row["id"],
                    title=" ".join(data.title.split()),
                    starts_at=data.starts_at.astimezone(UTC),
                    ends_at=data.ends_at.astimezone(UTC),
                    room=data.venue,
                    join_url=data.join_url,
                    checkin_secret=secrets.token_hex(32),
                )
            )
    return await event_out(row["id"])


async def publish_event(principal: Principal, event_id: int) -> EventOut:
    await event_for_staff(principal, event_id)
    async with write_transaction():
        await Event.update({Event.status: "published"}).where(
            (Event.id == event_id) & (Event.status == "draft")
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
    )


async def event_out(event_id: int, include_unpublished: bool = True) -> EventOut:
    row = await Event.select().where(Event.id == event_id).first()
    if row is None or (not include_unpublished and row["status"] == "draft"):
        raise errors.event_not_found()
    return _out(row, await seats_taken(event_id))


async def list_published(limit: int, offset: int, kind: str | None = None) -> EventPage:
    condition: Any = Event.status == "published"
    if kind:
        condition = condition & (Event.kind == kind)
    rows = await Event.select().where(condition).order_by(Event.starts_at).limit(limit).offset(offset)
    items = [_out(row, await seats_taken(row["id"])) for row in rows]
    return EventPage(items=items, total=await Event.count().where(condition), limit=limit, offset=offset)
