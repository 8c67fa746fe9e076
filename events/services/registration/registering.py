"""Registration: capacity that never oversells, a first-come waitlist, checkout holds, group bookings.

Every change runs in one short write transaction that first locks the event
row (PostgreSQL: SELECT ... FOR UPDATE; SQLite: BEGIN IMMEDIATE serialises all
writers), so the seat count it reads cannot change before it writes. The
partial unique indexes on live registrations (per event, or per session for a
session with its own capacity) refuse a second live registration of a person
or an email.

The states and their moves are spelled in events.registration_status; every
move writes a RegistrationChange (who, when, why).

This module checks who may sign up, for which place and at what price;
events.services.registration.lifecycle, the one writer of a registration's
status, inserts the booking and moves it afterwards (its moves are re-exported
here, so callers need one import).
"""

from __future__ import annotations

from accounts.principal import Principal, Role
from accounts.services.standing import with_derived
from accounts.tables import Organization, OrganizationMember, Person, RoleGrant
from events import errors
from events.registration_status import LIVE
from events.schemas import RegistrationOut
from events.services.access import may_run_event
from events.services.pricing import Price, is_member, price, tier_for
from events.services.registration.lifecycle import (
    Newcomer,
    book,
    cancel,
    claim_offer,
    confirm_payment,
    decline_offer,
    expire_holds,
    expire_offers,
    my_registrations,
    out,
    registration_out,
)
from events.services.registration.seats import Place, Row, lock_event, open_place, take_seats
from events.services.tickets import check_sale, ticket_for_registration
from events.tables import Registration
from grandrounds.db import now, unique_violation, write_transaction
from grandrounds.metrics import counts_registrations

__all__ = [
    "cancel",
    "claim_offer",
    "confirm_payment",
    "decline_offer",
    "expire_holds",
    "expire_offers",
    "my_registrations",
    "register",
    "register_colleagues",
    "registration_out",
]

MAX_PARTY = 50


def _may_take_member_places(roles: frozenset[Role]) -> bool:
    return is_member(roles) or bool(roles & {Role.PROGRAM_STAFF, Role.ADMIN})


def _price(ticket: Row | None, roles: frozenset[Role], *, booked_by_someone_else: bool = False) -> Price:
    tier = tier_for(roles, booked_by_someone_else=booked_by_someone_else)
    return price(ticket, tier, now()) if ticket else Price(0, "USD", tier, False)


def _refuse_unpayable(people: list[Newcomer], payments_open: bool) -> None:
    """Without a way to take money (no Stripe keys) a paid place is refused before anything is
    stored: a hold nobody can pay for would only block a seat and then lapse."""
    if not payments_open and any(who.price.amount > 0 for who in people):
        raise errors.payments_not_configured()


class _NoSeatNow(Exception):
    """The hot path found no seat at the last moment: its rows are rolled back, the locked path decides."""


@counts_registrations
async def register(
    principal: Principal,
    event_id: int,
    *,
    ticket_type_id: int | None = None,
    session_id: int | None = None,
    payments_open: bool,
) -> RegistrationOut:
    """Sign the caller up: a seat if one is free and nobody waits, otherwise a place in line.

    Nothing owed: confirmed at once, with a ticket code. Something owed: a
    checkout hold on the seat until ``hold_expires_at``.

    This is the hot path, and it holds the event row's lock for one short
    statement: a free place at the whole event, with no ticket quantity to
    count, is written in full first (registration, history row, messages),
    unlocked, and its seat is taken last by one conditional UPDATE of the
    event's counter (seats.take_seats), the lock and the capacity check in
    one; commit follows at once. When that UPDATE finds the place full, a
    line, or the event closed meanwhile, the rows roll back and the locked
    path decides (``_register_locked``), as it does from the start for a
    place that looks full, a session with its own capacity, or a ticket type
    with a quantity.

    There is no separate duplicate check: the partial unique indexes refuse a
    second live registration, and the violation becomes registration.duplicate.
    ``payments_open`` (grandrounds.web.payments) says whether a price above zero can be paid here.
    """
    args = (principal, event_id, ticket_type_id, session_id, payments_open)
    with unique_violation(becomes=errors.duplicate()):
        try:
            async with write_transaction():
                event = await lock_event(event_id, lock=False)
                place = await open_place(event, session_id)
                looks_free = event["waiting"] == 0 and event["seats_held"] < event["capacity"]
                if place.session is None and looks_free:
                    ticket, who = await _sale(principal, place, ticket_type_id, payments_open, counted=False)
                    if ticket is None or ticket["quantity"] is None:
                        (row,) = await book(
                            place, [who], ticket, principal, on_behalf=False, seats_taken=True
                        )
                        if not await take_seats(place, 1):
                            raise _NoSeatNow
                        return out(row, place.join_url, owner_view=True)
        except _NoSeatNow:
            pass
        async with write_transaction():
            return await _register_locked(*args)


async def _sale(
    principal: Principal, place: Place, ticket_type_id: int | None, payments_open: bool, *, counted: bool
) -> tuple[Row | None, Newcomer]:
    """May the caller sign up here, with which ticket type, at what price? ``counted``: the event is
    locked, so a ticket type's quantity may be checked against what is sold."""
    member_places = _may_take_member_places(principal.roles)
    if place.event["member_only"] and not member_places:
        raise errors.members_only()
    ticket = await ticket_for_registration(place.event["id"], ticket_type_id)
    if ticket and (counted or ticket["quantity"] is None):
        await check_sale(ticket, 1, [] if member_places else [principal.person_id])
    who = Newcomer(principal.person_id, principal.email, principal.name, _price(ticket, principal.roles))
    _refuse_unpayable([who], payments_open)
    return ticket, who


async def _register_locked(
    principal: Principal,
    event_id: int,
    ticket_type_id: int | None,
    session_id: int | None,
    payments_open: bool,
) -> RegistrationOut:
    """The locked path: lock the event row, check, and let the place's counters decide (book)."""
    event = await lock_event(event_id)
    place = await open_place(event, session_id)
    ticket, who = await _sale(principal, place, ticket_type_id, payments_open, counted=True)
    (row,) = await book(place, [who], ticket, principal, on_behalf=False)
    return out(row, place.join_url, owner_view=True)


async def _require_colleagues(principal: Principal, person_ids: list[int]) -> None:
    """The caller leads organizations that count every one of ``person_ids`` among their members."""
    led = await Organization.select(Organization.id).where(Organization.leader == principal.person_id)
    if not led:
        raise errors.on_behalf_forbidden()
    members = await OrganizationMember.select(OrganizationMember.person).where(
        OrganizationMember.organization.is_in([o["id"] for o in led])
        & OrganizationMember.person.is_in(person_ids)
    )
    strangers = sorted(set(person_ids) - {m["person"] for m in members})
    if strangers:
        raise errors.not_colleagues(strangers)


async def _people(person_ids: list[int]) -> dict[int, tuple[Row, frozenset[Role]]]:
    """Each person's account and roles (two queries for the whole group)."""
    people = await Person.select(Person.id, Person.email, Person.name).where(Person.id.is_in(person_ids))
    unknown = sorted(set(person_ids) - {p["id"] for p in people})
    if unknown:
        raise errors.person_unknown(unknown)
    grants = await RoleGrant.select(RoleGrant.person, RoleGrant.role).where(
        RoleGrant.person.is_in(person_ids)
    )
    known = {role.value for role in Role}
    roles: dict[int, set[Role]] = {pid: set() for pid in person_ids}
    for grant in grants:
        if grant["role"] in known:
            roles[grant["person"]].add(Role(grant["role"]))
    held = await with_derived(roles)
    return {p["id"]: (p, held[p["id"]]) for p in people}


async def _refuse_duplicates(place: Place, person_ids: list[int], emails: list[str]) -> None:
    """Name who is already registered, so the booker knows whom to leave out."""
    taken = await Registration.select(Registration.person).where(
        place.scope()
        & Registration.status.is_in(list(LIVE))
        & (Registration.person.is_in(person_ids) | Registration.email_key.is_in(emails))
    )
    if taken:
        raise errors.already_registered(sorted({t["person"] for t in taken}))


@counts_registrations
async def register_colleagues(
    principal: Principal,
    event_id: int,
    person_ids: list[int],
    ticket_type_id: int | None = None,
    *,
    session_id: int | None = None,
    payments_open: bool,
) -> list[RegistrationOut]:
    """Register a group on their behalf, all or nothing: an organization's leader for its members,
    or the event's staff for anyone. The group shares a party key, waits together and is seated
    together. Each pays their own tier's price (pricing explains the on-behalf rule)."""
    if not 1 <= len(person_ids) <= MAX_PARTY or len(set(person_ids)) != len(person_ids):
        raise errors.party_invalid()
    staff = await may_run_event(principal, event_id)
    if not staff:
        await _require_colleagues(principal, person_ids)
    with unique_violation(becomes=errors.duplicate()):
        async with write_transaction():
            event = await lock_event(event_id)
            place = await open_place(event, session_id)
            if len(person_ids) > place.capacity:
                raise errors.party_too_large(place.capacity)
            people = await _people(person_ids)
            outsiders = [pid for pid in person_ids if not _may_take_member_places(people[pid][1])]
            if event["member_only"] and outsiders:
                raise errors.members_only()
            ticket = await ticket_for_registration(event_id, ticket_type_id)
            if ticket:
                await check_sale(ticket, len(person_ids), outsiders)
            await _refuse_duplicates(place, person_ids, [people[pid][0]["email"] for pid in person_ids])
            group = []
            for pid in person_ids:
                person, roles = people[pid]
                cost = _price(ticket, roles, booked_by_someone_else=pid != principal.person_id)
                group.append(Newcomer(pid, person["email"], person["name"], cost))
            _refuse_unpayable(group, payments_open)
            rows = await book(place, group, ticket, principal, on_behalf=True)
    return [out(r, place.join_url, owner_view=staff or r["person"] == principal.person_id) for r in rows]
