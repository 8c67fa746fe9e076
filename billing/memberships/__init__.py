"""Memberships: joining, Stripe subscriptions, standing, organization seats and points."""
