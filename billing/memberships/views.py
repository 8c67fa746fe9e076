"""What a member and an organization's leader see of their membership.

Invoices and receipts are read from Stripe when asked (Stripe is the source
of truth and hosts them): we link to Stripe's hosted invoice and receipt
pages rather than copying documents. Without Stripe configured the page
still shows tier, status and dates from our rows.
"""

from __future__ import annotations

from typing import Any

from accounts.principal import Principal, Role
from accounts.tables import Organization, OrganizationMember
from billing import errors
from billing.ledger import at
from billing.memberships import points, tiers
from billing.memberships.schemas import (
    BandOut,
    InvoiceOut,
    MembershipOut,
    MineOut,
    OfferOut,
    OrganizationMembershipOut,
    PointsEntryOut,
    SeatOut,
)
from billing.memberships.seats import open_seats, require_leader
from billing.memberships.standing import counts
from billing.memberships.status import LIVE, MembershipStatus
from billing.memberships.sync import charges_of
from billing.payments.charges import call, field
from billing.stripe_client import StripeAccount
from billing.tables import Membership, MembershipSeat
from grandrounds.db import now


def offer() -> OfferOut:
    return OfferOut(
        currency=tiers.CURRENCY,
        individual_dues=tiers.INDIVIDUAL_DUES,
        bands=[
            BandOut(
                code=b.code,
                label=b.label,
                dues=b.dues,
                currency=tiers.CURRENCY,
                seats=b.seats,
                points_per_term=tiers.points_for_dues(b.dues),
            )
            for b in tiers.BANDS
        ],
        invoice_days_until_due=tiers.INVOICE_DAYS_UNTIL_DUE,
    )


def membership_out(row: dict[str, Any], via: str = "own", organization_name: str = "") -> MembershipOut:
    return MembershipOut(
        id=row["id"],
        tier=row["tier"],
        status=row["status"],
        active=counts(row, now()),
        via=via,
        organization_id=row["organization"],
        organization_name=organization_name,
        band=row["band"],
        dues_amount=row["dues_amount"],
        currency=row["currency"],
        collection=row["collection"],
        starts_at=row["starts_at"],
        renews_on=row["current_period_end"],
        seat_limit=row["seat_limit"],
    )


async def _org_names(ids: list[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = await Organization.select(Organization.id, Organization.name).where(Organization.id.is_in(ids))
    return {r["id"]: r["name"] for r in rows}


async def _invoices(account: StripeAccount, customer_id: str) -> list[InvoiceOut]:
    listed = await call(account.client.v1.invoices.list_async({"customer": customer_id, "limit": 24}))
    found: list[InvoiceOut] = []
    for invoice in listed.data:
        receipts: list[str] = []
        if invoice["status"] == "paid":
            for charge_id in await charges_of(account, invoice["id"]):
                charge = await call(account.client.v1.charges.retrieve_async(charge_id))
                if field(charge, "receipt_url"):
                    receipts.append(str(charge["receipt_url"]))
        start, end = field(invoice, "period_start"), field(invoice, "period_end")
        found.append(
            InvoiceOut(
                id=invoice["id"],
                number=str(field(invoice, "number") or invoice["id"]),
                status=str(invoice["status"]),
                amount_due=int(invoice["amount_due"]),
                amount_paid=int(invoice["amount_paid"]),
                currency=str(invoice["currency"]).upper(),
                period_start=at(int(start)) if start else None,
                period_end=at(int(end)) if end else None,
                hosted_invoice_url=str(field(invoice, "hosted_invoice_url") or ""),
                invoice_pdf=str(field(invoice, "invoice_pdf") or ""),
                receipt_urls=receipts,
            )
        )
    return found


async def mine(principal: Principal, account: StripeAccount | None) -> MineOut:
    """The caller's own memberships and seats, newest first, with invoices and their points."""
    own = (
        await Membership.select()
        .where(Membership.person == principal.person_id)
        .order_by(Membership.id, ascending=False)
    )
    seat_rows = await MembershipSeat.select(MembershipSeat.membership).where(
        (MembershipSeat.person == principal.person_id) & MembershipSeat.released_at.is_null()
    )
    seated = (
        await Membership.select().where(Membership.id.is_in([s["membership"] for s in seat_rows]))
        if seat_rows
        else []
    )
    names = await _org_names([m["organization"] for m in seated])
    shown = [m for m in own if m["status"] != MembershipStatus.ABANDONED]
    memberships = [membership_out(dict(m)) for m in shown] + [
        membership_out(dict(m), "seat", names.get(m["organization"], "")) for m in seated
    ]
    for m in seated:
        await points.forfeit_if_lapsed(m["id"])
    invoices: list[InvoiceOut] = []
    if account is not None:
        for m in own:
            if m["stripe_customer_id"] and m["tier"] != "guest":
                invoices.extend(await _invoices(account, m["stripe_customer_id"]))
    return MineOut(
        is_member=Role.MEMBER in principal.roles,
        memberships=memberships,
        invoices=invoices,
        points=await points.person_total(principal.person_id),
    )


async def organization_view(
    principal: Principal, organization_id: int, account: StripeAccount | None
) -> tuple[OrganizationMembershipOut, list[InvoiceOut], list[dict[str, Any]]]:
    """The leader's page: the membership, seats, points and who used them, plus colleagues to seat."""
    org = await require_leader(principal, organization_id)
    row = (
        await Membership.select()
        .where(
            (Membership.organization == organization_id) & (Membership.status != MembershipStatus.ABANDONED)
        )
        .order_by(Membership.id, ascending=False)
        .first()
    )
    colleagues = (
        await OrganizationMember.select(
            OrganizationMember.person,
            OrganizationMember.person.name.as_alias("name"),
            OrganizationMember.person.email.as_alias("email"),
        )
        .where(OrganizationMember.organization == organization_id)
        .order_by(OrganizationMember.person.name)
    )
    if row is None:
        empty = OrganizationMembershipOut(
            membership=None, seats=[], pool_points=0, points_by_person={}, points_entries=[]
        )
        return empty, [], [dict(c) for c in colleagues]
    await points.forfeit_if_lapsed(row["id"])
    held = await points.balances(row["id"])
    seats = await open_seats(row["id"])
    entries = await points.usage(row["id"])
    invoices = (
        await _invoices(account, row["stripe_customer_id"])
        if account is not None and row["stripe_customer_id"]
        else []
    )
    out = OrganizationMembershipOut(
        membership=membership_out(dict(row), "own", org["name"]),
        seats=[
            SeatOut(
                person_id=s["person"],
                name=s["person_name"],
                email=s["person_email"],
                assigned_at=s["assigned_at"],
            )
            for s in seats
        ],
        pool_points=held.get(None, 0),
        points_by_person={str(k): v for k, v in held.items() if k is not None},
        points_entries=[
            PointsEntryOut(
                kind=e["kind"],
                amount=e["amount"],
                person_id=e["person"],
                person_name=e["person_name"] or "",
                registration_id=e["registration"],
                event_title=e["event_title"] or "",
                note=e["note"],
                created_at=e["created_at"],
            )
            for e in entries
        ],
    )
    return out, invoices, [dict(c) for c in colleagues]


async def membership_for_organization(principal: Principal, organization_id: int) -> int:
    """The id of the organization's live membership, for the leader's actions by organization."""
    await require_leader(principal, organization_id)
    row = (
        await Membership.select(Membership.id)
        .where(
            (Membership.organization == organization_id)
            & Membership.status.is_in([*LIVE, MembershipStatus.CANCELED])
        )
        .order_by(Membership.id, ascending=False)
        .first()
    )
    if row is None:
        raise errors.membership_not_found()
    return int(row["id"])
