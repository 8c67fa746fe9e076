"""The demo's memberships: who is a member through what, seats and points, and seeding twice is once."""

from __future__ import annotations

import httpx

from accounts.principal import Role
from accounts.services.credentials import create_token
from accounts.services.standing import derived_roles
from accounts.tables import Person
from billing.memberships import points
from billing.tables import Membership, MembershipSeat, PointsEntry
from grandrounds.db import now
from grandrounds.server.demo import seed_demo
from grandrounds.server.wiring import wire_all


async def counts() -> tuple[int, int, int]:
    return (await Membership.count(), await MembershipSeat.count(), await PointsEntry.count())


async def test_demo_memberships_seed_once_and_tell_the_tour_story() -> None:
    logins = await seed_demo()
    first = await counts()
    again = await seed_demo()
    assert await counts() == first == (3, 3, 3)
    assert again.accounts == logins.accounts
    labels = dict((email, label) for label, email in logins.accounts)
    assert labels["leader@example.org"] == "org leader" and labels["lapsed@example.org"] == "lapsed member"

    wire_all()  # as the server does: membership is billing's to say
    people = {r["email"]: r["id"] for r in await Person.select(Person.email, Person.id)}
    roles = await derived_roles(list(people.values()))
    member_now = {email for email, pid in people.items() if Role.MEMBER in roles.get(pid, set())}
    for email in ("member@example.org", "leader@example.org", "colleague@example.org", "comms@example.org"):
        assert email in member_now, email
    assert "lapsed@example.org" not in member_now and "guest@example.org" not in member_now

    individual = await Membership.select().where(Membership.person == people["member@example.org"]).first()
    assert individual is not None and individual["stripe_subscription_id"] == ""
    left = individual["current_period_end"] - now()
    assert 80 < left.days < 100  # about three months to go
    lapsed = await Membership.select().where(Membership.person == people["lapsed@example.org"]).first()
    assert lapsed is not None and lapsed["current_period_end"] < now()

    org = await Membership.select().where(Membership.tier == "organization").first()
    assert org is not None and (org["band"], org["seat_limit"]) == ("B", 15)
    seated = await MembershipSeat.count().where(
        (MembershipSeat.membership == org["id"]) & MembershipSeat.released_at.is_null()
    )
    assert seated == 3
    assert await points.balances(org["id"]) == {None: 1850, people["colleague@example.org"]: 150}


async def _headers(email: str) -> dict[str, str]:
    person = await Person.select(Person.id).where(Person.email == email).first()
    assert person is not None
    return {"Authorization": f"Bearer {(await create_token(person['id'], 'tests')).token}"}


async def test_demo_members_see_their_pages_without_stripe_keys(client: httpx.AsyncClient) -> None:
    await seed_demo()
    mine = await client.get("/account/membership", headers=await _headers("member@example.org"))
    assert mine.status_code == 200 and "Individual" in mine.text
    org = await Membership.select(Membership.organization).where(Membership.tier == "organization").first()
    assert org is not None
    leader_page = await client.get(
        f"/organizations/{org['organization']}/membership", headers=await _headers("leader@example.org")
    )
    assert leader_page.status_code == 200, leader_page.text
    assert "Seats (3 of 15)" in leader_page.text and "Casey Colleague" in leader_page.text
    lapsed = await client.get("/account/membership", headers=await _headers("lapsed@example.org"))
    assert lapsed.status_code == 200
