"""Registration: capacity never oversells, the waitlist is first come first served, offers pass down."""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime, timedelta

import pytest

from accounts.principal import Role
from events.services.registration.registering import confirm_payment, expire_holds, expire_offers
from events.tables import Event, Registration, RegistrationChange, Session, TicketType
from grandrounds.db import now
from grandrounds.errors import DomainError
from notifications.tables import OutboxMessage
from tests.builders.events import JOIN, add_ticket_type, event_body, published_event, staffed_event
from tests.builders.people import make_actor, make_staff


async def test_fifty_concurrent_sign_ups_against_ten_seats(client) -> None:
    event_id = await published_event(client, capacity=10)
    people = [await make_actor(Role.MEMBER) for _ in range(50)]
    responses = await asyncio.gather(
        *(client.post(f"/api/v1/events/{event_id}/registrations", headers=p.headers) for p in people)
    )
    assert all(r.status_code == 201 for r in responses), {r.status_code for r in responses}
    statuses = [r.json()["status"] for r in responses]
    assert statuses.count("confirmed") == 10
    assert statuses.count("waitlisted") == 40
    assert await Registration.count().where(Registration.status == "confirmed") == 10
    event = (await client.get(f"/api/v1/events/{event_id}")).json()
    assert event["seats_left"] == 0


async def test_registering_twice_is_refused_even_concurrently(client) -> None:
    event_id = await published_event(client)
    me = await make_actor(Role.MEMBER)
    responses = await asyncio.gather(
        *(client.post(f"/api/v1/events/{event_id}/registrations", headers=me.headers) for _ in range(5))
    )
    assert sorted(r.status_code for r in responses) == [201, 409, 409, 409, 409]
    assert {r.json()["code"] for r in responses if r.status_code == 409} == {"registration.duplicate"}
    assert await Registration.count() == 1


async def test_freed_seat_is_offered_in_order_and_passes_on_decline_and_expiry(client) -> None:
    event_id = await published_event(client, capacity=1)
    holder, first, second, third = [await make_actor(Role.MEMBER) for _ in range(4)]
    regs = {}
    for person in (holder, first, second, third):
        r = await client.post(f"/api/v1/events/{event_id}/registrations", headers=person.headers)
        regs[person.id] = r.json()
    assert [regs[p.id]["status"] for p in (holder, first, second, third)] == [
        "confirmed", "waitlisted", "waitlisted", "waitlisted",
    ]  # fmt: skip

    # Someone new cannot jump the line while an offer is open.
    await client.post(f"/api/v1/registrations/{regs[holder.id]['id']}/cancel", headers=holder.headers)
    mine = (await client.get("/api/v1/registrations/mine", headers=first.headers)).json()
    assert mine[0]["status"] == "offered" and mine[0]["join_url"] is None
    late = await make_actor(Role.MEMBER)
    assert (await client.post(f"/api/v1/events/{event_id}/registrations", headers=late.headers)).json()[
        "status"
    ] == "waitlisted"

    # First declines: the offer passes to second.
    declined = await client.post(
        f"/api/v1/registrations/{regs[first.id]['id']}/decline", headers=first.headers
    )
    assert declined.json()["status"] == "declined"
    second_reg = (await client.get("/api/v1/registrations/mine", headers=second.headers)).json()[0]
    assert second_reg["status"] == "offered"

    # Second lets it expire: the dispatcher's chore passes it to third.
    await Registration.update({Registration.offer_expires_at: now() - timedelta(minutes=1)}).where(
        Registration.id == second_reg["id"]
    )
    assert await expire_offers() == 1
    assert (await client.get("/api/v1/registrations/mine", headers=second.headers)).json()[0][
        "status"
    ] == "expired"
    third_reg = (await client.get("/api/v1/registrations/mine", headers=third.headers)).json()[0]
    assert third_reg["status"] == "offered"

    claimed = await client.post(f"/api/v1/registrations/{third_reg['id']}/claim", headers=third.headers)
    assert claimed.json()["status"] == "confirmed" and claimed.json()["join_url"] == JOIN
    expired_claim = await client.post(
        f"/api/v1/registrations/{second_reg['id']}/claim", headers=second.headers
    )
    assert expired_claim.status_code == 409 and expired_claim.json()["code"] == "offer.not_open"

    history = await RegistrationChange.select(RegistrationChange.to_status).where(
        RegistrationChange.registration == third_reg["id"]
    )
    assert [h["to_status"] for h in history] == ["waitlisted", "offered", "confirmed"]
    offers = await OutboxMessage.count().where(OutboxMessage.template == "waitlist_offer")
    assert offers == 3


async def test_join_link_only_for_confirmed_registrants(client) -> None:
    event_id = await published_event(client, capacity=1)
    confirmed, waiting = await make_actor(Role.MEMBER), await make_actor(Role.MEMBER)
    a = await client.post(f"/api/v1/events/{event_id}/registrations", headers=confirmed.headers)
    b = await client.post(f"/api/v1/events/{event_id}/registrations", headers=waiting.headers)
    assert a.json()["join_url"] == JOIN
    assert JOIN not in b.text
    assert JOIN not in (await client.get("/api/v1/registrations/mine", headers=waiting.headers)).text
    assert JOIN not in (await client.get(f"/api/v1/events/{event_id}")).text
    assert JOIN not in (await client.get("/api/v1/events/")).text
    contexts = await OutboxMessage.select(OutboxMessage.context).where(
        OutboxMessage.recipient == waiting.email
    )
    assert contexts and all(JOIN not in str(c["context"]) for c in contexts)


@pytest.mark.parametrize(
    ("over", "status", "code"),
    [
        ({"ends_at": (datetime.now(UTC) + timedelta(days=6)).isoformat()}, 400, "event.times_invalid"),
        ({"time_zone": "Mars/Olympus"}, 400, "event.time_zone_unknown"),
        ({"capacity": -1}, 400, "request.invalid"),
        ({"capacity": 2.5}, 400, "request.invalid"),
        ({"kind": "party"}, 400, "request.invalid"),
        ({"title": ""}, 400, "request.invalid"),
    ],
    ids=[
        "end before start",
        "unknown zone",
        "negative capacity",
        "non-integer capacity",
        "unknown kind",
        "no title",
    ],
)
async def test_bad_events_are_refused_and_nothing_is_written(client, over, status, code) -> None:
    from events.tables import Event

    staff = await make_staff()
    body = event_body(**{"program_id": staff.program_id, **over})
    response = await client.post("/api/v1/events/", json=body, headers=staff.headers)
    assert response.status_code == status, response.text
    assert response.json()["code"] == code
    assert await Event.count() == 0


async def test_registration_refused_for_unpublished_cancelled_past_or_unknown_events(client) -> None:
    staff, me = await make_staff(), await make_actor(Role.MEMBER)
    body = event_body(program_id=staff.program_id)
    draft = (await client.post("/api/v1/events/", json=body, headers=staff.headers)).json()["id"]
    r = await client.post(f"/api/v1/events/{draft}/registrations", headers=me.headers)
    assert r.status_code == 409 and r.json()["code"] == "event.not_open"
    past_start = datetime.now(UTC) - timedelta(days=2)
    past = await published_event(
        client, starts_at=past_start.isoformat(), ends_at=(past_start + timedelta(hours=1)).isoformat()
    )
    r = await client.post(f"/api/v1/events/{past}/registrations", headers=me.headers)
    assert r.status_code == 409 and r.json()["code"] == "event.not_open"
    assert (await client.post("/api/v1/events/999999/registrations", headers=me.headers)).status_code == 404
    assert (await client.post("/api/v1/events/abc/registrations", headers=me.headers)).status_code in (
        400,
        404,
    )
    assert await Registration.count() == 0


async def test_only_staff_create_events_and_only_owners_cancel(client) -> None:
    member, other = await make_actor(Role.MEMBER), await make_actor(Role.MEMBER)
    assert (
        await client.post("/api/v1/events/", json=event_body(), headers=member.headers)
    ).status_code == 403
    assert (await client.post("/api/v1/events/", json=event_body())).status_code == 401
    event_id = await published_event(client)
    reg = (await client.post(f"/api/v1/events/{event_id}/registrations", headers=member.headers)).json()
    denied = await client.post(f"/api/v1/registrations/{reg['id']}/cancel", headers=other.headers)
    assert denied.status_code == 403 and denied.json()["code"] == "registration.forbidden"
    ok = await client.post(f"/api/v1/registrations/{reg['id']}/cancel", headers=member.headers)
    assert ok.json()["status"] == "cancelled"
    again = await client.post(f"/api/v1/registrations/{reg['id']}/cancel", headers=member.headers)
    assert again.status_code == 409 and again.json()["code"] == "registration.not_live"


# Ticket types, checkout holds, session places and the bad-input matrix.


async def add_session(event_id: int, capacity: int | None, join_url: str = "") -> int:
    start = now() + timedelta(days=7)
    row = await Session.insert(
        Session(
            event=event_id,
            title=f"Hands-on lab {capacity}",
            starts_at=start,
            ends_at=start + timedelta(hours=1),
            capacity=capacity,
            join_url=join_url,
        )
    ).returning(Session.id)
    return int(row[0]["id"])


def signup(client, event_id: int, headers: dict[str, str], **body: object):  # type: ignore[no-untyped-def]
    return client.post(f"/api/v1/events/{event_id}/registrations", json=body or None, headers=headers)


async def test_a_free_registration_is_confirmed_with_a_private_ticket_code(client) -> None:
    event_id, staff_headers = await staffed_event(client)
    await add_ticket_type(client, event_id, staff_headers)
    me, other = await make_actor(Role.GUEST), await make_actor(Role.MEMBER)
    mine = (await signup(client, event_id, me.headers)).json()
    theirs = (await signup(client, event_id, other.headers)).json()
    assert mine["status"] == "confirmed" and mine["amount"] == 0 and mine["price_tier"] == "guest"
    code = mine["ticket_code"]
    assert code and len(code) >= 22 and re.fullmatch(r"[A-Za-z0-9_-]+", code)
    assert theirs["ticket_code"] not in (None, code)
    assert (await client.get("/api/v1/registrations/mine", headers=me.headers)).json()[0][
        "ticket_code"
    ] == code
    assert code not in (await client.get("/api/v1/registrations/mine", headers=other.headers)).text
    assert code not in (await client.get(f"/api/v1/events/{event_id}")).text
    outbox = await OutboxMessage.select(OutboxMessage.context).where(OutboxMessage.recipient == me.email)
    assert outbox and all(code not in str(m["context"]) for m in outbox)


async def test_ticket_type_is_required_when_there_are_several(client) -> None:
    event_id, staff_headers = await staffed_event(client)
    first = await add_ticket_type(client, event_id, staff_headers, name="Day one")
    await add_ticket_type(client, event_id, staff_headers, name="Day two")
    me = await make_actor(Role.MEMBER)
    refused = await signup(client, event_id, me.headers)
    assert refused.status_code == 400 and refused.json()["code"] == "registration.ticket_required"
    chosen = await signup(client, event_id, me.headers, ticket_type_id=first["id"])
    assert chosen.status_code == 201 and chosen.json()["ticket_type_id"] == first["id"]


async def test_the_only_ticket_type_is_chosen_for_you(client) -> None:
    event_id, staff_headers = await staffed_event(client)
    only = await add_ticket_type(client, event_id, staff_headers)
    me = await make_actor(Role.MEMBER)
    assert (await signup(client, event_id, me.headers)).json()["ticket_type_id"] == only["id"]


async def test_a_paid_place_is_held_for_checkout_and_released_when_the_hold_lapses(client) -> None:
    event_id, staff_headers = await staffed_event(client, capacity=1)
    await add_ticket_type(
        client, event_id, staff_headers, member_price=1999, non_member_price=4999, guest_price=2999
    )
    buyer, next_in_line = await make_actor(Role.MEMBER), await make_actor(Role.MEMBER)
    held = (await signup(client, event_id, buyer.headers)).json()
    assert held["status"] == "pending_payment" and (held["amount"], held["currency"]) == (1999, "USD")
    assert held["ticket_code"] is None and held["join_url"] is None
    hold_ends = datetime.fromisoformat(held["hold_expires_at"])
    assert timedelta(minutes=29) < hold_ends - now() <= timedelta(minutes=30)
    # The held seat counts against capacity.
    assert (await client.get(f"/api/v1/events/{event_id}")).json()["seats_left"] == 0
    waiting = (await signup(client, event_id, next_in_line.headers)).json()
    assert waiting["status"] == "waitlisted"
    assert await expire_holds() == 0  # not yet due

    await Registration.update({Registration.hold_expires_at: now() - timedelta(seconds=1)}).where(
        Registration.id == held["id"]
    )
    assert await expire_holds() == 1
    mine = (await client.get("/api/v1/registrations/mine", headers=buyer.headers)).json()[0]
    assert mine["status"] == "expired"
    offered = (await client.get("/api/v1/registrations/mine", headers=next_in_line.headers)).json()[0]
    assert offered["status"] == "offered"
    history = await RegistrationChange.select(RegistrationChange.to_status, RegistrationChange.reason).where(
        RegistrationChange.registration == held["id"]
    )
    assert [h["to_status"] for h in history] == ["pending_payment", "expired"]
    assert await OutboxMessage.count().where(OutboxMessage.template == "registration_hold_expired") == 1

    # Claiming a paid offer holds the seat for checkout; billing's confirmation gives the ticket.
    claimed = await client.post(f"/api/v1/registrations/{offered['id']}/claim", headers=next_in_line.headers)
    assert claimed.json()["status"] == "pending_payment" and claimed.json()["hold_expires_at"]
    paid = await confirm_payment(offered["id"])
    again = await confirm_payment(offered["id"])
    assert paid.status == again.status == "confirmed" and paid.ticket_code == again.ticket_code
    assert paid.join_url == JOIN
    confirmations = await OutboxMessage.count().where(
        (OutboxMessage.template == "registration_confirmed") & (OutboxMessage.recipient == next_in_line.email)
    )
    assert confirmations == 1


async def test_a_late_payment_after_the_seat_passed_on_is_not_confirmed(client) -> None:
    event_id, staff_headers = await staffed_event(client, capacity=1)
    await add_ticket_type(client, event_id, staff_headers, member_price=1000)
    slow, quick = await make_actor(Role.MEMBER), await make_actor(Role.MEMBER)
    held = (await signup(client, event_id, slow.headers)).json()
    await Registration.update({Registration.hold_expires_at: now() - timedelta(seconds=1)}).where(
        Registration.id == held["id"]
    )
    taken = (await signup(client, event_id, quick.headers)).json()
    assert taken["status"] == "pending_payment"  # the lapsed hold no longer counts
    with pytest.raises(DomainError) as refused:
        await confirm_payment(held["id"])
    assert refused.value.code == "registration.hold_lapsed"
    assert (await Registration.select(Registration.status).where(Registration.id == held["id"]).first()) == {
        "status": "pending_payment"
    }


async def test_early_bird_prices_apply_until_the_deadline(client) -> None:
    event_id, staff_headers = await staffed_event(client)
    deadline = now() + timedelta(days=1)
    await add_ticket_type(
        client,
        event_id,
        staff_headers,
        member_price=1999,
        non_member_price=4999,
        guest_price=2999,
        early_bird_until=deadline.isoformat(),
        early_member_price=1499,
    )
    early = await make_actor(Role.MEMBER)
    assert (await signup(client, event_id, early.headers)).json()["amount"] == 1499
    await TicketType.update({TicketType.early_bird_until: now() - timedelta(seconds=1)}).where(
        TicketType.event == event_id
    )
    late = await make_actor(Role.MEMBER)
    assert (await signup(client, event_id, late.headers)).json()["amount"] == 1999


async def test_sales_window_member_only_types_and_sold_out(client) -> None:
    event_id, staff_headers = await staffed_event(client)
    later = await add_ticket_type(
        client, event_id, staff_headers, name="Later", sales_start=(now() + timedelta(days=1)).isoformat()
    )
    closed = await add_ticket_type(
        client,
        event_id,
        staff_headers,
        name="Closed",
        sales_start=(now() - timedelta(days=2)).isoformat(),
        sales_end=(now() - timedelta(days=1)).isoformat(),
    )
    members = await add_ticket_type(client, event_id, staff_headers, name="Members", member_only=True)
    scarce = await add_ticket_type(client, event_id, staff_headers, name="Scarce", quantity=1)
    guest, member, second = (
        await make_actor(Role.GUEST),
        await make_actor(Role.MEMBER),
        await make_actor(Role.MEMBER),
    )
    for ticket in (later, closed):
        refused = await signup(client, event_id, member.headers, ticket_type_id=ticket["id"])
        assert refused.status_code == 409 and refused.json()["code"] == "ticket.not_on_sale"
    refused = await signup(client, event_id, guest.headers, ticket_type_id=members["id"])
    assert refused.status_code == 403 and refused.json()["code"] == "ticket.members_only"
    assert (await signup(client, event_id, member.headers, ticket_type_id=members["id"])).status_code == 201
    assert (await signup(client, event_id, guest.headers, ticket_type_id=scarce["id"])).status_code == 201
    sold_out = await signup(client, event_id, second.headers, ticket_type_id=scarce["id"])
    assert sold_out.status_code == 409 and sold_out.json()["code"] == "ticket.sold_out"
    assert await Registration.count() == 2


async def test_bad_registration_requests(client) -> None:
    event_id, staff_headers = await staffed_event(client)
    other_event, other_staff = await staffed_event(client)
    foreign = await add_ticket_type(client, other_event, other_staff)
    mine = await add_ticket_type(client, event_id, staff_headers)
    inactive = await add_ticket_type(client, event_id, staff_headers, name="Retired")
    await client.post(f"/api/v1/ticket-types/{inactive['id']}/deactivate", headers=staff_headers)
    foreign_session = await add_session(other_event, 5)
    me = await make_actor(Role.MEMBER)
    cases = [
        ({"ticket_type_id": foreign["id"]}, 400, "registration.ticket_unknown"),
        ({"ticket_type_id": inactive["id"]}, 400, "registration.ticket_unknown"),
        ({"ticket_type_id": 999999}, 400, "registration.ticket_unknown"),
        ({"ticket_type_id": "abc"}, 400, "request.invalid"),
        ({"ticket_type_id": mine["id"], "seat": 3}, 400, "request.invalid"),
        ({"session_id": foreign_session}, 404, "session.not_found"),
        ({"session_id": 999999}, 404, "session.not_found"),
        ({"session_id": [1]}, 400, "request.invalid"),
    ]
    for body, status, code in cases:
        response = await signup(client, event_id, me.headers, **body)
        assert response.status_code == status, (body, response.text)
        assert response.json()["code"] == code, body
    malformed = await client.post(
        f"/api/v1/events/{event_id}/registrations",
        content=b"{not json",
        headers={**me.headers, "content-type": "application/json"},
    )
    assert malformed.status_code == 400
    assert await Registration.count() == 0

    assert (await signup(client, event_id, me.headers)).status_code == 201
    twice = await signup(client, event_id, me.headers, ticket_type_id=mine["id"])
    assert twice.status_code == 409 and twice.json()["code"] == "registration.duplicate"

    await Event.update({Event.status: "cancelled"}).where(Event.id == other_event)
    cancelled = await signup(client, other_event, me.headers)
    assert cancelled.status_code == 409 and cancelled.json()["code"] == "event.not_open"
    assert await Registration.count() == 1


async def test_fifty_concurrent_sign_ups_against_ten_seats_of_a_session(client) -> None:
    event_id, _ = await staffed_event(client, capacity=100)
    lab = await add_session(event_id, 10, join_url="https://meet.example.org/j/lab")
    people = [await make_actor(Role.MEMBER) for _ in range(50)]
    responses = await asyncio.gather(*(signup(client, event_id, p.headers, session_id=lab) for p in people))
    assert all(r.status_code == 201 for r in responses), {r.text for r in responses if r.status_code != 201}
    statuses = [r.json()["status"] for r in responses]
    assert statuses.count("confirmed") == 10 and statuses.count("waitlisted") == 40
    assert (
        await Registration.count().where((Registration.session == lab) & (Registration.status == "confirmed"))
        == 10
    )
    confirmed = next(r.json() for r in responses if r.json()["status"] == "confirmed")
    assert confirmed["session_id"] == lab and confirmed["join_url"] == "https://meet.example.org/j/lab"
    # The session's seats are its own: the event still has all of its places.
    assert (await client.get(f"/api/v1/events/{event_id}")).json()["seats_left"] == 100
    whole = await signup(client, event_id, people[0].headers)
    assert whole.status_code == 201 and whole.json()["status"] == "confirmed"
    again = await signup(client, event_id, people[0].headers, session_id=lab)
    assert again.status_code == 409 and again.json()["code"] == "registration.duplicate"


async def test_a_consultation_slot_takes_one_and_lines_up_the_rest(client) -> None:
    event_id, _ = await staffed_event(client, capacity=5, kind="consultation")
    slot = await add_session(event_id, 1)
    open_room = await add_session(event_id, None)
    first, second = await make_actor(Role.MEMBER), await make_actor(Role.MEMBER)
    a = (await signup(client, event_id, first.headers, session_id=slot)).json()
    b = (await signup(client, event_id, second.headers, session_id=slot)).json()
    assert (a["status"], b["status"]) == ("confirmed", "waitlisted")
    not_bookable = await signup(client, event_id, second.headers, session_id=open_room)
    assert (
        not_bookable.status_code == 400 and not_bookable.json()["code"] == "registration.session_not_bookable"
    )
    await client.post(f"/api/v1/registrations/{a['id']}/cancel", headers=first.headers)
    assert (await client.get("/api/v1/registrations/mine", headers=second.headers)).json()[0][
        "status"
    ] == "offered"
    await Session.update({Session.status: "cancelled"}).where(Session.id == slot)
    late = await make_actor(Role.MEMBER)
    closed = await signup(client, event_id, late.headers, session_id=slot)
    assert closed.status_code == 409 and closed.json()["code"] == "registration.session_closed"
