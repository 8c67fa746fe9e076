"""billing: memberships, Stripe payments, refunds, ledger, reconciliation."""
