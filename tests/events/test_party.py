"""Registering colleagues: all or nothing, one party that waits, is offered seats and answers as one."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest

from accounts.principal import Role
from accounts.services.organizations import create_organization
from accounts.tables import OrganizationMember
from events.services.registration.registering import expire_offers
from events.tables import Registration, RegistrationChange
from grandrounds.db import now
from notifications.tables import OutboxMessage
from tests.builders.events import JOIN, add_ticket_type, event_of
from tests.builders.people import Actor, make_actor, make_staff


async def organization(leader: Actor, *members: Actor) -> int:
    org = await create_organization(f"Clinic of {leader.email}", leader.id)
    for member in members:
        await OrganizationMember.insert(OrganizationMember(organization=org.id, person=member.id))
    return org.id


def book(client, event_id: int, headers: dict[str, str], people: list[Any], **body: Any):  # type: ignore[no-untyped-def]
    ids = [p.id if isinstance(p, Actor) else p for p in people]
    return client.post(
        f"/api/v1/events/{event_id}/registrations/colleagues",
        json={"person_ids": ids, **body},
        headers=headers,
    )


async def status_of(actor: Actor) -> list[str]:
    rows = (
        await Registration.select(Registration.status)
        .where(Registration.person == actor.id)
        .order_by(Registration.id)
    )
    return [r["status"] for r in rows]


async def test_a_leader_books_colleagues_who_each_pay_their_tier(client) -> None:
    staff = await make_staff()
    event_id = await event_of(client, staff)
    ticket = await add_ticket_type(
        client, event_id, staff.headers, member_price=1000, non_member_price=3000, guest_price=2000
    )
    leader, member, guest = (
        await make_actor(Role.MEMBER),
        await make_actor(Role.MEMBER),
        await make_actor(Role.GUEST),
    )
    await organization(leader, member, guest)
    response = await book(client, event_id, leader.headers, [leader, member, guest])
    assert response.status_code == 201, response.text
    regs = {r["id"]: r for r in response.json()}
    by_person = {r["person"]: r for r in await Registration.select().where(Registration.id.is_in(list(regs)))}
    assert {p: (by_person[p]["amount"], by_person[p]["price_tier"]) for p in by_person} == {
        leader.id: (1000, "member"),
        member.id: (1000, "member"),
        guest.id: (3000, "non_member"),  # the guest price is for those who sign themselves up
    }
    assert {r["status"] for r in regs.values()} == {"pending_payment"}
    assert {r["ticket_type_id"] for r in regs.values()} == {ticket["id"]}
    parties = {r["party"] for r in regs.values()}
    assert len(parties) == 1 and parties != {""}
    assert {r["booked_by"] for r in regs.values()} == {leader.id}
    changes = await RegistrationChange.select(RegistrationChange.by_person).where(
        RegistrationChange.registration.is_in(list(regs))
    )
    assert [c["by_person"] for c in changes] == [leader.id] * 3


async def test_colleagues_get_their_own_ticket_and_link_and_the_booker_sees_neither(client) -> None:
    staff = await make_staff()
    event_id = await event_of(client, staff)
    leader, colleague = await make_actor(Role.MEMBER), await make_actor(Role.GUEST)
    await organization(leader, colleague)
    booked = (await book(client, event_id, leader.headers, [colleague])).json()[0]
    assert booked["status"] == "confirmed" and booked["ticket_code"] is None and booked["join_url"] is None
    assert booked["party"] == ""  # one person is no party
    own = (await client.get("/api/v1/registrations/mine", headers=colleague.headers)).json()[0]
    assert own["ticket_code"] and own["join_url"] == JOIN
    email = (
        await OutboxMessage.select(OutboxMessage.context)
        .where(OutboxMessage.recipient == colleague.email)
        .first()
    )
    assert email is not None
    context = email["context"] if isinstance(email["context"], dict) else json.loads(email["context"])
    assert context["booked_by_name"] == leader.email.split("@")[0].title()
    assert (
        own["ticket_code"]
        not in (await client.get("/api/v1/registrations/mine", headers=leader.headers)).text
    )

    cancelled = await client.post(f"/api/v1/registrations/{booked['id']}/cancel", headers=leader.headers)
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    assert cancelled.json()["ticket_code"] is None
    stranger = await make_actor(Role.MEMBER)
    denied = await client.post(f"/api/v1/registrations/{booked['id']}/cancel", headers=stranger.headers)
    assert denied.status_code == 403 and denied.json()["code"] == "registration.forbidden"


async def test_a_group_booking_is_all_or_nothing(client) -> None:
    staff = await make_staff()
    event_id = await event_of(client, staff, capacity=3)
    leader, a, b = await make_actor(Role.MEMBER), await make_actor(Role.MEMBER), await make_actor(Role.MEMBER)
    await organization(leader, a, b)
    assert (
        await client.post(f"/api/v1/events/{event_id}/registrations", headers=a.headers)
    ).status_code == 201
    refused = await book(client, event_id, leader.headers, [a, b])
    assert refused.status_code == 409 and refused.json()["code"] == "registration.duplicate"
    assert refused.json()["details"]["person_ids"] == [a.id]
    assert await status_of(b) == [] and await Registration.count() == 1

    too_many = await book(client, event_id, staff.headers, [leader, a, b, await make_actor(Role.MEMBER)])
    assert too_many.status_code == 409 and too_many.json()["code"] == "registration.party_too_large"
    assert await Registration.count() == 1

    members_only = await event_of(client, staff, member_only=True)
    guest = await make_actor(Role.GUEST)
    shut = await book(client, members_only, staff.headers, [b, guest])
    assert shut.status_code == 403 and shut.json()["code"] == "event.members_only"
    ticketed = await event_of(client, staff)
    await add_ticket_type(client, ticketed, staff.headers, member_only=True)
    shut = await book(client, ticketed, staff.headers, [b, guest])
    assert shut.status_code == 403 and shut.json()["code"] == "ticket.members_only"
    assert shut.json()["details"]["person_ids"] == [guest.id]
    assert await Registration.count() == 1


async def test_a_party_waits_together_and_nobody_behind_it_jumps_ahead(client) -> None:
    staff = await make_staff()
    event_id = await event_of(client, staff, capacity=3)
    first, second = await make_actor(Role.MEMBER), await make_actor(Role.MEMBER)
    regs = {}
    for holder in (first, second):
        regs[holder.id] = (
            await client.post(f"/api/v1/events/{event_id}/registrations", headers=holder.headers)
        ).json()
    party = [await make_actor(Role.MEMBER) for _ in range(3)]
    lined = (await book(client, event_id, staff.headers, party)).json()
    assert [r["status"] for r in lined] == ["waitlisted"] * 3  # one seat is free, the party needs three
    solo = await make_actor(Role.MEMBER)
    behind = (await client.post(f"/api/v1/events/{event_id}/registrations", headers=solo.headers)).json()
    assert behind["status"] == "waitlisted"  # the free seat is not for someone behind the party

    await client.post(f"/api/v1/registrations/{regs[first.id]['id']}/cancel", headers=first.headers)
    assert [await status_of(p) for p in party] == [["waitlisted"]] * 3
    assert await status_of(solo) == ["waitlisted"]

    await client.post(f"/api/v1/registrations/{regs[second.id]['id']}/cancel", headers=second.headers)
    assert [await status_of(p) for p in party] == [["offered"]] * 3
    assert await status_of(solo) == ["waitlisted"]
    expiries = await Registration.select(Registration.offer_expires_at).where(
        Registration.status == "offered"
    )
    assert len({e["offer_expires_at"] for e in expiries}) == 1

    declined = await client.post(f"/api/v1/registrations/{lined[1]['id']}/decline", headers=party[1].headers)
    assert declined.status_code == 200
    assert [await status_of(p) for p in party] == [["declined"]] * 3
    assert await status_of(solo) == ["offered"]


async def test_a_partys_offer_is_claimed_and_expires_as_one(client) -> None:
    staff = await make_staff()
    leader = await make_actor(Role.MEMBER)
    event_id = await event_of(client, staff, capacity=2)
    holders = [await make_actor(Role.MEMBER) for _ in range(2)]
    held = [
        (await client.post(f"/api/v1/events/{event_id}/registrations", headers=h.headers)).json()
        for h in holders
    ]
    party = [await make_actor(Role.MEMBER) for _ in range(2)]
    await organization(leader, *party)
    lined = (await book(client, event_id, leader.headers, party)).json()
    for holder, reg in zip(holders, held, strict=True):
        await client.post(f"/api/v1/registrations/{reg['id']}/cancel", headers=holder.headers)
    claimed = await client.post(f"/api/v1/registrations/{lined[0]['id']}/claim", headers=leader.headers)
    assert claimed.status_code == 200 and claimed.json()["status"] == "confirmed"
    assert claimed.json()["ticket_code"] is None  # the booker does not get the colleague's ticket
    assert [await status_of(p) for p in party] == [["confirmed"]] * 2
    own = [(await client.get("/api/v1/registrations/mine", headers=p.headers)).json()[0] for p in party]
    assert all(r["ticket_code"] for r in own)

    # A second event: the party's offer runs out together and passes to the next in line.
    event_id = await event_of(client, staff, capacity=2)
    held = [
        (await client.post(f"/api/v1/events/{event_id}/registrations", headers=h.headers)).json()
        for h in holders
    ]
    lined = (await book(client, event_id, leader.headers, party)).json()
    solo = await make_actor(Role.MEMBER)
    await client.post(f"/api/v1/events/{event_id}/registrations", headers=solo.headers)
    for holder, reg in zip(holders, held, strict=True):
        await client.post(f"/api/v1/registrations/{reg['id']}/cancel", headers=holder.headers)
    ids = [r["id"] for r in lined]
    await Registration.update({Registration.offer_expires_at: now() - timedelta(minutes=1)}).where(
        Registration.id.is_in(ids)
    )
    assert await expire_offers() == 2
    rows = await Registration.select(Registration.status).where(Registration.id.is_in(ids))
    assert [r["status"] for r in rows] == ["expired", "expired"]
    assert (await status_of(solo))[-1] == "offered"


MATRIX = [
    ("nobody", "colleague", 401, "auth.required"),
    ("plain member", "colleague", 403, "registration.on_behalf_forbidden"),
    ("leader", "stranger", 403, "registration.not_colleague"),
    ("other leader", "colleague", 403, "registration.not_colleague"),
    ("other program's staff", "colleague", 403, "registration.on_behalf_forbidden"),
    ("leader", "colleague", 201, None),
    ("event's staff", "stranger", 201, None),
    ("admin", "stranger", 201, None),
    ("event's staff", "no account", 400, "registration.person_unknown"),
    ("leader", "nobody at all", 400, "registration.party_invalid"),
    ("leader", "the same colleague twice", 400, "registration.party_invalid"),
    ("event's staff", "fifty-one people", 400, "registration.party_invalid"),
    ("leader", "not a number", 400, "request.invalid"),
]


@pytest.mark.parametrize(
    ("who", "whom", "status", "code"), MATRIX, ids=[f"{w} books {t}" for w, t, _, _ in MATRIX]
)
async def test_who_may_register_whom(client, who: str, whom: str, status: int, code: str | None) -> None:
    staff = await make_staff()
    event_id = await event_of(client, staff, capacity=60)
    leader, colleague, stranger = [await make_actor(Role.MEMBER) for _ in range(3)]
    await organization(leader, colleague)
    other_leader = await make_actor(Role.MEMBER)
    await organization(other_leader)
    callers: dict[str, Actor | None] = {
        "nobody": None,
        "plain member": await make_actor(Role.MEMBER),
        "leader": leader,
        "other leader": other_leader,
        "other program's staff": await make_staff(),
        "event's staff": staff,
        "admin": await make_actor(Role.ADMIN),
    }
    targets: dict[str, list[Any]] = {
        "colleague": [colleague],
        "stranger": [stranger],
        "no account": [colleague.id, 999_999],
        "nobody at all": [],
        "the same colleague twice": [colleague, colleague],
        "fifty-one people": list(range(1, 52)),
        "not a number": ["abc"],
    }
    caller = callers[who]
    response = await book(client, event_id, caller.headers if caller else {}, targets[whom])
    assert response.status_code == status, response.text
    if code:
        assert response.json()["code"] == code
        assert await Registration.count() == 0
    else:
        assert [r["status"] for r in response.json()] == ["confirmed"]
