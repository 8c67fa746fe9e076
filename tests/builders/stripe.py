"""The keys the app and the local Stripe-shaped server (tests.stripe_server) agree on."""

from __future__ import annotations

API_KEY = "sk_test_grandrounds"
WEBHOOK_SECRET = "whsec_test_grandrounds"
