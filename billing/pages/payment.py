"""Paying for a held place: a form button that leads to Stripe, and the page Stripe sends people back to.

Both work without JavaScript. Only the registrant reaches them; anyone
else's registration is "not found".
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from billing.payments.checkout import registrant_view, start_checkout
from billing.payments.returns import settle_on_return
from billing.stripe_client import account_from
from grandrounds.web.auth import signed_in
from grandrounds.web.dependencies import CurrentPrincipal

OUTCOMES: dict[str, tuple[str, str]] = {
    "confirmed": ("Payment received", "Your payment went through and your place is confirmed."),
    "already_settled": ("Payment received", "Your payment went through and your place is confirmed."),
    "awaiting_payment": (
        "Waiting for the payment",
        "Stripe has not told us yet that the payment went through. Reload this page in a minute; "
        "we also email you as soon as it is confirmed.",
    ),
    "amount_mismatch": (
        "We need to check your payment",
        "The amount Stripe took differs from the price of your place, so it is not confirmed yet. "
        "Our finance team has been told and will contact you.",
    ),
    "refunded_seat_gone": (
        "Your payment was refunded",
        "The time to pay ran out and the seat went to someone else before your payment arrived, "
        "so we refunded it in full. We sent you an email about it.",
    ),
    "refunded": ("Your payment was refunded", "This payment has been refunded."),
    "released": (
        "The checkout ran out of time",
        "The seat held for you was released. Register again if places are left.",
    ),
    "expired": ("The checkout ran out of time", "This checkout can no longer be paid."),
    "not_ours": ("Waiting for the payment", "We could not find this checkout."),
}


class PaymentPages(Controller):
    include_in_schema = False
    guards = [signed_in]

    @post("/registrations/{registration_id:int}/pay")
    async def pay(
        self, request: Request[Any, Any, Any], principal: CurrentPrincipal, registration_id: FromPath[int]
    ) -> Redirect:
        """Send the registrant to Stripe's page for their held place."""
        account = account_from(request.app.state)
        checkout = await start_checkout(account, principal, registration_id)
        return Redirect(path=checkout.url, status_code=303)

    @get("/registrations/{registration_id:int}/paid")
    async def paid(
        self, request: Request[Any, Any, Any], principal: CurrentPrincipal, registration_id: FromPath[int]
    ) -> Template:
        """Where Stripe sends the browser after payment: re-read from Stripe and show what happened."""
        reg = await registrant_view(principal, registration_id)
        outcome = await settle_on_return(account_from(request.app.state), principal, registration_id)
        heading, message = OUTCOMES[outcome]
        return Template(
            "billing/paid.html",
            context={
                "heading": heading,
                "message": message,
                "event_title": reg["event_title"],
                "outcome": outcome,
            },
        )


CONTROLLERS = [PaymentPages]
