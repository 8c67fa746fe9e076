"""Memberships: a priced event, an organization, joining and seating through the local Stripe."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx

from accounts.principal import Role
from accounts.services.organizations import create_organization
from accounts.tables import OrganizationMember
from billing.tables import Membership
from grandrounds.db import now
from tests.builders.events import make_event
from tests.builders.people import Actor, make_actor
from tests.builders.stripe import WEBHOOK_SECRET
from tests.stripe_server import Account, deliver
from tests.stripe_server.subscriptions import invoices_of, pay_invoice, subscription_of

MEMBER_PRICE, NON_MEMBER_PRICE, GUEST_PRICE = 1000, 2500, 2000


async def priced_event(client: httpx.AsyncClient, capacity: int = 20) -> int:
    """A published webinar whose one ticket costs 10.00 for members, 25.00 for others, 20.00 for guests."""
    event_id, staff = await make_event(client, capacity=capacity)
    ticket = await client.post(
        f"/api/v1/events/{event_id}/ticket-types",
        json={
            "name": "Webinar",
            "currency": "USD",
            "member_price": MEMBER_PRICE,
            "non_member_price": NON_MEMBER_PRICE,
            "guest_price": GUEST_PRICE,
        },
        headers=staff.headers,
    )
    assert ticket.status_code == 201, ticket.text
    return event_id


async def cancel(client: httpx.AsyncClient, registration_id: int, person: Actor) -> None:
    response = await client.post(f"/api/v1/registrations/{registration_id}/cancel", headers=person.headers)
    assert response.status_code == 200, response.text


async def send(client: httpx.AsyncClient, event: dict[str, Any]) -> str:
    response = await deliver(client, event, WEBHOOK_SECRET)
    assert response.status_code == 200, response.text
    return str(response.json()["outcome"])


async def join_individual(client: httpx.AsyncClient, stripe: Account, person: Actor) -> dict[str, Any]:
    """Join through Checkout and deliver Stripe's events in the order Stripe sends them."""
    joined = await client.post("/api/v1/memberships/individual", headers=person.headers)
    assert joined.status_code == 200, joined.text
    body = joined.json()
    session = next(s for s in stripe.sessions() if s["url"] == body["next_url"])
    first = len(stripe.events)
    completed = stripe.pay(session["id"])
    sent = ("customer.subscription.created", "invoice.paid")
    for event in [e for e in stripe.events[first:] if e["type"] in sent]:
        await send(client, event)
    await send(client, completed)
    return dict(body)


async def organization(leader: Actor, *colleagues: Actor, name: str = "St. Example Health") -> int:
    org = await create_organization(name, leader.id)
    for colleague in colleagues:
        await OrganizationMember.insert(OrganizationMember(organization=org.id, person=colleague.id))
    return org.id


def subscription_for(stripe: Account, membership_id: int) -> dict[str, Any]:
    return subscription_of(stripe, "membership_id", str(membership_id))


def open_invoice(stripe: Account, subscription_id: str) -> dict[str, Any]:
    return next(i for i in invoices_of(stripe, subscription_id) if i["status"] == "open")


async def membership(membership_id: int) -> dict[str, Any]:
    row = await Membership.select().where(Membership.id == membership_id).first()
    assert row is not None
    return dict(row)


async def age_membership(membership_id: int, by: timedelta) -> None:
    """Move a membership's dates into the past, as if ``by`` had gone by on our clock."""
    row = await membership(membership_id)
    await Membership.update(
        {
            Membership.starts_at: row["starts_at"] - by,
            Membership.current_period_end: row["current_period_end"] - by,
        }
    ).where(Membership.id == membership_id)


def ends_today(row: dict[str, Any]) -> timedelta:
    """How far to age a membership so its paid term ended a minute ago."""
    return row["current_period_end"] - now() + timedelta(minutes=1)


async def guest() -> Actor:
    return await make_actor(Role.GUEST)


async def join_by_invoice(
    client: httpx.AsyncClient, stripe: Account, leader: Actor, org_id: int, band: str = "B"
) -> int:
    joined = await client.post(
        f"/api/v1/memberships/organizations/{org_id}",
        json={"band": band, "collection": "invoice"},
        headers=leader.headers,
    )
    assert joined.status_code == 200, joined.text
    membership_id = int(joined.json()["membership_id"])
    subscription = subscription_for(stripe, membership_id)
    invoice = open_invoice(stripe, subscription["id"])
    assert joined.json()["next_url"] == invoice["hosted_invoice_url"]
    assert await send(client, pay_invoice(stripe, invoice["id"])) == "membership_active"
    return membership_id


async def seated_colleague(client: httpx.AsyncClient, stripe: Account) -> tuple[Actor, Actor, int]:
    leader, colleague = await guest(), await guest()
    org_id = await organization(leader, colleague)
    membership_id = await join_by_invoice(client, stripe, leader, org_id, band="B")
    seat = await client.post(
        f"/api/v1/memberships/{membership_id}/seats", json={"person_id": colleague.id}, headers=leader.headers
    )
    assert seat.status_code == 200
    return leader, colleague, membership_id


async def transfer(
    client: httpx.AsyncClient, leader: Actor, membership_id: int, person: Actor, amount: int
) -> httpx.Response:
    return await client.post(
        f"/api/v1/memberships/{membership_id}/points/transfers",
        json={"person_id": person.id, "points": amount},
        headers=leader.headers,
    )
