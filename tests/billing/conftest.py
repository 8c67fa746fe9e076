"""Billing fixtures: the app wired to a Stripe-shaped server on loopback, and paid places to buy.

The real stripe SDK inside the app talks HTTP to ``tests.stripe_server``;
webhooks are delivered to the app signed by stripe's own code. Nothing
reaches the internet.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import replace
from typing import Any

import httpx
import pytest
from asgi_lifespan import LifespanManager
from litestar import Litestar

from accounts.principal import Role
from billing.ledger import balance_of
from grandrounds.server.app import create_app
from grandrounds.settings import get_settings
from tests.conftest import Actor, make_actor, make_staff
from tests.events.test_registration import event_body
from tests.stripe_server import Account, StripeServer, deliver

API_KEY = "sk_test_grandrounds"
WEBHOOK_SECRET = "whsec_test_grandrounds"
PRICE = 1999


@pytest.fixture(scope="session")
def stripe_server() -> Iterator[StripeServer]:
    server = StripeServer(API_KEY).start()
    yield server
    server.stop()


@pytest.fixture
def stripe_account(stripe_server: StripeServer) -> Account:
    """The fake account, emptied for each test."""
    stripe_server.account.reset()
    stripe_server.account.clock_offset = 0
    return stripe_server.account


@pytest.fixture
def app(stripe_server: StripeServer, stripe_account: Account) -> Litestar:
    settings = replace(
        get_settings(),
        stripe_secret_key=API_KEY,
        stripe_webhook_secret=WEBHOOK_SECRET,
        stripe_api_base=stripe_server.url,
    )
    return create_app(settings)


@asynccontextmanager
async def client_for(app: Litestar) -> AsyncIterator[httpx.AsyncClient]:
    async with LifespanManager(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver.local") as client:
            yield client


class Shop:
    """A paid event and the steps of buying a place at it, through the API and the fake Stripe."""

    def __init__(self, client: httpx.AsyncClient, stripe: Account) -> None:
        self.client = client
        self.stripe = stripe
        self.event_id = 0

    async def open_event(self, capacity: int = 10, price: int = PRICE, currency: str = "USD") -> int:
        staff = await make_staff()
        created = await self.client.post(
            "/api/v1/events/", json=event_body(capacity, program_id=staff.program_id), headers=staff.headers
        )
        assert created.status_code == 201, created.text
        self.event_id = created.json()["id"]
        published = await self.client.post(f"/api/v1/events/{self.event_id}/publish", headers=staff.headers)
        assert published.status_code == 200, published.text
        ticket = await self.client.post(
            f"/api/v1/events/{self.event_id}/ticket-types",
            json={
                "name": "Full day",
                "currency": currency,
                "member_price": price,
                "non_member_price": price,
                "guest_price": price,
            },
            headers=staff.headers,
        )
        assert ticket.status_code == 201, ticket.text
        return int(self.event_id)

    async def register(self, person: Actor | None = None) -> tuple[Actor, dict[str, Any]]:
        person = person or await make_actor(Role.MEMBER)
        reg = await self.client.post(f"/api/v1/events/{self.event_id}/registrations", headers=person.headers)
        assert reg.status_code == 201, reg.text
        return person, reg.json()

    async def checkout(self, person: Actor, registration_id: int) -> dict[str, Any]:
        response = await self.client.post(
            f"/api/v1/registrations/{registration_id}/checkout", headers=person.headers
        )
        assert response.status_code == 200, response.text
        return dict(response.json())

    async def deliver(self, event: dict[str, Any]) -> httpx.Response:
        response = await deliver(self.client, event, WEBHOOK_SECRET)
        assert response.status_code == 200, response.text
        return response

    async def status(self, registration_id: int) -> str:
        from events.tables import Registration

        row = await Registration.select(Registration.status).where(Registration.id == registration_id).first()
        assert row is not None
        return str(row["status"])

    async def assert_ledger_matches_stripe(self, registration_id: int) -> None:
        """The registration's ledger rows sum to what Stripe holds for it (net of fees and refunds)."""
        held = self.stripe.held_for(registration_id)
        mirrored = await balance_of(registration_id)
        assert sum(mirrored.values()) == held, (mirrored, held)
        assert len(mirrored) <= 1  # one currency per registration


@pytest.fixture
async def shop(client: httpx.AsyncClient, stripe_account: Account) -> Shop:
    return Shop(client, stripe_account)
