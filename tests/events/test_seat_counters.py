"""The seat counters on an event equal the count of its registrations after any sequence of moves.

Sign-ups take their seat with one conditional UPDATE of ``events_event.seats_held``
and never count rows, so every move that takes or frees a seat must keep the
counters exact: sign-ups (seated, held for payment, in line, refused as a
duplicate and rolled back), parties, cancellations, offers claimed, declined
and expired, holds paid, lapsed unmarked and expired by the chore, and staff
raising the capacity. Hypothesis plays random sequences of them on one event.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.principal import Principal, Role
from events.registration_status import LIVE, RegistrationStatus
from events.services.registration import registering
from events.services.registration.seats import HOLDS_SEAT
from events.tables import Event, Registration
from grandrounds.db import now
from grandrounds.errors import DomainError
from tests.builders.events import add_ticket_type, make_event
from tests.builders.people import Actor, make_actor

Status = RegistrationStatus
PEOPLE = 7
CAPACITY = 3
# Sign-ups weigh more, so the event fills, its line forms and the other moves find places to move.
OPS = ("register",) * 4 + (
    "party",
    "cancel",
    "cancel",
    "claim",
    "claim",
    "decline",
    "pay",
    "lapse",
    "expire",
    "grow",
)


def principal(actor: Actor, roles: frozenset[Role]) -> Principal:
    return Principal(actor.id, actor.email, actor.email.split("@")[0], roles, "token", 0)


async def live_at(event_id: int, n: int) -> dict[str, Any] | None:
    """The n-th (round robin) live registration of the event, or None while it has none."""
    rows = (
        await Registration.select()
        .where((Registration.event == event_id) & Registration.status.is_in(list(LIVE)))
        .order_by(Registration.id)
    )
    return rows[n % len(rows)] if rows else None


async def assert_counters_match(event_id: int) -> None:
    rows = await Registration.select(
        Registration.status, Registration.hold_expires_at, Registration.offer_expires_at
    ).where((Registration.event == event_id) & Registration.session.is_null())
    event = (
        await Event.select(Event.seats_held, Event.waiting, Event.capacity)
        .where(Event.id == event_id)
        .first()
    )
    assert event is not None
    assert event["seats_held"] == sum(1 for r in rows if r["status"] in HOLDS_SEAT)
    assert event["waiting"] == sum(1 for r in rows if r["status"] == Status.WAITLISTED)
    at = now()
    taken = sum(
        1
        for r in rows
        if r["status"] == Status.CONFIRMED
        or (
            r["status"] == Status.PENDING_PAYMENT
            and (r["hold_expires_at"] is None or r["hold_expires_at"] > at)
        )
        or (r["status"] == Status.OFFERED and r["offer_expires_at"] > at)
    )
    assert taken <= event["capacity"]


async def play(client: httpx.AsyncClient, ops: list[tuple[str, int]]) -> None:
    event_id, staff = await make_event(client, capacity=CAPACITY)
    # Members pay (a checkout hold), guests sign up free: both kinds of seat are in play.
    await add_ticket_type(client, event_id, staff.headers, member_price=1500)
    people = []
    for n in range(PEOPLE):
        roles = frozenset({Role.MEMBER if n % 2 else Role.GUEST})
        people.append(principal(await make_actor(*roles), roles))
    staff_principal = principal(staff, frozenset({Role.PROGRAM_STAFF}))
    for op, n in ops:
        reg = await live_at(event_id, n)
        who = people[n % PEOPLE]
        if op in ("cancel", "claim", "decline") and reg:
            who = next(p for p in people if p.person_id == reg["person"])
        try:
            if op == "register":
                await registering.register(who, event_id, payments_open=True)
            elif op == "party":
                pair = [who.person_id, people[(n + 1) % PEOPLE].person_id]
                await registering.register_colleagues(staff_principal, event_id, pair, payments_open=True)
            elif op == "cancel" and reg:
                await registering.cancel(who, reg["id"])
            elif op == "claim" and reg:
                await registering.claim_offer(who, reg["id"])
            elif op == "decline" and reg:
                await registering.decline_offer(who, reg["id"])
            elif op == "pay" and reg:
                await registering.confirm_payment(reg["id"])
            elif op == "lapse" and reg:
                # Past its deadline but not yet marked: it stops holding a seat at once.
                past = now() - timedelta(seconds=1)
                await Registration.update(
                    {Registration.hold_expires_at: past}
                    if reg["status"] == Status.PENDING_PAYMENT
                    else {Registration.offer_expires_at: past}
                ).where(
                    (Registration.id == reg["id"])
                    & Registration.status.is_in([Status.PENDING_PAYMENT, Status.OFFERED])
                )
            elif op == "expire":
                await registering.expire_offers()
                await registering.expire_holds()
            elif op == "grow":
                grown = await client.patch(
                    f"/api/v1/events/{event_id}", json={"capacity": CAPACITY + n % 3}, headers=staff.headers
                )
                assert grown.status_code in (200, 400, 409, 422), grown.text
        except DomainError:
            pass  # a refusal (duplicate, no open offer, not live...) changes nothing
        await assert_counters_match(event_id)


# Each example plays on its own new event, so the one client (and database) serves them all.
@settings(max_examples=10, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=st.lists(st.tuples(st.sampled_from(OPS), st.integers(0, PEOPLE * 3)), min_size=10, max_size=40))
async def test_the_counters_equal_the_count_after_any_sequence_of_moves(client, ops) -> None:
    await play(client, ops)


async def test_a_rush_past_capacity_seats_exactly_capacity_and_lines_up_the_rest(client) -> None:
    event_id, _ = await make_event(client, capacity=CAPACITY)
    roles = frozenset({Role.GUEST})
    people = [principal(await make_actor(Role.GUEST), roles) for _ in range(CAPACITY + 3)]
    answers = [await registering.register(p, event_id, payments_open=True) for p in people]
    assert [a.status for a in answers].count(Status.CONFIRMED) == CAPACITY
    assert [a.status for a in answers].count(Status.WAITLISTED) == 3
    await assert_counters_match(event_id)
