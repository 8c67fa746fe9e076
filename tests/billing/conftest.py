"""Billing fixtures: the app wired to a Stripe-shaped server on loopback, and paid places to buy.

The real stripe SDK inside the app talks HTTP to ``tests.stripe_server``;
webhooks are delivered to the app signed by stripe's own code. Nothing
reaches the internet.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import httpx
import pytest
from litestar import Litestar

from grandrounds.server.app import create_app
from grandrounds.settings import get_settings
from tests.builders.places import Shop
from tests.builders.stripe import API_KEY, WEBHOOK_SECRET
from tests.stripe_server import Account, StripeServer


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


@pytest.fixture
async def shop(client: httpx.AsyncClient, stripe_account: Account) -> Shop:
    return Shop(client, stripe_account)
