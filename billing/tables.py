"""Billing tables: memberships, checkouts, the ledger, reconciliation."""
