"""Points spent on a place come back when the place ends unused, to a membership that still counts."""

from __future__ import annotations

from datetime import timedelta

import httpx

from accounts.principal import Role
from billing.memberships import points
from billing.tables import PointsEntry
from events.services.registration.registering import expire_holds
from events.tables import CheckIn, Registration, Session
from grandrounds.db import now
from tests.builders.events import register
from tests.builders.memberships import (
    MEMBER_PRICE,
    age_membership,
    cancel,
    ends_today,
    membership,
    priced_event,
    seated_colleague,
    send,
    transfer,
)
from tests.builders.people import Actor, make_actor
from tests.builders.refunds import finance, refund
from tests.stripe_server import Account


async def spend(client: httpx.AsyncClient, reg_id: int, person: Actor) -> dict[str, int | bool | str]:
    used = await client.post(f"/api/v1/registrations/{reg_id}/points", headers=person.headers)
    assert used.status_code == 200, used.text
    return dict(used.json())


async def paid_with_points(
    client: httpx.AsyncClient, stripe: Account, event_id: int, person: Actor, *, points_used: int
) -> dict[str, int]:
    """A confirmed place: ``points_used`` points off the member price, the rest paid through Checkout."""
    reg = await register(client, event_id, person)
    assert (await spend(client, reg["id"], person))["points"] == points_used
    opened = await client.post(f"/api/v1/registrations/{reg['id']}/checkout", headers=person.headers)
    assert opened.status_code == 200, opened.text
    assert await send(client, stripe.pay(opened.json()["session_id"])) == "confirmed"
    return dict(reg)


async def returns() -> list[tuple[int, int]]:
    rows = await PointsEntry.select(PointsEntry.registration, PointsEntry.amount).where(
        PointsEntry.kind == "return"
    )
    return sorted((r["registration"], r["amount"]) for r in rows)


async def test_cancelling_a_place_paid_with_points_gives_them_back_once(
    client: httpx.AsyncClient, stripe_account: Account
) -> None:
    event_id = await priced_event(client)
    leader, colleague, membership_id = await seated_colleague(client, stripe_account)
    await transfer(client, leader, membership_id, colleague, 25)
    reg = await register(client, event_id, colleague)
    assert (await spend(client, reg["id"], colleague))["confirmed"] is True  # 10 points cover it
    assert await points.balances(membership_id) == {None: 1975, colleague.id: 15}

    await cancel(client, reg["id"], colleague)

    assert await points.balances(membership_id) == {None: 1975, colleague.id: 25}
    assert await returns() == [(reg["id"], 10)]
    again = await client.post(f"/api/v1/registrations/{reg['id']}/cancel", headers=colleague.headers)
    assert again.status_code == 409
    assert await returns() == [(reg["id"], 10)]


async def test_a_full_refund_gives_points_back_and_a_partial_one_does_not(
    client: httpx.AsyncClient, stripe_account: Account
) -> None:
    event_id = await priced_event(client)
    leader, colleague, membership_id = await seated_colleague(client, stripe_account)
    await transfer(client, leader, membership_id, colleague, 4)
    reg = await paid_with_points(client, stripe_account, event_id, colleague, points_used=4)
    cash = MEMBER_PRICE - 400
    staff = await finance()

    partial = await refund(client, staff, reg["id"], amount=100)
    assert partial.status_code == 201, partial.text
    assert await points.balances(membership_id) == {None: 1996}  # money back only; points stay spent
    assert await returns() == []

    rest = await refund(client, staff, reg["id"], amount=cash - 100)
    assert rest.status_code == 201, rest.text
    status = await Registration.select(Registration.status).where(Registration.id == reg["id"]).first()
    assert status == {"status": "refunded"}
    assert await points.balances(membership_id) == {None: 1996, colleague.id: 4}
    assert await returns() == [(reg["id"], 4)]


async def test_points_of_a_lapsed_membership_stay_forfeited(
    client: httpx.AsyncClient, stripe_account: Account
) -> None:
    event_id = await priced_event(client)
    leader, colleague, membership_id = await seated_colleague(client, stripe_account)
    await transfer(client, leader, membership_id, colleague, 25)
    reg = await register(client, event_id, colleague)
    await spend(client, reg["id"], colleague)
    await age_membership(membership_id, ends_today(await membership(membership_id)))

    await cancel(client, reg["id"], colleague)

    assert await returns() == []
    assert await points.balances(membership_id) == {}


async def test_a_used_place_keeps_its_points_spent(
    client: httpx.AsyncClient, stripe_account: Account
) -> None:
    event_id = await priced_event(client)
    leader, colleague, membership_id = await seated_colleague(client, stripe_account)
    await transfer(client, leader, membership_id, colleague, 25)
    reg = await register(client, event_id, colleague)
    await spend(client, reg["id"], colleague)
    session = await Session.select(Session.id).where(Session.event == event_id).first()
    assert session is not None
    await CheckIn.insert(
        CheckIn(session=session["id"], registration=reg["id"], person=colleague.id, method="search")
    )

    await cancel(client, reg["id"], colleague)

    assert await returns() == []
    assert await points.balances(membership_id) == {None: 1975, colleague.id: 15}


async def test_an_expired_hold_returns_points_only_once_stripe_page_is_closed(
    client: httpx.AsyncClient, stripe_account: Account
) -> None:
    event_id = await priced_event(client)
    leader, colleague, membership_id = await seated_colleague(client, stripe_account)
    await transfer(client, leader, membership_id, colleague, 4)
    reg = await register(client, event_id, colleague)
    await spend(client, reg["id"], colleague)
    opened = await client.post(f"/api/v1/registrations/{reg['id']}/checkout", headers=colleague.headers)
    assert opened.status_code == 200, opened.text
    await Registration.update({Registration.hold_expires_at: now() - timedelta(minutes=1)}).where(
        Registration.id == reg["id"]
    )

    assert await expire_holds() == 1
    # Stripe's page is still open: a late payment could still confirm the place at its reduced price.
    assert await returns() == []

    assert await send(client, stripe_account.expire(opened.json()["session_id"])) in ("expired", "released")
    assert await returns() == [(reg["id"], 4)]
    assert await points.balances(membership_id) == {None: 1996, colleague.id: 4}


async def test_cancelling_the_event_gives_every_registrant_their_points(
    client: httpx.AsyncClient, stripe_account: Account
) -> None:
    event_id = await priced_event(client)
    leader, colleague, membership_id = await seated_colleague(client, stripe_account)
    await transfer(client, leader, membership_id, colleague, 25)
    reg = await register(client, event_id, colleague)
    await spend(client, reg["id"], colleague)
    admin = await make_actor(Role.ADMIN)
    cancelled = await client.post(
        f"/api/v1/events/{event_id}/cancel", json={"reason": "Speaker unwell"}, headers=admin.headers
    )
    assert cancelled.status_code == 200, cancelled.text
    assert await returns() == [(reg["id"], 10)]
    assert await points.balances(membership_id) == {None: 1975, colleague.id: 25}
