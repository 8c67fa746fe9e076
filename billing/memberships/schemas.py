"""Shapes of the membership API (msgspec Structs)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec


class BandOut(msgspec.Struct, kw_only=True):
    code: str
    label: str
    dues: int  # minor units per year
    currency: str
    seats: int
    points_per_term: int


class OfferOut(msgspec.Struct, kw_only=True):
    """What joining costs: guest free, individual yearly dues, organization bands."""

    currency: str
    individual_dues: int
    bands: list[BandOut]
    invoice_days_until_due: int


class OrganizationJoin(msgspec.Struct, kw_only=True):
    band: Annotated[str, msgspec.Meta(min_length=1, max_length=2)]
    collection: Annotated[str, msgspec.Meta(max_length=12)] = "automatic"


class JoinOut(msgspec.Struct, kw_only=True):
    membership_id: int
    tier: str
    status: str
    next_url: str  # Stripe's page (checkout or invoice); empty when nothing is left to do


class InvoiceOut(msgspec.Struct, kw_only=True):
    id: str
    number: str
    status: str
    amount_due: int
    amount_paid: int
    currency: str
    period_start: datetime | None
    period_end: datetime | None
    hosted_invoice_url: str
    invoice_pdf: str
    receipt_urls: list[str]


class MembershipOut(msgspec.Struct, kw_only=True):
    id: int
    tier: str
    status: str
    active: bool  # gives member standing now
    via: str  # own, seat
    organization_id: int | None
    organization_name: str
    band: str
    dues_amount: int
    currency: str
    collection: str
    starts_at: datetime | None
    renews_on: datetime | None  # end of the paid term: renewal (or lapse) date
    seat_limit: int


class MineOut(msgspec.Struct, kw_only=True):
    is_member: bool
    memberships: list[MembershipOut]
    invoices: list[InvoiceOut]
    points: int


class SeatOut(msgspec.Struct, kw_only=True):
    person_id: int
    name: str
    email: str
    assigned_at: datetime


class SeatAssign(msgspec.Struct, kw_only=True):
    person_id: Annotated[int, msgspec.Meta(ge=1)]


class PointsTransfer(msgspec.Struct, kw_only=True):
    person_id: Annotated[int, msgspec.Meta(ge=1)]
    points: Annotated[int, msgspec.Meta(ge=1, le=10_000_000)]


class PointsEntryOut(msgspec.Struct, kw_only=True):
    kind: str
    amount: int
    person_id: int | None
    person_name: str
    registration_id: int | None
    event_title: str
    note: str
    created_at: datetime


class OrganizationMembershipOut(msgspec.Struct, kw_only=True):
    membership: MembershipOut | None
    seats: list[SeatOut]
    pool_points: int
    points_by_person: dict[str, int]
    points_entries: list[PointsEntryOut]


class RedemptionOut(msgspec.Struct, kw_only=True):
    registration_id: int
    points: int
    discount: int
    amount_left: int
    currency: str
    confirmed: bool
