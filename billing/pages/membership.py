"""Membership pages: compare tiers and join, the member's own page, and the organization leader's page.

Plain forms, no JavaScript; every form carries the CSRF field. Joining a
paid tier sends the browser to Stripe (Checkout, or the hosted invoice for an
organization paying later); without Stripe configured the page says payments
are not set up, and a guest account still works. A failed form is shown
again with its message and the status of the error.
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, URLEncodedBody
from litestar.response import Redirect, Template

from accounts.principal import Principal
from accounts.services import organizations
from billing.memberships import joining, points, seats
from billing.memberships import views as membership_views
from billing.memberships.tiers import CURRENCY
from billing.stripe_client import STATE_KEY, StripeAccount, account_from
from grandrounds.errors import DomainError
from grandrounds.money import format_money
from grandrounds.web.auth import signed_in
from grandrounds.web.dependencies import CurrentPrincipal, Viewer

Form = URLEncodedBody[dict[str, str]]


def _account(request: Request[Any, Any, Any]) -> StripeAccount | None:
    account: StripeAccount | None = request.app.state.get(STATE_KEY)
    return account


async def _led_organizations(principal: Principal | None) -> list[organizations.OrganizationName]:
    return [] if principal is None else await organizations.led_by(principal.person_id)


def _int(value: str | None) -> int:
    try:
        return int(value or "")
    except ValueError:
        return 0


async def _offer_page(
    request: Request[Any, Any, Any], viewer: Principal | None, error: str = "", status: int = 200
) -> Template:
    offer = membership_views.offer()
    return Template(
        "billing/membership.html",
        context={
            "offer": offer,
            "individual_price": format_money(offer.individual_dues, CURRENCY),
            "bands": [{"band": b, "price": format_money(b.dues, b.currency)} for b in offer.bands],
            "payments_ready": _account(request) is not None,
            "organizations": await _led_organizations(viewer),
            "error": error,
        },
        status_code=status,
    )


class MembershipPages(Controller):
    include_in_schema = False

    @get("/membership")
    async def compare(self, request: Request[Any, Any, Any], viewer: Viewer) -> Template:
        """The tiers side by side, with a way to join each."""
        return await _offer_page(request, viewer)

    @post("/membership/guest", guards=[signed_in])
    async def join_guest(self, principal: CurrentPrincipal) -> Response[Any]:
        await joining.join_guest(principal)
        return Redirect(path="/account/membership?joined=guest")

    @post("/membership/individual", guards=[signed_in])
    async def join_individual(
        self, request: Request[Any, Any, Any], principal: CurrentPrincipal
    ) -> Response[Any]:
        try:
            outcome = await joining.join_individual(account_from(request.app.state), principal)
        except DomainError as exc:
            return await _offer_page(request, principal, exc.message, exc.status_code)
        return Redirect(path=outcome.next_url or "/account/membership", status_code=303)

    @post("/membership/organization", guards=[signed_in])
    async def join_organization(
        self, request: Request[Any, Any, Any], principal: CurrentPrincipal, data: Form
    ) -> Response[Any]:
        try:
            outcome = await joining.join_organization(
                account_from(request.app.state),
                principal,
                _int(data.get("organization_id")),
                data.get("band", "")[:2],
                data.get("collection", "automatic")[:12],
            )
        except DomainError as exc:
            return await _offer_page(request, principal, exc.message, exc.status_code)
        return Redirect(path=outcome.next_url or "/account/membership", status_code=303)

    @get("/account/membership", guards=[signed_in])
    async def mine(self, request: Request[Any, Any, Any], principal: CurrentPrincipal) -> Template:
        """The member's page: tier, status, renewal date, invoices and receipts, points."""
        account = _account(request)
        overview = await membership_views.mine(principal, account)
        waiting = await points.waiting_for_payment(principal.person_id) if overview.points else []
        return Template(
            "billing/my_membership.html",
            context={
                "overview": overview,
                "payments_ready": account is not None,
                "money": format_money,
                "joined": request.query_params.get("joined", ""),
                "organizations": await _led_organizations(principal),
                "waiting": waiting,
            },
        )

    @get("/organizations/{organization_id:int}/membership", guards=[signed_in])
    async def organization(
        self, request: Request[Any, Any, Any], principal: CurrentPrincipal, organization_id: FromPath[int]
    ) -> Template:
        return await _organization_page(request, principal, organization_id)

    @post("/organizations/{organization_id:int}/membership/seats", guards=[signed_in])
    async def assign(
        self,
        request: Request[Any, Any, Any],
        principal: CurrentPrincipal,
        organization_id: FromPath[int],
        data: Form,
    ) -> Response[Any]:
        try:
            membership_id = await membership_views.membership_for_organization(principal, organization_id)
            await seats.assign(principal, membership_id, _int(data.get("person_id")))
        except DomainError as exc:
            return await _organization_page(request, principal, organization_id, exc.message, exc.status_code)
        return Redirect(path=f"/organizations/{organization_id}/membership?done=seat")

    @post("/organizations/{organization_id:int}/membership/seats/{person_id:int}/release", guards=[signed_in])
    async def release(
        self,
        request: Request[Any, Any, Any],
        principal: CurrentPrincipal,
        organization_id: FromPath[int],
        person_id: FromPath[int],
    ) -> Response[Any]:
        try:
            membership_id = await membership_views.membership_for_organization(principal, organization_id)
            await seats.release(principal, membership_id, person_id)
        except DomainError as exc:
            return await _organization_page(request, principal, organization_id, exc.message, exc.status_code)
        return Redirect(path=f"/organizations/{organization_id}/membership?done=released")

    @post("/organizations/{organization_id:int}/membership/points", guards=[signed_in])
    async def transfer(
        self,
        request: Request[Any, Any, Any],
        principal: CurrentPrincipal,
        organization_id: FromPath[int],
        data: Form,
    ) -> Response[Any]:
        try:
            membership_id = await membership_views.membership_for_organization(principal, organization_id)
            await points.transfer(
                principal, membership_id, _int(data.get("person_id")), _int(data.get("points"))
            )
        except DomainError as exc:
            return await _organization_page(request, principal, organization_id, exc.message, exc.status_code)
        return Redirect(path=f"/organizations/{organization_id}/membership?done=points")

    @post("/registrations/{registration_id:int}/points", guards=[signed_in])
    async def redeem(self, principal: CurrentPrincipal, registration_id: FromPath[int]) -> Response[Any]:
        """Apply points to a place waiting for payment, then back to the registrations list."""
        try:
            await points.redeem(principal, registration_id)
        except DomainError as exc:
            return Template(
                "error.html",
                context={"status": exc.status_code, "message": exc.message, "code": exc.code},
                status_code=exc.status_code,
            )
        return Redirect(path="/registrations")


DONE = {
    "seat": "The seat is assigned.",
    "released": "The seat is released.",
    "points": "The points were transferred.",
    "invited": "The invitation is on its way; the colleague appears here once they accept it.",
}


async def _organization_page(
    request: Request[Any, Any, Any],
    principal: Principal,
    organization_id: int,
    error: str = "",
    status: int = 200,
) -> Template:
    out, invoices, colleagues = await membership_views.organization_view(
        principal, organization_id, _account(request)
    )
    seated = {s.person_id for s in out.seats}
    return Template(
        "billing/organization_membership.html",
        context={
            "organization_id": organization_id,
            "organization_name": await organizations.name_of(organization_id) or "",
            "view": out,
            "invoices": invoices,
            "colleagues": [c for c in colleagues if c["person"] not in seated],
            "seated": out.seats,
            "money": format_money,
            "error": error,
            "done": DONE.get(request.query_params.get("done", ""), ""),
        },
        status_code=status,
    )


CONTROLLERS = [MembershipPages]
