"""Registration: capacity that never oversells, a first-come waitlist, time-boxed offers.

Every change runs in one short write transaction that first locks the event
row (PostgreSQL: SELECT ... FOR UPDATE; SQLite: BEGIN IMMEDIATE serialises all
writers), so the seat count it reads cannot change before it writes. The
partial unique indexes on live registrations are the second line of defence
against a person registering twice.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from piccolo.engine.postgres import PostgresEngine

from accounts.principal import Principal, Role
from events import errors
from events.schemas import RegistrationOut
from events.services.access import may_run_event
from events.services.seats import LIVE, seats_taken
from events.tables import Event, Registration, RegistrationChange
from grandrounds.db import engine, is_unique_violation, now, write_transaction
from grandrounds.settings import get_settings
from notifications.outbox import enqueue_email


async def _lock_event(event_id: int) -> dict[str, Any]:
    query = Event.select().where(Event.id == event_id)
    if isinstance(engine(), PostgresEngine):
        query = query.lock_rows("UPDATE")
    row = await query.first()
    if row is None:
        raise errors.event_not_found()
    return row


async def _record(
    registration_id: int, from_status: str, to_status: str, by: int | None, reason: str
) -> None:
    await RegistrationChange.insert(
        RegistrationChange(
            registration=registration_id,
            from_status=from_status,
            to_status=to_status,
            by_person=by,
            reason=reason,
        )
    )


async def _move(reg: dict[str, Any], to_status: str, by: int | None, reason: str, **values: Any) -> None:
    updates: dict[Any, Any] = {Registration.status: to_status, Registration.updated_at: now()}
    updates.update({getattr(Registration, k): v for k, v in values.items()})
    await Registration.update(updates).where(Registration.id == reg["id"])
    await _record(reg["id"], reg["status"], to_status, by, reason)


def _context(event: dict[str, Any], name: str) -> dict[str, Any]:
    base = get_settings().base_url
    return {"name": name, "event_title": event["title"], "registrations_url": f"{base}/registrations"}


async def register(principal: Principal, event_id: int) -> RegistrationOut:
    """Confirm a free place if one is left and nobody is waiting; otherwise join the line."""
    try:
        async with write_transaction():
            event = await _lock_event(event_id)
            if event["status"] != "published" or event["ends_at"] <= now():
                raise errors.not_open()
            if event["member_only"] and not principal.has_any(Role.MEMBER, Role.PROGRAM_STAFF):
                raise errors.members_only()
            live = Registration.status.is_in(list(LIVE))
            mine = (Registration.person == principal.person_id) | (Registration.email_key == principal.email)
            if await Registration.exists().where((Registration.event == event_id) & live & mine):
                raise errors.duplicate()
            queue = await Registration.count().where(
                (Registration.event == event_id) & Registration.status.is_in(["waitlisted", "offered"])
            )
            has_seat = queue == 0 and await seats_taken(event_id) < event["capacity"]
            status = "confirmed" if has_seat else "waitlisted"
            row = (
                await Registration.insert(
                    Registration(
                        event=event_id, person=principal.person_id, email_key=principal.email, status=status
                    )
                ).returning(Registration.id)
            )[0]
            await _record(row["id"], "", status, principal.person_id, "registered")
            template = "registration_confirmed" if has_seat else "registration_waitlisted"
            await enqueue_email(
                template, principal.email, _context(event, principal.name), person_id=principal.person_id
            )
    except Exception as exc:
        if is_unique_violation(exc):
            raise errors.duplicate() from exc
        raise
    return await registration_out(row["id"])


async def _offer_next(event: dict[str, Any], by: int | None) -> None:
    """Give freed seats to the front of the line, in sign-up order, as time-boxed offers."""
    free = event["capacity"] - await seats_taken(event["id"])
    if free <= 0:
        return
    waiting = (
        await Registration.select()
        .where((Registration.event == event["id"]) & (Registration.status == "waitlisted"))
        .order_by(Registration.created_at)
        .order_by(Registration.id)
        .limit(free)
    )
    expires = now() + timedelta(hours=event["offer_hours"])
    for reg in waiting:
        await _move(reg, "offered", by, "seat freed", offer_expires_at=expires)
        person = await _person(reg["person"])
        await enqueue_email(
            "waitlist_offer",
            reg["email_key"],
            {**_context(event, person["name"]), "expires_at": expires.isoformat(timespec="minutes")},
            person_id=reg["person"],
        )


async def _person(person_id: int) -> dict[str, Any]:
    from accounts.tables import Person

    row = await Person.select(Person.name, Person.email).where(Person.id == person_id).first()
    return row or {"name": "", "email": ""}


async def _load_for_change(
    principal: Principal, registration_id: int
) -> tuple[dict[str, Any], dict[str, Any]]:
    reg = await Registration.select().where(Registration.id == registration_id).first()
    if reg is None:
        raise errors.registration_not_found()
    if reg["person"] != principal.person_id and not await may_run_event(principal, reg["event"]):
        raise errors.not_yours()
    event = await _lock_event(reg["event"])
    # Re-read under the lock: the row may have moved while we waited for it.
    fresh = await Registration.select().where(Registration.id == registration_id).first()
    assert fresh is not None
    return fresh, event


async def cancel(principal: Principal, registration_id: int) -> RegistrationOut:
    async with write_transaction():
        reg, event = await _load_for_change(principal, registration_id)
        if reg["status"] not in LIVE:
            raise errors.not_live()
        await _move(reg, "cancelled", principal.person_id, "cancelled by registrant or staff")
        await _offer_next(event, principal.person_id)
    return await registration_out(registration_id)


async def claim_offer(principal: Principal, registration_id: int) -> RegistrationOut:
    async with write_transaction():
        reg, event = await _load_for_change(principal, registration_id)
        if reg["status"] != "offered" or reg["offer_expires_at"] is None or reg["offer_expires_at"] <= now():
            raise errors.no_open_offer()
        await _move(reg, "confirmed", principal.person_id, "offer claimed", offer_expires_at=None)
        person = await _person(reg["person"])
        await enqueue_email(
            "registration_confirmed",
            reg["email_key"],
            _context(event, person["name"]),
            person_id=reg["person"],
        )
    return await registration_out(registration_id)


async def decline_offer(principal: Principal, registration_id: int) -> RegistrationOut:
    async with write_transaction():
        reg, event = await _load_for_change(principal, registration_id)
        if reg["status"] != "offered":
            raise errors.no_open_offer()
        await _move(reg, "declined", principal.person_id, "offer declined", offer_expires_at=None)
        await _offer_next(event, principal.person_id)
    return await registration_out(registration_id)


async def expire_offers() -> int:
    """Close offers whose time ran out and pass each seat on; run by the background dispatcher."""
    due = await Registration.select(Registration.id, Registration.event).where(
        (Registration.status == "offered") & (Registration.offer_expires_at <= now())
    )
    for row in due:
        async with write_transaction():
            event = await _lock_event(row["event"])
            reg = await Registration.select().where(Registration.id == row["id"]).first()
            if reg is None or reg["status"] != "offered" or reg["offer_expires_at"] > now():
                continue
            await _move(reg, "expired", None, "offer expired", offer_expires_at=None)
            await _offer_next(event, None)
    return len(due)


async def registration_out(registration_id: int) -> RegistrationOut:
    reg = await Registration.select().where(Registration.id == registration_id).first()
    if reg is None:
        raise errors.registration_not_found()
    join_url = None
    if reg["status"] == "confirmed":
        event = await Event.select(Event.join_url).where(Event.id == reg["event"]).first()
        join_url = (event or {}).get("join_url") or None
    return RegistrationOut(
        id=reg["id"],
        event_id=reg["event"],
        status=reg["status"],
        created_at=reg["created_at"],
        offer_expires_at=reg["offer_expires_at"],
        join_url=join_url,
    )


async def my_registrations(person_id: int) -> list[RegistrationOut]:
    rows = (
        await Registration.select(Registration.id)
        .where(Registration.person == person_id)
        .order_by(Registration.id)
    )
    return [await registration_out(r["id"]) for r in rows]
