"""The membership API: the offer, joining, the caller's membership, seats and points.

Joining a paid tier without Stripe configured answers 409
``billing.not_configured``; a guest membership needs no payment and always works.
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, delete, get, post
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_200_OK

from billing.memberships import joining, points, seats
from billing.memberships import views as membership_views
from billing.memberships.joining import JoinOutcome
from billing.memberships.schemas import (
    JoinOut,
    MineOut,
    OfferOut,
    OrganizationJoin,
    OrganizationMembershipOut,
    PointsTransfer,
    RedemptionOut,
    SeatAssign,
    SeatOut,
)
from billing.stripe_client import STATE_KEY, StripeAccount, account_from
from grandrounds.web.auth import signed_in
from grandrounds.web.dependencies import CurrentPrincipal


def _join_out(outcome: JoinOutcome) -> JoinOut:
    return JoinOut(
        membership_id=outcome.membership_id,
        tier=outcome.tier,
        status=outcome.status,
        next_url=outcome.next_url,
    )


def _seat_out(rows: list[dict[str, Any]]) -> list[SeatOut]:
    return [
        SeatOut(
            person_id=r["person"],
            name=r["person_name"],
            email=r["person_email"],
            assigned_at=r["assigned_at"],
        )
        for r in rows
    ]


def optional_account(request: Request[Any, Any, Any]) -> StripeAccount | None:
    account: StripeAccount | None = request.app.state.get(STATE_KEY)
    return account


class MembershipController(Controller):
    path = "/api/v1/memberships"
    tags = ["memberships"]

    @get("/offer")
    async def offer(self) -> OfferOut:
        """Tiers and prices (public): guest free, individual dues, organization bands and seats."""
        return membership_views.offer()

    @get("/mine", guards=[signed_in])
    async def mine(self, request: Request[Any, Any, Any], principal: CurrentPrincipal) -> MineOut:
        """The caller's memberships (own and seats), invoices with receipt links, and points."""
        return await membership_views.mine(principal, optional_account(request))

    @post("/guest", guards=[signed_in], status_code=HTTP_200_OK)
    async def join_guest(self, principal: CurrentPrincipal) -> JoinOut:
        return _join_out(await joining.join_guest(principal))

    @post("/individual", guards=[signed_in], status_code=HTTP_200_OK)
    async def join_individual(self, request: Request[Any, Any, Any], principal: CurrentPrincipal) -> JoinOut:
        """Start (or resume) the Stripe Checkout for an individual membership; send the person to next_url."""
        account = account_from(request.app.state)
        return _join_out(await joining.join_individual(account, principal))

    @post("/organizations/{organization_id:int}", guards=[signed_in], status_code=HTTP_200_OK)
    async def join_organization(
        self,
        request: Request[Any, Any, Any],
        principal: CurrentPrincipal,
        organization_id: FromPath[int],
        data: JSONBody[OrganizationJoin],
    ) -> JoinOut:
        """The leader starts the organization's membership: card (Checkout) or invoice (pay later)."""
        account = account_from(request.app.state)
        outcome = await joining.join_organization(
            account, principal, organization_id, data.band, data.collection
        )
        return _join_out(outcome)

    @get("/organizations/{organization_id:int}", guards=[signed_in])
    async def organization(
        self, principal: CurrentPrincipal, organization_id: FromPath[int]
    ) -> OrganizationMembershipOut:
        """The leader's view: seats, points balances and every points movement."""
        out, _invoices, _colleagues = await membership_views.organization_view(
            principal, organization_id, None
        )
        return out

    @post("/{membership_id:int}/seats", guards=[signed_in], status_code=HTTP_200_OK)
    async def assign_seat(
        self, principal: CurrentPrincipal, membership_id: FromPath[int], data: JSONBody[SeatAssign]
    ) -> list[SeatOut]:
        return _seat_out(await seats.assign(principal, membership_id, data.person_id))

    @delete("/{membership_id:int}/seats/{person_id:int}", guards=[signed_in], status_code=HTTP_200_OK)
    async def release_seat(
        self, principal: CurrentPrincipal, membership_id: FromPath[int], person_id: FromPath[int]
    ) -> list[SeatOut]:
        return _seat_out(await seats.release(principal, membership_id, person_id))

    @post("/{membership_id:int}/points/transfers", guards=[signed_in], status_code=HTTP_200_OK)
    async def transfer_points(
        self, principal: CurrentPrincipal, membership_id: FromPath[int], data: JSONBody[PointsTransfer]
    ) -> dict[str, int]:
        """Pool -> colleague holding a seat; the balances after (``pool`` and person ids)."""
        held = await points.transfer(principal, membership_id, data.person_id, data.points)
        return {("pool" if k is None else str(k)): v for k, v in held.items()}


@post(
    "/api/v1/registrations/{registration_id:int}/points",
    guards=[signed_in],
    status_code=HTTP_200_OK,
    tags=["memberships"],
)
async def redeem_points(principal: CurrentPrincipal, registration_id: FromPath[int]) -> RedemptionOut:
    """Apply the caller's points to their place waiting for payment, before opening Stripe's page;
    a place covered in full is confirmed at once."""
    done = await points.redeem(principal, registration_id)
    return RedemptionOut(
        registration_id=done.registration_id,
        points=done.points,
        discount=done.discount,
        amount_left=done.amount_left,
        currency=done.currency,
        confirmed=done.confirmed,
    )


CONTROLLERS = [MembershipController, redeem_points]
