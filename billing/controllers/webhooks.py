"""Stripe's webhook endpoint (no sign-in: the Stripe-Signature header is the credential)."""

from __future__ import annotations

from typing import Any

from litestar import Request, post
from litestar.status_codes import HTTP_200_OK

from billing.payments.schemas import WebhookReceipt
from billing.stripe_client import account_from
from billing.webhooks import receive


@post("/api/v1/billing/stripe/webhook", status_code=HTTP_200_OK, tags=["billing"])
async def stripe_webhook(request: Request[Any, Any, Any]) -> WebhookReceipt:
    """Verify and handle one event; 400 webhook.signature_invalid when the signature does not match."""
    account = account_from(request.app.state)
    event_id, outcome = await receive(account, await request.body(), request.headers.get("stripe-signature"))
    return WebhookReceipt(event_id=event_id, outcome=outcome)


CONTROLLERS = [stripe_webhook]
