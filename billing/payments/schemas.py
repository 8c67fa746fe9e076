"""Shapes billing's API returns (msgspec Structs)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

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


class RefundCreate(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """Finance asks for money back. ``amount`` in minor units of the payment's currency (absent: all
    that remains). ``expected_refunded`` is how much had been refunded when finance looked (the page
    sends it); the same value twice is the same request, so a double submit refunds once."""

    reason: Annotated[str, msgspec.Meta(min_length=1, max_length=500)]
    amount: Annotated[int, msgspec.Meta(gt=0, le=100_000_000)] | None = None
    expected_refunded: Annotated[int, msgspec.Meta(ge=0, le=100_000_000)] | None = None


class RefundOut(msgspec.Struct, kw_only=True):
    """One refund finance asked for, and where the payment and the place stand after it."""

    id: int
    registration_id: int
    amount: int  # minor units
    currency: str
    reason: str
    status: str  # creating, succeeded, failed
    stripe_refund_id: str
    charge_amount: int
    charge_refunded: int  # of the charge, all refunds so far (ours and the dashboard's)
    registration_status: str
    created_at: datetime
