"""A Stripe-shaped local server for tests: nothing reaches the internet, the real SDK speaks HTTP to it."""

from tests.stripe_server.account import Account, StripeFailure, fee_for
from tests.stripe_server.server import StripeServer
from tests.stripe_server.webhooks import deliver, sign

__all__ = ["Account", "StripeFailure", "StripeServer", "deliver", "fee_for", "sign"]
