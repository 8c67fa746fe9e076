"""Paying for a place: Stripe Checkout, settlement, holds, refunds and disputes."""
