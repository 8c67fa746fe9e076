"""The one writer of a registration's status: sign-up, seats passed down the line, offers, checkout
holds, payment, refunds and cancellation, each as a move named for what happened.

Nothing else in any package writes ``Registration.status``; events' other
services and billing call the moves below. Each public move either is one
write transaction that locks the event row first (see seats.lock_event),
re-reads the registration under the lock, moves it, writes its history row
and queues its email, or (``book``, ``cancel_by_staff``, ``refund_place``,
``capacity_raised``) runs inside a caller's transaction that already holds
that lock. A freed seat goes to the front of the line as a time-boxed offer;
a party is offered seats only when all of it fits, and nobody behind it is
served first. A party's offers are claimed, declined and expire as one.

``_on_confirmed`` and ``_on_withdrawn`` are the single places every
confirmation and every withdrawal passes through.
"""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from accounts.principal import Principal
from accounts.tables import Person
from events import errors
from events.registration_status import ENDED, HELD_PLACE, LIVE, PAYABLE, RegistrationStatus
from events.schemas import RegistrationOut
from events.services.access import may_run_event
from events.services.consultations import bookings as consultations
from events.services.invites.copies import enqueue_registrant_invite
from events.services.pricing import Price
from events.services.registration.reading import my_registrations, out, registration_out
from events.services.registration.seats import (
    Place,
    Row,
    counter_steps,
    lock_event,
    occupancy,
    place_of,
    shift_counters,
    units_that_fit,
)
from events.services.registration.withdrawal_hooks import places_ended
from events.services.tickets import new_ticket_code
from events.tables import Registration, RegistrationChange
from grandrounds.db import now, unique_violation, write_transaction
from grandrounds.money import format_money
from grandrounds.settings import get_settings
from notifications.outbox import enqueue_email

__all__ = [
    "Held",
    "Newcomer",
    "book",
    "cancel",
    "cancel_by_staff",
    "capacity_raised",
    "claim_offer",
    "confirm_payment",
    "decline_offer",
    "expire_holds",
    "expire_offers",
    "held",
    "my_registrations",
    "out",
    "refund_place",
    "registration_out",
    "release_hold",
]

Status = RegistrationStatus


def _context(place: Place, name: str, **extra: Any) -> dict[str, Any]:
    """What every registration email may say; never the join link (see RegistrationOut.join_url)."""
    base = get_settings().base_url
    values = {"name": name, "event_title": place.title, "registrations_url": f"{base}/registrations"}
    return {**values, "booked_by_name": "", **extra}


async def _move(reg: Row, to_status: Status, by: int | None, reason: str, **values: Any) -> Row:
    """Change a registration's state and record who did it, when and why."""
    updates: dict[Any, Any] = {Registration.status: to_status, Registration.updated_at: now()}
    updates.update({getattr(Registration, k): v for k, v in values.items()})
    await Registration.update(updates).where(Registration.id == reg["id"])
    await shift_counters(reg["event"], reg["session"], *counter_steps(reg["status"], to_status))
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


async def _on_confirmed(reg: Row, place: Place, name: str, booked_by_name: str = "") -> None:
    """A place became confirmed (free sign-up, claimed offer, paid checkout), inside its transaction.
    Every confirmation passes through here: the hook for what a confirmed registrant receives."""
    values = _context(place, name, booked_by_name=booked_by_name)
    await enqueue_email(
        "registration_confirmed",
        reg["email_key"],
        values,
        person_id=reg["person"],
        program_id=place.program_id,
    )
    await enqueue_registrant_invite(reg["id"], "REQUEST")
    await consultations.on_booking_confirmed(reg, place)  # the expert hears of a booked slot


async def _on_withdrawn(reg: Row, place: Place) -> None:
    """A confirmed place was given up (cancelled or refunded), inside its transaction: the hook
    for taking back what _on_confirmed gave (the calendar copies)."""
    await enqueue_registrant_invite(reg["id"], "CANCEL")
    await consultations.on_booking_withdrawn(reg, place)


async def _tell_pending(reg: Row, place: Place, name: str, **extra: Any) -> None:
    values = _context(
        place,
        name,
        amount=format_money(reg["amount"], reg["currency"]),
        hold_expires_at=reg["hold_expires_at"].isoformat(timespec="minutes"),
        **extra,
    )
    await enqueue_email(
        "registration_pending_payment",
        reg["email_key"],
        values,
        person_id=reg["person"],
        program_id=place.program_id,
    )


async def _tell_hold_expired(reg: Row, place: Place, name: str) -> None:
    values = _context(place, name)
    await enqueue_email(
        "registration_hold_expired",
        reg["email_key"],
        values,
        person_id=reg["person"],
        program_id=place.program_id,
    )


def _hold_until() -> datetime:
    """When a checkout starting now stops holding its seat (GRANDROUNDS_CHECKOUT_HOLD_MINUTES)."""
    return now() + timedelta(minutes=get_settings().checkout_hold_minutes)


async def _confirm(reg: Row, place: Place, by: int | None, reason: str, name: str) -> Row:
    code = reg["ticket_code"] or new_ticket_code()
    moved = await _move(
        reg, Status.CONFIRMED, by, reason, offer_expires_at=None, hold_expires_at=None, ticket_code=code
    )
    await _on_confirmed(moved, place, name)
    return moved


async def _seat(reg: Row, place: Place, by: int | None, reason: str, name: str) -> Row:
    """Give a registration its seat: confirmed when nothing is owed, else a checkout hold on it."""
    if reg["amount"] <= 0:
        return await _confirm(reg, place, by, reason, name)
    moved = await _move(
        reg, Status.PENDING_PAYMENT, by, reason, offer_expires_at=None, hold_expires_at=_hold_until()
    )
    await _tell_pending(moved, place, name)
    return moved


async def _names(person_ids: list[int]) -> dict[int, str]:
    rows = await Person.select(Person.id, Person.name).where(Person.id.is_in(person_ids or [0]))
    return {r["id"]: r["name"] for r in rows}


async def _unit(reg: Row, status: Status) -> list[Row]:
    """A party's registrations in ``status`` move together; anyone else moves alone."""
    if not reg["party"]:
        return [reg]
    rows: list[Row] = await (
        Registration.select()
        .where((Registration.party == reg["party"]) & (Registration.status == status))
        .order_by(Registration.id)
    )
    return rows


async def _offer_next(place: Place, by: int | None) -> None:
    """Give freed seats to the front of the line, in sign-up order, as time-boxed offers."""
    taken_now = await occupancy(place)
    free = place.capacity - taken_now.taken
    if free <= 0 or taken_now.waiting == 0:
        return
    line = await (
        Registration.select()
        .where(place.scope() & (Registration.status == Status.WAITLISTED))
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
            await _move(reg, Status.OFFERED, by, "seat freed", offer_expires_at=expires)
            values = _context(
                place, names.get(reg["person"], ""), expires_at=expires.isoformat(timespec="minutes")
            )
            await enqueue_email(
                "waitlist_offer",
                reg["email_key"],
                values,
                person_id=reg["person"],
                program_id=place.program_id,
            )


# Signing up: the rows a booking starts with


@dataclass(frozen=True, slots=True)
class Newcomer:
    """One person being registered, with the price their tier pays."""

    person_id: int
    email: str
    name: str
    price: Price


def _new_row(
    place: Place, who: Newcomer, status: Status, ticket: Row | None, at: datetime, **values: Any
) -> Row:
    return {
        "event": place.event["id"],
        "session": place.session_id,
        "person": who.person_id,
        "email_key": who.email,
        "status": status,
        # One created_at for a whole booking keeps a party together in the line's order.
        "created_at": at,
        "updated_at": at,
        "offer_expires_at": None,
        "ticket_type": ticket["id"] if ticket else None,
        "price_tier": who.price.tier,
        "amount": who.price.amount,
        "currency": who.price.currency,
        "hold_expires_at": _hold_until() if status == Status.PENDING_PAYMENT else None,
        "ticket_code": new_ticket_code() if status == Status.CONFIRMED else None,
        **values,
    }


async def book(
    place: Place,
    people: Sequence[Newcomer],
    ticket: Row | None,
    by: Principal,
    *,
    on_behalf: bool,
    seats_taken: bool = False,
) -> list[Row]:
    """Insert one booking, inside the caller's transaction under the event's lock: everyone seated
    (or held for payment) if all fit and nobody waits, otherwise everyone in line together.
    ``seats_taken``: the caller already counted their seats in (seats.take_seats, which is also the
    lock); otherwise the place's counters decide here and move with the booking."""
    seated = seats_taken
    if not seats_taken:
        seats = await occupancy(place, room_for=len(people))
        seated = seats.waiting == 0 and seats.taken + len(people) <= place.capacity
        held, waiting = (len(people), 0) if seated else (0, len(people))
        await shift_counters(place.event["id"], place.session_id, held, waiting)
    party = secrets.token_urlsafe(12) if len(people) > 1 else ""
    booked_by = by.person_id if on_behalf else None
    at = now()
    rows = []
    for who in people:
        if not seated:
            status = Status.WAITLISTED
        else:
            status = Status.PENDING_PAYMENT if who.price.amount > 0 else Status.CONFIRMED
        rows.append(_new_row(place, who, status, ticket, at, booked_by=booked_by, party=party))
    inserted = await Registration.insert(*(Registration(**row) for row in rows)).returning(
        Registration.id, Registration.person
    )
    ids = {r["person"]: r["id"] for r in inserted}
    for row in rows:
        row["id"] = ids[row["person"]]
    reason = "registered on their behalf" if on_behalf else "registered"
    await RegistrationChange.insert(
        *(
            RegistrationChange(
                registration=r["id"], to_status=r["status"], by_person=by.person_id, reason=reason
            )
            for r in rows
        )
    )
    booked_by_name = by.name if on_behalf else ""
    for row, who in zip(rows, people, strict=True):
        if row["status"] == Status.CONFIRMED:
            await _on_confirmed(row, place, who.name, booked_by_name)
        elif row["status"] == Status.PENDING_PAYMENT:
            await _tell_pending(row, place, who.name, booked_by_name=booked_by_name)
        else:
            values = _context(place, who.name, booked_by_name=booked_by_name)
            await enqueue_email(
                "registration_waitlisted",
                who.email,
                values,
                person_id=who.person_id,
                program_id=place.program_id,
            )
    return rows


# What the registrant (or their booker, or the event's staff) does


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


async def cancel(principal: Principal, registration_id: int) -> RegistrationOut:
    """Give up a place or a place in line (a party member alone); a freed seat passes down the line."""
    async with write_transaction():
        reg, place, whole = await _load_for_change(principal, registration_id)
        if reg["status"] not in LIVE:
            raise errors.not_live()
        await _move(reg, Status.CANCELLED, principal.person_id, "cancelled by registrant, booker or staff")
        if reg["status"] == Status.CONFIRMED:
            await _on_withdrawn(reg, place)
        await _offer_next(place, principal.person_id)
    return await registration_out(registration_id, owner_view=whole)


async def claim_offer(principal: Principal, registration_id: int) -> RegistrationOut:
    """Take an open offer: confirmed if nothing is owed, otherwise a checkout hold. A party's whole offer."""
    async with write_transaction():
        reg, place, whole = await _load_for_change(principal, registration_id)
        if (
            reg["status"] != Status.OFFERED
            or reg["offer_expires_at"] is None
            or reg["offer_expires_at"] <= now()
        ):
            raise errors.no_open_offer()
        unit = await _unit(reg, Status.OFFERED)
        names = await _names([r["person"] for r in unit])
        for member in unit:
            await _seat(member, place, principal.person_id, "offer claimed", names.get(member["person"], ""))
    return await registration_out(registration_id, owner_view=whole)


async def decline_offer(principal: Principal, registration_id: int) -> RegistrationOut:
    """Turn an offer down (a party's whole offer); the seats pass down the line."""
    async with write_transaction():
        reg, place, whole = await _load_for_change(principal, registration_id)
        if reg["status"] != Status.OFFERED:
            raise errors.no_open_offer()
        for member in await _unit(reg, Status.OFFERED):
            await _move(member, Status.DECLINED, principal.person_id, "offer declined", offer_expires_at=None)
        await _offer_next(place, principal.person_id)
    return await registration_out(registration_id, owner_view=whole)


# What the event's staff do to many places at once (inside their own locked transaction)


async def cancel_by_staff(live: Sequence[Row], by: int, reason: str, *, at: datetime | None = None) -> None:
    """End these live places at once because staff called off what they were for (a session, the
    whole event), with a history row each; the caller already tells the people concerned."""
    if not live:
        return
    await Registration.update(
        {
            Registration.status: Status.CANCELLED,
            Registration.updated_at: at or now(),
            Registration.offer_expires_at: None,
            Registration.hold_expires_at: None,
        }
    ).where(Registration.id.is_in([r["id"] for r in live]))
    steps: dict[tuple[int, int | None], tuple[int, int]] = {}
    for r in live:
        held, waiting = counter_steps(r["status"], Status.CANCELLED)
        before = steps.get((r["event"], r["session"]), (0, 0))
        steps[(r["event"], r["session"])] = (before[0] + held, before[1] + waiting)
    for (event_id, session_id), (held, waiting) in steps.items():
        await shift_counters(event_id, session_id, held, waiting)
    await RegistrationChange.insert(
        *[
            RegistrationChange(
                registration=r["id"],
                from_status=r["status"],
                to_status=Status.CANCELLED,
                by_person=by,
                reason=reason[:200],
            )
            for r in live
        ]
    )
    await places_ended([r["id"] for r in live])


async def capacity_raised(place: Place, by: int | None) -> None:
    """The place got more seats (inside the caller's locked transaction): its line moves up, as
    when a seat is freed."""
    await _offer_next(place, by)


# Deadlines: chores of the background dispatcher


async def _lapse(status: Status, deadline: Any, reason: str) -> int:
    """Expire every registration whose ``status`` ran past ``deadline``, one transaction per
    registration (party-mates go with it), passing each seat down the line."""
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
            unit = await _unit(reg, status) if status == Status.OFFERED else [reg]
            names = await _names([r["person"] for r in unit])
            for member in unit:
                await _move(member, Status.EXPIRED, None, reason, offer_expires_at=None)
                moved += 1
                if status == Status.PENDING_PAYMENT:
                    await _tell_hold_expired(member, place, names.get(member["person"], ""))
            await _offer_next(place, None)
    return moved


async def expire_offers() -> int:
    """Close offers whose time ran out and pass each seat on; a chore of the background dispatcher."""
    return await _lapse(Status.OFFERED, Registration.offer_expires_at, "offer expired")


async def expire_holds() -> int:
    """Release seats of checkouts not paid in time and pass them on; a chore of the dispatcher."""
    return await _lapse(Status.PENDING_PAYMENT, Registration.hold_expires_at, "checkout hold expired")


# What billing says about money


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
    with unique_violation(becomes=errors.hold_lapsed()):
        async with write_transaction():
            event = await lock_event(first["event"])
            reg = await Registration.select().where(Registration.id == registration_id).first()
            assert reg is not None  # registrations are never deleted
            if reg["status"] != Status.CONFIRMED:
                if reg["status"] not in PAYABLE or reg["hold_expires_at"] is None:
                    raise errors.not_live()
                place = await place_of(event, reg)
                if reg["hold_expires_at"] <= now():
                    seats = await occupancy(place)
                    if seats.waiting or seats.taken >= place.capacity:
                        raise errors.hold_lapsed()
                names = await _names([reg["person"]])
                await _confirm(reg, place, None, "payment received", names.get(reg["person"], ""))
    return await registration_out(registration_id)


async def release_hold(registration_id: int, reason: str) -> bool:
    """End a checkout hold now, before its deadline, because its payment page can no longer be paid
    (billing: Stripe expired the Checkout Session): the same move as expire_holds, for one place.
    False when it is not pending any more (paid, cancelled)."""
    first = await Registration.select(Registration.event).where(Registration.id == registration_id).first()
    if first is None:
        return False
    async with write_transaction():
        event = await lock_event(first["event"])
        reg = await Registration.select().where(Registration.id == registration_id).first()
        if reg is None or reg["status"] != Status.PENDING_PAYMENT:
            return False
        place = await place_of(event, reg)
        await _move(reg, Status.EXPIRED, None, reason, offer_expires_at=None)
        names = await _names([reg["person"]])
        await _tell_hold_expired(reg, place, names.get(reg["person"], ""))
        await _offer_next(place, None)
    return True


@dataclass(frozen=True, slots=True)
class Held:
    """A registration re-read under its event's lock, inside an open write transaction."""

    registration: Row
    event: Row


@asynccontextmanager
async def held(registration_id: int) -> AsyncIterator[Held | None]:
    """One write transaction holding the registration's event lock, with the registration as it is
    now (None when there is no such registration): for another package's writes that must agree
    with the registration's state, such as billing's refund records and emails beside refund_place."""
    first = await Registration.select(Registration.event).where(Registration.id == registration_id).first()
    if first is None:
        yield None
        return
    async with write_transaction():
        event = await lock_event(first["event"])
        reg = await Registration.select().where(Registration.id == registration_id).first()
        yield None if reg is None else Held(reg, event)


async def refund_place(place_held: Held, by: int | None, reason: str) -> bool:
    """The place's payment was refunded in full (inside ``held``): a confirmed or cancelled place
    becomes refunded; a confirmed seat is given up (the calendar copies are cancelled) and passes
    down the line. False, and nothing moves, for a place that never held its seat."""
    reg = place_held.registration
    if reg["status"] not in HELD_PLACE:
        return False
    await _move(reg, Status.REFUNDED, by, reason)
    if reg["status"] == Status.CONFIRMED:
        place = await place_of(place_held.event, reg)
        await _on_withdrawn(reg, place)
        await _offer_next(place, by)
    return True
