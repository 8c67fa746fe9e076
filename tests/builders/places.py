"""Paid places: a paid event, buying a place at it through the API and the local Stripe, and after.

``Shop`` drives one purchase step by step; the billing conftest hands it out as the ``shop``
fixture over the app wired to the Stripe-shaped server.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx

from accounts.principal import Role
from billing.ledger import balance_of
from events.services.registration.registering import expire_holds
from events.tables import Registration
from grandrounds.db import now
from notifications.tables import OutboxMessage
from tests.builders.events import make_event
from tests.builders.people import Actor, make_actor
from tests.builders.stripe import WEBHOOK_SECRET
from tests.stripe_server import Account, deliver

PRICE = 1999


class Shop:
    """A paid event and the steps of buying a place at it, through the API and the fake Stripe."""

    def __init__(self, client: httpx.AsyncClient, stripe: Account) -> None:
        self.client = client
        self.stripe = stripe
        self.event_id = 0

    async def open_event(self, capacity: int = 10, price: int = PRICE, currency: str = "USD") -> int:
        self.event_id, staff = await make_event(self.client, capacity=capacity)
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


async def confirmations(email: str) -> int:
    return int(
        await OutboxMessage.count().where(
            (OutboxMessage.template == "registration_confirmed") & (OutboxMessage.recipient == email)
        )
    )


async def lapse_hold(registration_id: int) -> None:
    """The hold runs out and the dispatcher's chore passes the seat on."""
    await Registration.update({Registration.hold_expires_at: now() - timedelta(seconds=1)}).where(
        Registration.id == registration_id
    )
    assert await expire_holds() >= 1
