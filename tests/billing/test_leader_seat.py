"""The organization's leader takes the first seat at activation, once, and only while one is free."""

from __future__ import annotations

import httpx

from accounts.principal import Role
from accounts.services.standing import derived_roles
from billing.tables import MembershipSeat
from tests.builders.memberships import (
    guest,
    join_by_invoice,
    open_invoice,
    organization,
    send,
    subscription_for,
)
from tests.stripe_server import Account
from tests.stripe_server.subscriptions import pay_invoice, renew


async def open_seat_holders(membership_id: int) -> set[int]:
    rows = await MembershipSeat.select(MembershipSeat.person).where(
        (MembershipSeat.membership == membership_id) & MembershipSeat.released_at.is_null()
    )
    return {r["person"] for r in rows}


async def test_a_seat_the_leader_gave_up_is_not_taken_back_at_renewal(
    client: httpx.AsyncClient, stripe_account: Account
) -> None:
    leader, colleague = await guest(), await guest()
    org_id = await organization(leader, colleague)
    membership_id = await join_by_invoice(client, stripe_account, leader, org_id, band="B")
    assert await open_seat_holders(membership_id) == {leader.id}
    # Redelivered activation seats nobody twice.
    await send(client, {**stripe_account.last_event("invoice.paid"), "id": "evt_test_again"})
    assert await MembershipSeat.count().where(MembershipSeat.membership == membership_id) == 1

    released = await client.delete(
        f"/api/v1/memberships/{membership_id}/seats/{leader.id}", headers=leader.headers
    )
    assert released.status_code == 200
    assert Role.MEMBER not in (await derived_roles([leader.id])).get(leader.id, set())

    subscription = subscription_for(stripe_account, membership_id)
    for event in renew(stripe_account, subscription["id"]):
        await send(client, event)
    invoice = open_invoice(stripe_account, subscription["id"])
    assert await send(client, pay_invoice(stripe_account, invoice["id"])) == "membership_active"
    assert await open_seat_holders(membership_id) == set()


async def test_the_leader_takes_no_seat_when_the_band_is_already_full(
    client: httpx.AsyncClient, stripe_account: Account
) -> None:
    leader = await guest()
    colleagues = [await guest() for _ in range(5)]
    org_id = await organization(leader, *colleagues)
    joined = await client.post(
        f"/api/v1/memberships/organizations/{org_id}",
        json={"band": "A", "collection": "invoice"},
        headers=leader.headers,
    )
    assert joined.status_code == 200, joined.text
    membership_id = int(joined.json()["membership_id"])
    for colleague in colleagues:  # all 5 seats given out while the first invoice is open
        seated = await client.post(
            f"/api/v1/memberships/{membership_id}/seats",
            json={"person_id": colleague.id},
            headers=leader.headers,
        )
        assert seated.status_code == 200, seated.text
    invoice = open_invoice(stripe_account, subscription_for(stripe_account, membership_id)["id"])
    assert await send(client, pay_invoice(stripe_account, invoice["id"])) == "membership_active"
    assert await open_seat_holders(membership_id) == {c.id for c in colleagues}
