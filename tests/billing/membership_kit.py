"""Helpers for membership tests: a priced event, an organization, and driving the fake Stripe."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx

from accounts.principal import Role
from accounts.services.organizations import create_organization
from accounts.tables import OrganizationMember
from billing.tables import Membership
from grandrounds.db import now
from tests.billing.conftest import WEBHOOK_SECRET
from tests.conftest import Actor, make_actor, make_staff
from tests.events.test_registration import event_body
from tests.stripe_server import Account, deliver
from tests.stripe_server.subscriptions import invoices_of, subscription_of

MEMBER_PRICE, NON_MEMBER_PRICE, GUEST_PRICE = 1000, 2500, 2000


async def priced_event(client: httpx.AsyncClient, capacity: int = 20) -> int:
    """A published webinar whose one ticket costs 10.00 for members, 25.00 for others, 20.00 for guests."""
    staff = await make_staff()
    created = await client.post(
        "/api/v1/events/", json=event_body(capacity, program_id=staff.program_id), headers=staff.headers
    )
    assert created.status_code == 201, created.text
    event_id = int(created.json()["id"])
    assert (await client.post(f"/api/v1/events/{event_id}/publish", headers=staff.headers)).status_code == 200
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


async def register(client: httpx.AsyncClient, event_id: int, person: Actor) -> dict[str, Any]:
    response = await client.post(f"/api/v1/events/{event_id}/registrations", headers=person.headers)
    assert response.status_code == 201, response.text
    return dict(response.json())


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
