"""Billing's pages: paying for a held place and coming back from Stripe."""
