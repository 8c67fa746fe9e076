"""Organization memberships: invoice (pay later) and card, seats assigned by the leader only, seat limits."""

from __future__ import annotations

import httpx
import pytest

from accounts.principal import Role
from accounts.services.standing import derived_roles
from billing.tables import LedgerEntry, MembershipSeat
from tests.builders.events import register
from tests.builders.memberships import (
    MEMBER_PRICE,
    guest,
    join_by_invoice,
    membership,
    open_invoice,
    organization,
    priced_event,
    send,
    subscription_for,
)
from tests.builders.people import make_actor, make_staff
from tests.stripe_server import Account, fee_for
from tests.stripe_server.subscriptions import pay_invoice


async def test_invoice_membership_starts_when_the_invoice_is_paid(
    client: httpx.AsyncClient, stripe_account: Account
) -> None:
    leader, colleague = await guest(), await guest()
    org_id = await organization(leader, colleague)
    joined = await client.post(
        f"/api/v1/memberships/organizations/{org_id}",
        json={"band": "B", "collection": "invoice"},
        headers=leader.headers,
    )
    assert joined.status_code == 200, joined.text
    membership_id = joined.json()["membership_id"]
    subscription = subscription_for(stripe_account, membership_id)
    assert subscription["collection_method"] == "send_invoice" and subscription["days_until_due"] == 30
    invoice = open_invoice(stripe_account, subscription["id"])
    assert invoice["amount_due"] == 400000 and joined.json()["next_url"] == invoice["hosted_invoice_url"]
    # Finalized but unpaid: nothing counts yet, and the seat the leader assigns gives nothing yet.
    assert await send(client, stripe_account.last_event("invoice.finalized")) == "membership_pending"
    seat = await client.post(
        f"/api/v1/memberships/{membership_id}/seats", json={"person_id": colleague.id}, headers=leader.headers
    )
    assert seat.status_code == 200, seat.text
    assert Role.MEMBER not in (await derived_roles([colleague.id]))[colleague.id]

    assert await send(client, pay_invoice(stripe_account, invoice["id"])) == "membership_active"
    row = await membership(membership_id)
    assert row["status"] == "active" and row["seat_limit"] == 15
    assert Role.MEMBER in (await derived_roles([colleague.id]))[colleague.id]
    # The leader took the first free seat at activation (seats.seat_leader_at_activation).
    assert Role.MEMBER in (await derived_roles([leader.id]))[leader.id]
    entries = await LedgerEntry.select(LedgerEntry.kind, LedgerEntry.amount).where(
        LedgerEntry.membership == membership_id
    )
    assert sorted((e["kind"], e["amount"]) for e in entries) == [
        ("charge", 400000),
        ("fee", -fee_for(400000)),
    ]


async def test_organization_by_card_goes_through_checkout(
    client: httpx.AsyncClient, stripe_account: Account
) -> None:
    leader = await guest()
    org_id = await organization(leader)
    joined = await client.post(
        f"/api/v1/memberships/organizations/{org_id}", json={"band": "A"}, headers=leader.headers
    )
    assert joined.status_code == 200, joined.text
    (session,) = stripe_account.sessions()
    assert session["mode"] == "subscription" and session["amount_total"] == 100000
    # Changing the band before paying: the old page is expired, a new one asks the new dues.
    changed = await client.post(
        f"/api/v1/memberships/organizations/{org_id}", json={"band": "C"}, headers=leader.headers
    )
    assert changed.json()["membership_id"] == joined.json()["membership_id"]
    assert stripe_account.get(session["id"], "checkout.session")["status"] == "expired"
    latest = next(s for s in stripe_account.sessions() if s["status"] == "open")
    assert latest["amount_total"] == 1000000
    assert await send(client, stripe_account.pay(latest["id"])) == "membership_active"
    row = await membership(joined.json()["membership_id"])
    assert (row["band"], row["seat_limit"], row["status"]) == ("C", 40, "active")


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"band": "Z"}, "membership.band_unknown"),
        ({"band": "A", "collection": "cheque"}, "membership.collection_unknown"),
    ],
)
async def test_bad_organization_joins_are_refused(
    client: httpx.AsyncClient, stripe_account: Account, body: dict[str, str], code: str
) -> None:
    leader = await guest()
    org_id = await organization(leader)
    response = await client.post(
        f"/api/v1/memberships/organizations/{org_id}", json=body, headers=leader.headers
    )
    assert response.status_code == 400 and response.json()["code"] == code
    assert stripe_account.sessions() == []


async def test_only_the_leader_starts_the_organizations_membership(
    client: httpx.AsyncClient, stripe_account: Account
) -> None:
    leader, colleague = await guest(), await guest()
    org_id = await organization(leader, colleague)
    response = await client.post(
        f"/api/v1/memberships/organizations/{org_id}", json={"band": "A"}, headers=colleague.headers
    )
    assert response.status_code == 403 and response.json()["code"] == "membership.not_leader"
    missing = await client.post(
        "/api/v1/memberships/organizations/999999", json={"band": "A"}, headers=leader.headers
    )
    assert missing.status_code == 404


WHO = ["leader", "seat holder", "other member", "stranger", "staff", "admin", "finance", "anonymous"]
ALLOWED = {"leader", "admin"}


@pytest.mark.parametrize("who", WHO)
async def test_seats_are_assigned_and_released_by_the_leader_only(
    client: httpx.AsyncClient, stripe_account: Account, who: str
) -> None:
    leader, holder, colleague = await guest(), await guest(), await guest()
    org_id = await organization(leader, holder, colleague)
    membership_id = await join_by_invoice(client, stripe_account, leader, org_id)
    seated = await client.post(
        f"/api/v1/memberships/{membership_id}/seats", json={"person_id": holder.id}, headers=leader.headers
    )
    assert seated.status_code == 200
    caller = {
        "leader": leader,
        "seat holder": holder,
        "other member": await make_actor(Role.MEMBER),
        "stranger": await guest(),
        "staff": await make_staff(),
        "admin": await make_actor(Role.ADMIN),
        "finance": await make_actor(Role.FINANCE),
        "anonymous": None,
    }[who]
    headers = caller.headers if caller else {}
    assign = await client.post(
        f"/api/v1/memberships/{membership_id}/seats", json={"person_id": colleague.id}, headers=headers
    )
    release = await client.delete(f"/api/v1/memberships/{membership_id}/seats/{holder.id}", headers=headers)
    view = await client.get(f"/api/v1/memberships/organizations/{org_id}", headers=headers)
    transfer = await client.post(
        f"/api/v1/memberships/{membership_id}/points/transfers",
        json={"person_id": holder.id, "points": 10},
        headers=headers,
    )
    open_seats = {
        s["person"]
        for s in await MembershipSeat.select(MembershipSeat.person).where(
            MembershipSeat.released_at.is_null()
        )
    }
    if who in ALLOWED:
        assert [assign.status_code, release.status_code, view.status_code] == [200, 200, 200]
        assert open_seats == {leader.id, colleague.id}
        assert (
            transfer.status_code == 400 and transfer.json()["code"] == "points.no_seat"
        )  # released just now
    else:
        expected = 401 if who == "anonymous" else 403
        for response in (assign, release, view, transfer):
            assert response.status_code == expected, (who, response.text)
        if who != "anonymous":
            assert assign.json()["code"] == "membership.not_leader"
        assert open_seats == {leader.id, holder.id}


async def test_seat_limit_and_colleagues_only(client: httpx.AsyncClient, stripe_account: Account) -> None:
    leader = await guest()
    colleagues = [await guest() for _ in range(6)]
    outsider = await guest()
    org_id = await organization(leader, *colleagues)
    membership_id = await join_by_invoice(client, stripe_account, leader, org_id, band="A")  # 5 seats
    # A leader who needs no seat gives up the one taken at activation.
    given_up = await client.delete(
        f"/api/v1/memberships/{membership_id}/seats/{leader.id}", headers=leader.headers
    )
    assert given_up.status_code == 200 and given_up.json() == []
    for colleague in colleagues[:5]:
        ok = await client.post(
            f"/api/v1/memberships/{membership_id}/seats",
            json={"person_id": colleague.id},
            headers=leader.headers,
        )
        assert ok.status_code == 200, ok.text
    again = await client.post(
        f"/api/v1/memberships/{membership_id}/seats",
        json={"person_id": colleagues[0].id},
        headers=leader.headers,
    )
    assert again.status_code == 200 and len(again.json()) == 5
    full = await client.post(
        f"/api/v1/memberships/{membership_id}/seats",
        json={"person_id": colleagues[5].id},
        headers=leader.headers,
    )
    assert full.status_code == 409 and full.json()["code"] == "membership.seats_full"
    stranger = await client.post(
        f"/api/v1/memberships/{membership_id}/seats", json={"person_id": outsider.id}, headers=leader.headers
    )
    assert stranger.status_code == 400 and stranger.json()["code"] == "membership.not_colleague"
    released = await client.delete(
        f"/api/v1/memberships/{membership_id}/seats/{colleagues[0].id}", headers=leader.headers
    )
    assert released.status_code == 200
    sixth = await client.post(
        f"/api/v1/memberships/{membership_id}/seats",
        json={"person_id": colleagues[5].id},
        headers=leader.headers,
    )
    assert sixth.status_code == 200
    assert await MembershipSeat.count().where(MembershipSeat.released_at.is_null()) == 5


async def test_a_seat_gives_member_prices_and_releasing_it_takes_them_away(
    client: httpx.AsyncClient, stripe_account: Account
) -> None:
    event_id = await priced_event(client)
    leader, colleague = await guest(), await guest()
    org_id = await organization(leader, colleague)
    membership_id = await join_by_invoice(client, stripe_account, leader, org_id)
    await client.post(
        f"/api/v1/memberships/{membership_id}/seats", json={"person_id": colleague.id}, headers=leader.headers
    )
    reg = await register(client, event_id, colleague)
    assert (reg["price_tier"], reg["amount"]) == ("member", MEMBER_PRICE)
    mine = (await client.get("/api/v1/memberships/mine", headers=colleague.headers)).json()
    assert mine["is_member"] and mine["memberships"][0]["via"] == "seat"
    await client.delete(f"/api/v1/memberships/{membership_id}/seats/{colleague.id}", headers=leader.headers)
    assert Role.MEMBER not in (await derived_roles([colleague.id]))[colleague.id]


async def test_concurrent_seat_assignments_never_exceed_the_band(
    client: httpx.AsyncClient, stripe_account: Account
) -> None:
    import asyncio

    leader = await guest()
    colleagues = [await guest() for _ in range(8)]
    org_id = await organization(leader, *colleagues)
    membership_id = await join_by_invoice(client, stripe_account, leader, org_id, band="A")  # 5 seats
    responses = await asyncio.gather(
        *(
            client.post(
                f"/api/v1/memberships/{membership_id}/seats", json={"person_id": c.id}, headers=leader.headers
            )
            for c in colleagues
        )
    )
    assert sorted(r.status_code for r in responses) == [200] * 4 + [409] * 4  # the leader holds the 5th
    assert await MembershipSeat.count().where(MembershipSeat.released_at.is_null()) == 5


async def test_an_invoice_paid_for_the_wrong_amount_counts_for_nothing_and_alerts(
    client: httpx.AsyncClient, stripe_account: Account
) -> None:
    import json

    from billing.tables import BillingAlert, PointsEntry

    leader, colleague = await guest(), await guest()
    org_id = await organization(leader, colleague)
    joined = await client.post(
        f"/api/v1/memberships/organizations/{org_id}",
        json={"band": "B", "collection": "invoice"},
        headers=leader.headers,
    )
    membership_id = joined.json()["membership_id"]
    invoice = open_invoice(stripe_account, subscription_for(stripe_account, membership_id)["id"])
    await send(client, pay_invoice(stripe_account, invoice["id"], amount=100))
    row = await membership(membership_id)
    assert row["status"] == "pending" and row["current_period_end"] is None
    (alert,) = await BillingAlert.select().where(BillingAlert.kind == "dues_mismatch")
    assert alert["stripe_id"] == invoice["id"] and json.loads(alert["details"])["invoice_amount_paid"] == 100
    assert await PointsEntry.count() == 0
    # The money is still mirrored in the ledger, attributed to the membership, for finance to settle.
    assert (
        await LedgerEntry.count().where(
            (LedgerEntry.membership == membership_id) & (LedgerEntry.kind == "charge")
        )
        == 1
    )
