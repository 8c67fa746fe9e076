"""The membership pages: compare and join, the member's page, the leader's page; all without JavaScript."""

from __future__ import annotations

from dataclasses import replace

import httpx

from billing.tables import Membership, MembershipSeat
from grandrounds.server.app import create_app
from grandrounds.settings import get_settings
from tests.builders.clients import client_for, csrf_from
from tests.builders.events import register
from tests.builders.memberships import guest, join_by_invoice, join_individual, organization, priced_event
from tests.stripe_server import Account


async def test_compare_page_is_public_and_lists_every_tier(client: httpx.AsyncClient) -> None:
    page = await client.get("/membership")
    assert page.status_code == 200
    for marker in (
        'id="tier-guest"',
        'id="tier-individual"',
        'id="tier-organization"',
        "195.00 USD",
        "4000.00 USD",
    ):
        assert marker in page.text
    assert 'id="payments-off"' not in page.text


async def test_without_stripe_paid_tiers_explain_and_guest_still_works() -> None:
    settings = replace(get_settings(), stripe_secret_key="", stripe_webhook_secret="", stripe_api_base="")
    async with client_for(create_app(settings)) as client:
        person = await guest()
        page = await client.get("/membership", headers=person.headers)
        assert 'id="payments-off"' in page.text
        token = csrf_from(page.text)
        paid = await client.post(
            "/membership/individual", data={"_csrf_token": token}, headers=person.headers
        )
        assert paid.status_code == 409 and "not set up" in paid.text
        api = await client.post("/api/v1/memberships/individual", headers=person.headers)
        assert api.status_code == 409 and api.json()["code"] == "billing.not_configured"
        assert await Membership.count() == 0
        joined = await client.post("/membership/guest", data={"_csrf_token": token}, headers=person.headers)
        assert joined.status_code in (302, 303) and joined.headers["location"].startswith(
            "/account/membership"
        )
        mine = await client.get("/account/membership", headers=person.headers)
        assert mine.status_code == 200 and "Guest" in mine.text and "cannot be shown" in mine.text


async def test_join_button_leads_to_stripe_checkout(
    client: httpx.AsyncClient, stripe_account: Account
) -> None:
    person = await guest()
    page = await client.get("/membership", headers=person.headers)
    response = await client.post(
        "/membership/individual", data={"_csrf_token": csrf_from(page.text)}, headers=person.headers
    )
    assert response.status_code == 303
    (session,) = stripe_account.sessions()
    assert response.headers["location"] == session["url"] and session["mode"] == "subscription"


async def test_member_page_shows_renewal_invoice_and_receipt(
    client: httpx.AsyncClient, stripe_account: Account
) -> None:
    person = await guest()
    body = await join_individual(client, stripe_account, person)
    row = await Membership.select().where(Membership.id == body["membership_id"]).first()
    assert row is not None
    page = await client.get("/account/membership", headers=person.headers)
    assert page.status_code == 200
    assert "You are a member" in page.text
    assert row["current_period_end"].strftime("%d %b %Y") in page.text
    invoice = next(o for o in stripe_account.of_kind("invoice"))
    assert invoice["hosted_invoice_url"] in page.text
    assert f"{stripe_account.public_url}/r/" in page.text  # the receipt link
    anonymous = await client.get("/account/membership")
    assert anonymous.status_code in (302, 303) and anonymous.headers["location"].startswith("/signin")


async def test_leader_page_assigns_seats_transfers_points_and_shows_usage(
    client: httpx.AsyncClient, stripe_account: Account
) -> None:
    event_id = await priced_event(client)
    leader, colleague, other = await guest(), await guest(), await guest()
    org_id = await organization(leader, colleague, other)
    await join_by_invoice(client, stripe_account, leader, org_id)
    page = await client.get(f"/organizations/{org_id}/membership", headers=leader.headers)
    assert page.status_code == 200 and 'id="pool-points">2000<' in page.text
    token = csrf_from(page.text)
    seat = await client.post(
        f"/organizations/{org_id}/membership/seats",
        data={"_csrf_token": token, "person_id": str(colleague.id)},
        headers=leader.headers,
    )
    assert seat.status_code in (302, 303)
    moved = await client.post(
        f"/organizations/{org_id}/membership/points",
        data={"_csrf_token": token, "person_id": str(colleague.id), "points": "30"},
        headers=leader.headers,
    )
    assert moved.status_code in (302, 303)
    too_many = await client.post(
        f"/organizations/{org_id}/membership/points",
        data={"_csrf_token": token, "person_id": str(colleague.id), "points": "99999"},
        headers=leader.headers,
    )
    assert too_many.status_code == 409 and "Not enough points" in too_many.text

    reg = await register(client, event_id, colleague)
    regs = await client.get("/account/membership", headers=colleague.headers)
    assert f'action="/registrations/{reg["id"]}/points"' in regs.text
    used = await client.post(
        f"/registrations/{reg['id']}/points",
        data={"_csrf_token": csrf_from(regs.text)},
        headers=colleague.headers,
    )
    assert used.status_code in (302, 303), used.text

    page = await client.get(f"/organizations/{org_id}/membership", headers=leader.headers)
    assert 'id="pool-points">1970<' in page.text
    usage = page.text.split('id="points-entries"')[1]
    assert "redeem" in usage and "-10" in usage and "Grand Rounds" in usage

    for outsider in (colleague, other):
        denied = await client.get(f"/organizations/{org_id}/membership", headers=outsider.headers)
        assert denied.status_code == 403
    forged = await client.post(
        f"/organizations/{org_id}/membership/seats",
        data={"_csrf_token": csrf_from(regs.text), "person_id": str(other.id)},
        headers=colleague.headers,
    )
    assert forged.status_code == 403
    no_csrf = await client.post(
        f"/organizations/{org_id}/membership/seats", data={"person_id": str(other.id)}, headers=leader.headers
    )
    assert no_csrf.status_code == 403
    assert await MembershipSeat.count().where(MembershipSeat.person == other.id) == 0
