"""Checkout for a paid registration: the registrant gets the Stripe page where they pay."""

from __future__ import annotations

from typing import Any

from litestar import Request, post
from litestar.params import FromPath
from litestar.status_codes import HTTP_200_OK

from billing.payments.checkout import start_checkout
from billing.payments.schemas import CheckoutOut
from billing.stripe_client import account_from
from grandrounds.web.auth import signed_in
from grandrounds.web.dependencies import CurrentPrincipal


@post(
    "/api/v1/registrations/{registration_id:int}/checkout",
    status_code=HTTP_200_OK,
    guards=[signed_in],
    tags=["billing"],
)
async def checkout(
    request: Request[Any, Any, Any], principal: CurrentPrincipal, registration_id: FromPath[int]
) -> CheckoutOut:
    """Open (or reopen) the Stripe Checkout Session for the caller's place held for payment.

    Calling it again while the session can still be paid returns the same
    session; send the person to ``url``.
    """
    account = account_from(request.app.state)
    return await start_checkout(account, principal, registration_id)


CONTROLLERS = [checkout]
