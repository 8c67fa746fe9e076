"""Finance's pages for one registration's payment (with the refund form) and for disputes.

Finance and admins only; others get 403, anonymous visitors are sent to
sign in. The refund form takes the amount as people write it ("5.00", empty
for all that remains) in the payment's currency, and carries how much had
been refunded when the page was drawn, so submitting it twice refunds once.
"""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post
from litestar.params import FromPath, URLEncodedBody
from litestar.response import Redirect, Template

from accounts.principal import Role
from billing import errors
from billing.finance.view import PaymentView, payment_view
from billing.payments.disputes import disputes_list
from billing.payments.refunds import refund_registration
from billing.payments.schemas import RefundCreate
from billing.stripe_client import account_from
from grandrounds.errors import DomainError
from grandrounds.money import format_money, to_minor_units
from grandrounds.web.auth import requires
from grandrounds.web.dependencies import CurrentPrincipal

Body = URLEncodedBody[dict[str, str]]
FINANCE = [requires(Role.FINANCE)]
NOTICES = {"refunded": "Refund made. Stripe returns the money to the card in a few days."}


def _refund_request(form: dict[str, str], view: PaymentView) -> RefundCreate:
    """The form as the service's request; the amount typed in major units of the payment's currency."""
    currency = view.charge["currency"] if view.charge else view.registration["currency"]
    raw = (form.get("amount") or "").strip()
    try:
        amount = to_minor_units(raw, currency) if raw else None
    except ValueError as exc:
        raise errors.amount_invalid() from exc
    if amount is not None and amount <= 0:
        raise errors.amount_invalid()
    reason = (form.get("reason") or "").strip()[:500]
    if not reason:
        raise errors.reason_missing()
    seen = (form.get("expected_refunded") or "").strip()
    expected = int(seen) if seen.isdigit() and len(seen) < 10 else None
    return RefundCreate(reason=reason, amount=amount, expected_refunded=expected)


def _when(value: Any) -> str:
    return value.strftime("%Y-%m-%d %H:%M UTC") if value else ""


async def _page(
    request: Request[Any, Any, Any],
    registration_id: int,
    form: dict[str, str] | None = None,
    error: DomainError | None = None,
) -> Template:
    view = await payment_view(registration_id)
    currency = view.charge["currency"] if view.charge else view.registration["currency"]
    return Template(
        "finance/registration_payment.html",
        context={
            "view": view,
            "reg": view.registration,
            "money": format_money,
            "when": _when,
            "currency": currency,
            "form": form or {},
            "notice": NOTICES.get(request.query_params.get("done") or ""),
            "error": error.message if error else None,
            "error_field": str(error.details.get("field", "")) if error else "",
        },
        status_code=error.status_code if error else 200,
    )


@get("/finance/registrations/{registration_id:int}", guards=FINANCE, include_in_schema=False)
async def registration_payment(request: Request[Any, Any, Any], registration_id: FromPath[int]) -> Template:
    """A registration's payment as Stripe recorded it, with the refund form."""
    return await _page(request, registration_id)


@post(
    "/finance/registrations/{registration_id:int}/refunds",
    guards=FINANCE,
    include_in_schema=False,
    opt={"audit": ("refund.create", "refund.replay")},
)
async def refund_from_page(
    request: Request[Any, Any, Any], principal: CurrentPrincipal, registration_id: FromPath[int], data: Body
) -> Response[Any]:
    form = {k: v[:600] for k, v in data.items() if k in ("amount", "reason", "expected_refunded")}
    try:
        view = await payment_view(registration_id)
        refund = _refund_request(form, view)
        await refund_registration(account_from(request.app.state), principal, registration_id, refund)
    except DomainError as exc:
        if exc.code == "registration.not_found":
            raise
        return await _page(request, registration_id, form, exc)
    return Redirect(path=f"/finance/registrations/{registration_id}?done=refunded", status_code=303)


@get("/finance/disputes", guards=FINANCE, include_in_schema=False)
async def disputes_page() -> Template:
    """Every dispute, newest first: what is at stake, why, and by when evidence is due."""
    return Template(
        "finance/disputes.html",
        context={"disputes": await disputes_list(), "money": format_money, "when": _when},
    )


CONTROLLERS = [registration_payment, refund_from_page, disputes_page]
