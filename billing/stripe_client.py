"""The process's connection to Stripe: one async StripeClient, opened and closed with the app.

The client is built inside the app's lifespan, never at import: stripe 16's
async HTTP client binds to the event loop that first uses it, so a client
made at import breaks on a second loop (tests, reloads). Its HTTP client is
closed on shutdown so no connection outlives the loop.

Without ``STRIPE_SECRET_KEY`` there is no account: paid places say so
(``billing.not_configured``) instead of failing at the first Stripe call.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from typing import Any

import stripe

from billing import errors
from grandrounds.settings import Settings

STATE_KEY = "stripe_account"


@dataclass(frozen=True, slots=True)
class StripeAccount:
    """What billing needs to talk to Stripe and to trust what Stripe sends back."""

    client: stripe.StripeClient
    webhook_secret: str


def open_account(settings: Settings) -> tuple[StripeAccount, stripe.HTTPXClient] | None:
    """A client for the configured account and the HTTP client to close with it; None without a key."""
    if not settings.stripe_secret_key:
        return None
    http = stripe.HTTPXClient()  # async only: a synchronous call would block the event loop
    base_addresses: Any = {"api": settings.stripe_api_base} if settings.stripe_api_base else None
    client = stripe.StripeClient(
        settings.stripe_secret_key,
        base_addresses=base_addresses,
        http_client=http,
        max_network_retries=2,
    )
    return StripeAccount(client, settings.stripe_webhook_secret), http


def stripe_lifespan(settings: Settings) -> Callable[[Any], AbstractAsyncContextManager[None]]:
    """The app lifespan step that keeps the account on ``app.state`` while the app runs."""

    @asynccontextmanager
    async def lifespan(app: Any) -> AsyncIterator[None]:
        opened = open_account(settings)
        app.state[STATE_KEY] = opened[0] if opened else None
        try:
            yield
        finally:
            app.state[STATE_KEY] = None
            if opened:
                await opened[1].close_async()

    return lifespan


@asynccontextmanager
async def worker_account(settings: Settings) -> AsyncIterator[StripeAccount | None]:
    """The same account for a ``grandrounds worker`` process, opened inside its running loop and
    closed when the worker stops; None without a key (the worker then skips Stripe chores)."""
    opened = open_account(settings)
    try:
        yield opened[0] if opened else None
    finally:
        if opened:
            await opened[1].close_async()


def account_from(state: Any) -> StripeAccount:
    """The running app's Stripe account, or billing.not_configured."""
    account: StripeAccount | None = state.get(STATE_KEY)
    if account is None:
        raise errors.not_configured()
    return account
