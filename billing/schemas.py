"""Shapes billing's API returns (msgspec Structs)."""

from __future__ import annotations

from datetime import datetime

import msgspec


class CheckoutOut(msgspec.Struct, kw_only=True):
    """Where to send the person to pay: a Stripe Checkout page that stops taking payment at ``expires_at``."""

    registration_id: int
    attempt: int
    session_id: str
    url: str
    amount: int  # minor units
    currency: str
    expires_at: datetime


class WebhookReceipt(msgspec.Struct, kw_only=True):
    """What became of a delivered event: Stripe looks only at the 2xx; the outcome is for the logs."""

    event_id: str
    outcome: str
