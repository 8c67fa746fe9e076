"""Whether this site can take money, as the running app knows it.

Billing holds the Stripe client, but events decide whether a paid place may be
held at all, and events must not import billing. The shell answers instead:
an app built with a Stripe secret key takes payments, one without does not.
The answer lives on the app's state (not in a module global), so two apps in
one process (tests, an unconfigured site beside a configured one) each keep
their own.
"""

from __future__ import annotations

from typing import Any

from grandrounds.settings import Settings

STATE_KEY = "payments_open"


def initial_state(settings: Settings) -> dict[str, Any]:
    """The app state entry ``create_app`` starts with."""
    return {STATE_KEY: bool(settings.stripe_secret_key)}


def payments_open(state: Any) -> bool:
    """True when the app was built with Stripe keys, so a paid place can be held and paid for."""
    return bool(state.get(STATE_KEY, False))
