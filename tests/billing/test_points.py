"""Organization points: half the dues per paid term, moved by the leader, spent on places, never on dues,
forfeited the day the membership lapses."""

from __future__ import annotations

import httpx
import pytest

from billing.memberships import points
from billing.memberships.tiers import BANDS, points_for_dues
from billing.tables import PointsEntry
from tests.builders.events import register
from tests.builders.memberships import (
    MEMBER_PRICE,
    age_membership,
    ends_today,
    membership,
    open_invoice,
    priced_event,
    seated_colleague,
    send,
    subscription_for,
    transfer,
)
from tests.stripe_server import Account
from tests.stripe_server.subscriptions import pay_invoice, renew


@pytest.mark.parametrize(("dues", "granted"), [(400000, 2000), (100000, 500), (1000000, 5000), (19999, 99)])
def test_points_are_half_the_dues_in_major_units(dues: int, granted: int) -> None:
    assert points_for_dues(dues) == granted


def test_every_band_grants_half_its_dues() -> None:
    assert [points_for_dues(b.dues) for b in BANDS] == [b.dues // 200 for b in BANDS]


async def test_a_paid_term_grants_half_the_dues_once(
    client: httpx.AsyncClient, stripe_account: Account
) -> None:
    _leader, _colleague, membership_id = await seated_colleague(client, stripe_account)
    assert await points.balances(membership_id) == {None: 2000}
    # invoice.paid again (a redelivery under a new event id) grants nothing more.
    paid = stripe_account.last_event("invoice.paid")
    await send(client, {**paid, "id": "evt_test_redelivered"})
    assert await points.balances(membership_id) == {None: 2000}
    # The next year's term grants again.
    subscription = subscription_for(stripe_account, membership_id)
    for event in renew(stripe_account, subscription["id"]):
        await send(client, event)
    renewal_invoice = open_invoice(stripe_account, subscription["id"])
    assert await send(client, pay_invoice(stripe_account, renewal_invoice["id"])) == "membership_active"
    assert await points.balances(membership_id) == {None: 4000}


async def test_leader_transfers_points_to_a_seat_holder(
    client: httpx.AsyncClient, stripe_account: Account
) -> None:
    leader, colleague, membership_id = await seated_colleague(client, stripe_account)
    moved = await transfer(client, leader, membership_id, colleague, 150)
    assert moved.status_code == 200, moved.text
    assert moved.json() == {"pool": 1850, str(colleague.id): 150}
    too_many = await transfer(client, leader, membership_id, colleague, 5000)
    assert too_many.status_code == 409 and too_many.json()["code"] == "points.insufficient"
    assert too_many.json()["details"] == {"available": 1850}
    not_leader = await transfer(client, colleague, membership_id, colleague, 10)
    assert not_leader.status_code == 403 and not_leader.json()["code"] == "membership.not_leader"
    nothing = await transfer(client, leader, membership_id, colleague, 0)
    assert nothing.status_code == 400
    assert await points.balances(membership_id) == {None: 1850, colleague.id: 150}
    mine = (await client.get("/api/v1/memberships/mine", headers=colleague.headers)).json()
    assert mine["points"] == 150


async def test_points_reduce_the_price_before_checkout(
    client: httpx.AsyncClient, stripe_account: Account
) -> None:
    event_id = await priced_event(client)
    leader, colleague, membership_id = await seated_colleague(client, stripe_account)
    await transfer(client, leader, membership_id, colleague, 4)
    reg = await register(client, event_id, colleague)
    assert (reg["status"], reg["amount"]) == ("pending_payment", MEMBER_PRICE)
    used = await client.post(f"/api/v1/registrations/{reg['id']}/points", headers=colleague.headers)
    assert used.status_code == 200, used.text
    assert used.json() == {
        "registration_id": reg["id"],
        "points": 4,
        "discount": 400,
        "amount_left": MEMBER_PRICE - 400,
        "currency": "USD",
        "confirmed": False,
    }
    opened = await client.post(f"/api/v1/registrations/{reg['id']}/checkout", headers=colleague.headers)
    assert opened.status_code == 200 and opened.json()["amount"] == MEMBER_PRICE - 400
    completed = stripe_account.pay(opened.json()["session_id"])
    assert await send(client, completed) == "confirmed"
    twice = await client.post(f"/api/v1/registrations/{reg['id']}/points", headers=colleague.headers)
    assert twice.status_code == 409 and twice.json()["code"] == "points.not_applicable"
    usage = (
        await client.get(
            f"/api/v1/memberships/organizations/{(await membership(membership_id))['organization']}",
            headers=leader.headers,
        )
    ).json()
    redeemed = [e for e in usage["points_entries"] if e["kind"] == "redeem"]
    assert redeemed[0]["registration_id"] == reg["id"] and redeemed[0]["amount"] == -4
    assert redeemed[0]["person_name"] and redeemed[0]["event_title"]


async def test_a_place_covered_by_points_confirms_without_stripe(
    client: httpx.AsyncClient, stripe_account: Account
) -> None:
    event_id = await priced_event(client)
    leader, colleague, membership_id = await seated_colleague(client, stripe_account)
    await transfer(client, leader, membership_id, colleague, 25)
    sessions_before = len(stripe_account.sessions())
    reg = await register(client, event_id, colleague)
    used = await client.post(f"/api/v1/registrations/{reg['id']}/points", headers=colleague.headers)
    assert (
        used.json()["confirmed"] is True and used.json()["points"] == 10 and used.json()["amount_left"] == 0
    )
    mine = (await client.get("/api/v1/registrations/mine", headers=colleague.headers)).json()
    assert [r["status"] for r in mine if r["id"] == reg["id"]] == ["confirmed"]
    assert len(stripe_account.sessions()) == sessions_before
    assert await points.balances(membership_id) == {None: 1975, colleague.id: 15}


async def test_points_cannot_pay_dues(client: httpx.AsyncClient, stripe_account: Account) -> None:
    leader, colleague, membership_id = await seated_colleague(client, stripe_account)
    await transfer(client, leader, membership_id, colleague, 500)
    joined = await client.post("/api/v1/memberships/individual", headers=colleague.headers)
    assert joined.status_code == 200
    session = next(s for s in stripe_account.sessions() if s["url"] == joined.json()["next_url"])
    assert session["amount_total"] == 19500  # full dues: points are for event places only
    assert await points.balances(membership_id) == {None: 1500, colleague.id: 500}


async def test_points_are_forfeited_the_day_the_membership_lapses(
    client: httpx.AsyncClient, stripe_account: Account
) -> None:
    event_id = await priced_event(client)
    leader, colleague, membership_id = await seated_colleague(client, stripe_account)
    await transfer(client, leader, membership_id, colleague, 100)
    row = await membership(membership_id)
    await age_membership(membership_id, ends_today(row))
    # Gone at once, before any forfeit row exists.
    assert await PointsEntry.count().where(PointsEntry.kind == "forfeit") == 0
    assert await points.balances(membership_id) == {}
    assert (await client.get("/api/v1/memberships/mine", headers=colleague.headers)).json()["points"] == 0
    reg = await register(client, event_id, colleague)
    assert reg["price_tier"] != "member"
    refused = await client.post(f"/api/v1/registrations/{reg['id']}/points", headers=colleague.headers)
    assert refused.status_code == 409 and refused.json()["code"] == "points.insufficient"
    # The leader's page finds the lapse and writes it down, once.
    for _ in range(2):
        view = await client.get(
            f"/api/v1/memberships/organizations/{row['organization']}", headers=leader.headers
        )
        assert view.status_code == 200 and view.json()["pool_points"] == 0
    forfeits = await PointsEntry.select(PointsEntry.person, PointsEntry.amount).where(
        PointsEntry.kind == "forfeit"
    )
    assert sorted((f["person"] or 0, f["amount"]) for f in forfeits) == [(0, -1900), (colleague.id, -100)]
    moved = await transfer(client, leader, membership_id, colleague, 1)
    assert moved.status_code == 409 and moved.json()["code"] == "membership.not_active"
