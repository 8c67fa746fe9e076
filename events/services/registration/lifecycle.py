"""How a registration moves after sign-up: seats passed down the line, offers, checkout holds,
confirmation and cancellation.

Each public function is one write transaction that locks the event row first
(see seats.lock_event), re-reads the registration under the lock, moves it,
writes its history row and queues its email. A freed seat goes to the front
of the line as a time-boxed offer; a party is offered seats only when all of
it fits, and nobody behind it is served first. A party's offers are claimed,
declined and expire as one.

``on_confirmed`` and ``on_withdrawn`` are the single places every
confirmation and every withdrawal passes through.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from accounts.principal import Principal
from accounts.tables import Person
from events import errors
from events.schemas import RegistrationOut
from events.services.access import may_run_event
from events.services.consultations import bookings as consultations
from events.services.invites.copies import enqueue_registrant_invite
from events.services.join_links import whole_event_links
from events.services.registration.seats import (
    LIVE,
    Place,
    Row,
    lock_event,
    occupancy,
    place_of,
    units_that_fit,
)
from events.services.registration.withdrawal_hooks import ENDED, places_ended
from events.services.tickets import new_ticket_code
from events.tables import Registration, RegistrationChange
from grandrounds.db import is_unique_violation, now, write_transaction
from grandrounds.money import format_money
from grandrounds.settings import get_settings
from notifications.outbox import enqueue_email


def context(place: Place, name: str, **extra: Any) -> dict[str, Any]:
    """What every registration email may say; never the join link (see RegistrationOut.join_url)."""
    base = get_settings().base_url
    values = {"name": name, "event_title": place.title, "registrations_url": f"{base}/registrations"}
    return {**values, "booked_by_name": "", **extra}


async def move(reg: Row, to_status: str, by: int | None, reason: str, **values: Any) -> Row:
    """Change a registration's state and record who did it, when and why."""
    updates: dict[Any, Any] = {Registration.status: to_status, Registration.updated_at: now()}
    updates.update({getattr(Registration, k): v for k, v in values.items()})
    await Registration.update(updates).where(Registration.id == reg["id"])
    await RegistrationChange.insert(
        RegistrationChange(
            registration=reg["id"],
            from_status=reg["status"],
            to_status=to_status,
            by_person=by,
            reason=reason,
        )
    )
    if to_status in ENDED:
        await places_ended([reg["id"]])  # e.g. billing gives back points spent on it
    return {**reg, **values, "status": to_status}


async def on_confirmed(reg: Row, place: Place, name: str, booked_by_name: str = "") -> None:
    """A place became confirmed (free sign-up, claimed offer, paid checkout), inside its transaction.
    Every confirmation passes through here: the hook for what a confirmed registrant receives."""
    values = context(place, name, booked_by_name=booked_by_name)
    await enqueue_email("registration_confirmed", reg["email_key"], values, person_id=reg["person"])
    await enqueue_registrant_invite(reg["id"], "REQUEST")
    await consultations.on_booking_confirmed(reg, place)  # the expert hears of a booked slot


async def on_withdrawn(reg: Row, place: Place) -> None:
    """A confirmed place was given up (cancelled now; refunded once billing lands), inside its
    transaction: the hook for taking back what on_confirmed gave (the calendar copies)."""
    await enqueue_registrant_invite(reg["id"], "CANCEL")
    await consultations.on_booking_withdrawn(reg, place)


async def tell_pending(reg: Row, place: Place, name: str, **extra: Any) -> None:
    values = context(
        place,
        name,
        amount=format_money(reg["amount"], reg["currency"]),
        hold_expires_at=reg["hold_expires_at"].isoformat(timespec="minutes"),
        **extra,
    )
    await enqueue_email("registration_pending_payment", reg["email_key"], values, person_id=reg["person"])


def hold_until() -> datetime:
    """When a checkout starting now stops holding its seat (GRANDROUNDS_CHECKOUT_HOLD_MINUTES)."""
    return now() + timedelta(minutes=get_settings().checkout_hold_minutes)


async def _confirm(reg: Row, place: Place, by: int | None, reason: str, name: str) -> Row:
    code = reg["ticket_code"] or new_ticket_code()
    moved = await move(
        reg, "confirmed", by, reason, offer_expires_at=None, hold_expires_at=None, ticket_code=code
    )
    await on_confirmed(moved, place, name)
    return moved


async def _seat(reg: Row, place: Place, by: int | None, reason: str, name: str) -> Row:
    """Give a registration its seat: confirmed when nothing is owed, else a checkout hold on it."""
    if reg["amount"] <= 0:
        return await _confirm(reg, place, by, reason, name)
    moved = await move(
        reg, "pending_payment", by, reason, offer_expires_at=None, hold_expires_at=hold_until()
    )
    await tell_pending(moved, place, name)
    return moved


async def _names(person_ids: list[int]) -> dict[int, str]:
    rows = await Person.select(Person.id, Person.name).where(Person.id.is_in(person_ids or [0]))
    return {r["id"]: r["name"] for r in rows}


async def _unit(reg: Row, status: str) -> list[Row]:
    """A party's registrations in ``status`` move together; anyone else moves alone."""
    if not reg["party"]:
        return [reg]
    rows: list[Row] = await (
        Registration.select()
        .where((Registration.party == reg["party"]) & (Registration.status == status))
        .order_by(Registration.id)
    )
    return rows


async def offer_next(place: Place, by: int | None) -> None:
    """Give freed seats to the front of the line, in sign-up order, as time-boxed offers."""
    taken_now = await occupancy(place.event["id"], place.session_id)
    free = place.capacity - taken_now.taken
    if free <= 0 or taken_now.waiting == 0:
        return
    line = await (
        Registration.select()
        .where(place.scope() & (Registration.status == "waitlisted"))
        .order_by(Registration.created_at)
        .order_by(Registration.id)
        .limit(free + 1)
    )
    units = units_that_fit(line, free)
    if not units:
        return
    expires = now() + timedelta(hours=place.event["offer_hours"])
    names = await _names([reg["person"] for unit in units for reg in unit])
    for unit in units:
        for reg in unit:
            await move(reg, "offered", by, "seat freed", offer_expires_at=expires)
            values = context(
                place, names.get(reg["person"], ""), expires_at=expires.isoformat(timespec="minutes")
            )
            await enqueue_email("waitlist_offer", reg["email_key"], values, person_id=reg["person"])


async def _load_for_change(principal: Principal, registration_id: int) -> tuple[Row, Place, bool]:
    """The registration (re-read under its event's lock), its place, and whether the caller sees it
    whole. The registrant and the event's staff do; whoever booked it for them may change it but
    sees neither its ticket code nor its join link."""
    first = (
        await Registration.select(Registration.event, Registration.person, Registration.booked_by)
        .where(Registration.id == registration_id)
        .first()
    )
    if first is None:
        raise errors.registration_not_found()
    whole = first["person"] == principal.person_id or await may_run_event(principal, first["event"])
    if not whole and first["booked_by"] != principal.person_id:
        raise errors.not_yours()
    event = await lock_event(first["event"])
    reg = await Registration.select().where(Registration.id == registration_id).first()
    assert reg is not None  # registrations are never deleted
    return reg, await place_of(event, reg), whole


def out(reg: Row, join_url: str | None, *, owner_view: bool) -> RegistrationOut:
    """The registration as its owner (or the event's staff) sees it. Anyone else who may see it
    (whoever booked it for them) gets neither the ticket code nor the join link, and nobody gets
    them before the place is confirmed."""
    shown = owner_view and reg["status"] == "confirmed"
    return RegistrationOut(
        id=reg["id"],
        event_id=reg["event"],
        status=reg["status"],
        created_at=reg["created_at"],
        offer_expires_at=reg["offer_expires_at"],
        join_url=(join_url or None) if shown else None,
        ticket_type_id=reg["ticket_type"],
        session_id=reg["session"],
        price_tier=reg["price_tier"],
        amount=reg["amount"],
        currency=reg["currency"],
        hold_expires_at=reg["hold_expires_at"],
        ticket_code=reg["ticket_code"] if shown else None,
        party=reg["party"],
        booked_by=reg["booked_by"],
    )


def _with_links() -> list[Any]:
    return [
        *Registration.all_columns(),
        Registration.event.join_url.as_alias("event_join_url"),
        Registration.session.join_url.as_alias("session_join_url"),
    ]


async def _shown_links(rows: list[Row]) -> list[str]:
    """Each registration's join link, as its invites and feed entries show it (events.services.join_links)."""
    whole = await whole_event_links({r["event"] for r in rows if r["session"] is None})
    return [r["session_join_url"] or r["event_join_url"] if r["session"] else whole[r["event"]] for r in rows]


async def registration_out(registration_id: int, *, owner_view: bool = True) -> RegistrationOut:
    row = await Registration.select(*_with_links()).where(Registration.id == registration_id).first()
    if row is None:
        raise errors.registration_not_found()
    [link] = await _shown_links([row])
    return out(row, link, owner_view=owner_view)


async def my_registrations(person_id: int) -> list[RegistrationOut]:
    rows = await (
        Registration.select(*_with_links()).where(Registration.person == person_id).order_by(Registration.id)
    )
    links = await _shown_links(rows)
    return [out(row, link, owner_view=True) for row, link in zip(rows, links, strict=True)]


async def cancel(principal: Principal, registration_id: int) -> RegistrationOut:
    """Give up a place or a place in line (a party member alone); a freed seat passes down the line."""
    async with write_transaction():
        reg, place, whole = await _load_for_change(principal, registration_id)
        if reg["status"] not in LIVE:
            raise errors.not_live()
        await move(reg, "cancelled", principal.person_id, "cancelled by registrant, booker or staff")
        if reg["status"] == "confirmed":
            await on_withdrawn(reg, place)
        await offer_next(place, principal.person_id)
    return await registration_out(registration_id, owner_view=whole)


async def claim_offer(principal: Principal, registration_id: int) -> RegistrationOut:
    """Take an open offer: confirmed if nothing is owed, otherwise a checkout hold. A party's whole offer."""
    async with write_transaction():
        reg, place, whole = await _load_for_change(principal, registration_id)
        if reg["status"] != "offered" or reg["offer_expires_at"] is None or reg["offer_expires_at"] <= now():
            raise errors.no_open_offer()
        unit = await _unit(reg, "offered")
        names = await _names([r["person"] for r in unit])
        for member in unit:
            await _seat(member, place, principal.person_id, "offer claimed", names.get(member["person"], ""))
    return await registration_out(registration_id, owner_view=whole)


async def decline_offer(principal: Principal, registration_id: int) -> RegistrationOut:
    """Turn an offer down (a party's whole offer); the seats pass down the line."""
    async with write_transaction():
        reg, place, whole = await _load_for_change(principal, registration_id)
        if reg["status"] != "offered":
            raise errors.no_open_offer()
        for member in await _unit(reg, "offered"):
            await move(member, "declined", principal.person_id, "offer declined", offer_expires_at=None)
        await offer_next(place, principal.person_id)
    return await registration_out(registration_id, owner_view=whole)


async def _lapse(status: str, deadline: Any, new_status: str, reason: str) -> int:
    """Move every registration whose ``status`` ran past ``deadline`` to ``new_status``, one
    transaction per registration (party-mates go with it), passing each seat down the line."""
    due = await Registration.select(Registration.id, Registration.event).where(
        (Registration.status == status) & (deadline <= now())
    )
    moved = 0
    for row in due:
        async with write_transaction():
            event = await lock_event(row["event"])
            reg = await Registration.select().where(Registration.id == row["id"]).first()
            ends = None if reg is None else reg[deadline._meta.name]
            if reg is None or reg["status"] != status or ends is None or ends > now():
                continue  # moved meanwhile (claimed, paid, or already lapsed with its party)
            place = await place_of(event, reg)
            unit = await _unit(reg, status) if status == "offered" else [reg]
            names = await _names([r["person"] for r in unit])
            for member in unit:
                await move(member, new_status, None, reason, offer_expires_at=None)
                moved += 1
                if status == "pending_payment":
                    values = context(place, names.get(member["person"], ""))
                    await enqueue_email(
                        "registration_hold_expired", member["email_key"], values, person_id=member["person"]
                    )
            await offer_next(place, None)
    return moved


async def expire_offers() -> int:
    """Close offers whose time ran out and pass each seat on; a chore of the background dispatcher."""
    return await _lapse("offered", Registration.offer_expires_at, "expired", "offer expired")


async def expire_holds() -> int:
    """Release seats of checkouts not paid in time and pass them on; a chore of the dispatcher."""
    return await _lapse("pending_payment", Registration.hold_expires_at, "expired", "checkout hold expired")


async def confirm_payment(registration_id: int) -> RegistrationOut:
    """Billing's call once Stripe says a pending place is paid: confirm it, exactly once.

    A second call (the browser's return and the webhook at the same moment)
    changes nothing. A hold that lapsed is confirmed only if a seat is still
    free and nobody waits for it; otherwise registration.hold_lapsed, and
    billing offers the waitlist or refunds.
    """
    first = await Registration.select(Registration.event).where(Registration.id == registration_id).first()
    if first is None:
        raise errors.registration_not_found()
    try:
        async with write_transaction():
            event = await lock_event(first["event"])
            reg = await Registration.select().where(Registration.id == registration_id).first()
            assert reg is not None  # registrations are never deleted
            if reg["status"] != "confirmed":
                if reg["status"] not in ("pending_payment", "expired") or reg["hold_expires_at"] is None:
                    raise errors.not_live()
                place = await place_of(event, reg)
                if reg["hold_expires_at"] <= now():
                    seats = await occupancy(event["id"], place.session_id)
                    if seats.waiting or seats.taken >= place.capacity:
                        raise errors.hold_lapsed()
                names = await _names([reg["person"]])
                await _confirm(reg, place, None, "payment received", names.get(reg["person"], ""))
    except Exception as exc:
        if is_unique_violation(exc):
            raise errors.hold_lapsed() from exc
        raise
    return await registration_out(registration_id)
