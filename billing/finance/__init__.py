"""Finance: totals, exports, alerts, payouts and reconciliation against Stripe."""
