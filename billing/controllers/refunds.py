"""Refunds started by finance: give back all or part of what was paid for a registration."""

from __future__ import annotations

from typing import Any

from litestar import Request, post
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_201_CREATED

from accounts.principal import Role
from billing.payments.refunds import refund_registration
from billing.payments.schemas import RefundCreate, RefundOut
from billing.stripe_client import account_from
from grandrounds.web.auth import requires
from grandrounds.web.dependencies import CurrentPrincipal


@post(
    "/api/v1/registrations/{registration_id:int}/refunds",
    status_code=HTTP_201_CREATED,
    guards=[requires(Role.FINANCE)],
    tags=["billing"],
    opt={"audit": ("refund.create", "refund.replay")},
)
async def create_refund(
    request: Request[Any, Any, Any],
    principal: CurrentPrincipal,
    registration_id: FromPath[int],
    data: JSONBody[RefundCreate],
) -> RefundOut:
    """Refund ``amount`` minor units (absent: all that remains) of the registration's payment.

    Finance and admins only. Send ``expected_refunded`` (how much had been
    refunded when you looked) to make a retry safe: the same value again
    returns the first refund instead of making a second. Refused with
    ``refund.certificate_issued`` once a completion certificate exists for the
    enrollment, ``refund.exceeds_remaining`` above what is left,
    ``refund.stale`` when the payment changed since you looked.
    """
    account = account_from(request.app.state)
    return await refund_registration(account, principal, registration_id, data)


CONTROLLERS = [create_refund]
