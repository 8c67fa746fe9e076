"""Registration: capacity never oversells, the waitlist is first come first served, offers pass down."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from accounts.principal import Role
from events.services.registration import expire_offers
from events.tables import Registration, RegistrationChange
from grandrounds.db import now
from notifications.tables import OutboxMessage
from tests.conftest import make_actor, make_staff

JOIN = "https://meet.example.org/j/secret-room"


def event_body(capacity: int = 10, **over: object) -> dict[str, object]:
    start = datetime.now(UTC) + timedelta(days=7)
    body: dict[str, object] = {
        "kind": "webinar",
        "title": "Grand Rounds: social media in crisis communication",
        "time_zone": "America/Chicago",
        "starts_at": start.isoformat(),
        "ends_at": (start + timedelta(hours=1)).isoformat(),
        "capacity": capacity,
        "join_url": JOIN,
    }
    body.update(over)
    return body


async def published_event(client, capacity: int = 10, **over: object) -> int:
    staff = await make_staff()
    body = event_body(capacity, program_id=staff.program_id, **over)
    created = await client.post("/api/v1/events/", json=body, headers=staff.headers)
    assert created.status_code == 201, created.text
    event_id = created.json()["id"]
    assert (await client.post(f"/api/v1/events/{event_id}/publish", headers=staff.headers)).status_code == 200
    return int(event_id)


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
