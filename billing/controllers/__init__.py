"""Billing's API: checkout for paid registrations and Stripe's webhook."""
