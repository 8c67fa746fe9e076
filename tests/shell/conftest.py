"""Fixtures of the shell's process-level tests (faults, the two-process cluster)."""

from tests.builders.faults import stripe_server

# The local Stripe-shaped server with the key the app processes are given (tests/builders/faults.py).
__all__ = ["stripe_server"]
