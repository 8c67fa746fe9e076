"""Delivering events to the app the way Stripe does: a JSON body signed with the endpoint's secret.

The header is made by stripe's own ``WebhookSignature.generate_signature_header``
(what stripe's test helpers use), so the app's verification is tested against
Stripe's real scheme, not a copy of it.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import stripe

WEBHOOK_PATH = "/api/v1/billing/stripe/webhook"


def sign(payload: str, secret: str, timestamp: int | None = None) -> str:
    header: str = stripe.WebhookSignature.generate_signature_header(payload, secret, timestamp)
    return header


async def deliver(
    client: httpx.AsyncClient,
    event: dict[str, Any],
    secret: str,
    *,
    signature: str | None = None,
    path: str = WEBHOOK_PATH,
) -> httpx.Response:
    """POST one event to the app; ``signature`` overrides the header (to send a forged one)."""
    payload = json.dumps(event)
    headers = {"Content-Type": "application/json", "Stripe-Signature": signature or sign(payload, secret)}
    return await client.post(path, content=payload, headers=headers)
