"""The background dispatcher, with every package's chores, for the app and the worker.

The composition does the wiring so that notifications need not import the
packages that use it (dependencies point one way).
"""

from __future__ import annotations

from billing.stripe_client import StripeAccount
from grandrounds.server.wiring import chores, wire_all
from grandrounds.settings import Settings
from notifications.dispatcher import Dispatcher, new_worker_id
from notifications.transports import MailTransport, transport_for


def default_dispatcher(
    settings: Settings, transport: MailTransport | None = None, stripe_account: StripeAccount | None = None
) -> Dispatcher:
    """The dispatcher with every chore. With a Stripe account (the app's, or the worker's own) it
    also closes Stripe's checkout pages whose hold lapsed."""
    return Dispatcher(
        transport or transport_for(settings), settings, new_worker_id(), chores=chores(stripe_account)
    )


def worker_dispatcher(settings: Settings, stripe_account: StripeAccount | None = None) -> Dispatcher:
    """What ``grandrounds worker`` runs: wired exactly as the app is, then the default dispatcher."""
    wire_all()
    return default_dispatcher(settings, stripe_account=stripe_account)
