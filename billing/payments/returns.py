"""The registrant's side of settlement: coming back from Stripe's page, or asking to pay."""

from __future__ import annotations

from accounts.principal import Principal
from billing.payments.checkout import registrant_view
from billing.payments.settlement import Outcome, settle_session
from billing.stripe_client import StripeAccount
from billing.tables import Checkout


async def settle_on_return(account: StripeAccount, principal: Principal, registration_id: int) -> Outcome:
    """The browser came back from Stripe: settle the registration's latest session now, by the same
    path as the webhook, so the person sees the outcome without waiting for Stripe to call us."""
    await registrant_view(principal, registration_id)
    latest = (
        await Checkout.select(Checkout.stripe_session_id)
        .where((Checkout.registration == registration_id) & Checkout.stripe_session_id.is_not_null())
        .order_by(Checkout.attempt, ascending=False)
        .first()
    )
    if latest is None:
        return "awaiting_payment"
    return await settle_session(account, latest["stripe_session_id"])
