"""Wires the background dispatcher with every package's scheduled chores.

The shell does the wiring so that notifications need not import the packages
that use it (dependencies point one way).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import partial

from billing.payments.lapsed_checkouts import expire_lapsed_checkouts
from billing.stripe_client import StripeAccount
from events.services.consultations import delivery as consultation_delivery
from events.services.invites import delivery as invite_delivery
from events.services.registration.registering import expire_holds, expire_offers
from events.services.reminders import send_due_reminders
from grandrounds.settings import get_settings
from notifications.dispatcher import Dispatcher, new_worker_id
from notifications.invites import register_resolver
from notifications.transports import MailTransport, transport_for
from programs.services.certificates import sweep as issue_due_certificates


def wire_invite_resolvers() -> None:
    """Queued calendar invites are built at delivery from events' rows (notifications imports none)."""
    register_resolver("session", invite_delivery.resolve_session)
    register_resolver("event", invite_delivery.resolve_event)
    register_resolver("booking", consultation_delivery.resolve_booking)


def default_dispatcher(
    transport: MailTransport | None = None, stripe_account: StripeAccount | None = None
) -> Dispatcher:
    """The dispatcher with every chore. With a Stripe account (the app's, or the worker's own) it
    also closes Stripe's checkout pages whose hold lapsed, right after expire_holds released them."""
    settings = get_settings()
    wire_invite_resolvers()
    chores: list[Callable[[], Awaitable[int]]] = [
        expire_offers,
        expire_holds,
        send_due_reminders,
        issue_due_certificates,
    ]
    if stripe_account is not None:
        chores.insert(2, partial(expire_lapsed_checkouts, stripe_account))
    return Dispatcher(transport or transport_for(settings), settings, new_worker_id(), chores=chores)
