"""Demo memberships: an individual member, an organization with seats and points, a lapsed member.

The demo has no Stripe keys, so these rows carry no Stripe ids: they stand
for terms Stripe would have reported paid. Dates are relative to the day the
demo is seeded (the individual term ends in about three months, the lapsed
one ended yesterday), so member prices and members-only content follow the
same rule (billing.memberships.standing) as real memberships.
Seeding is idempotent: each row is looked up first, points rows carry keys.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from accounts.tables import Organization, OrganizationMember
from billing.memberships import tiers
from billing.memberships.status import MembershipStatus
from billing.tables import Membership, MembershipSeat, PointsEntry
from grandrounds.db import now

ORGANIZATION = "Riverside Health System"
ORGANIZATION_BAND = "B"
SEATED = ("leader@example.org", "colleague@example.org", "comms@example.org")
TRANSFER_TO = "colleague@example.org"
TRANSFER_POINTS = 150


async def _individual(
    person_id: int, starts_at: datetime, ends_at: datetime, status: MembershipStatus
) -> int:
    """One individual membership of the person, made once."""
    existing = (
        await Membership.select(Membership.id)
        .where((Membership.person == person_id) & (Membership.tier == "individual"))
        .first()
    )
    if existing:
        return int(existing["id"])
    row: list[dict[str, Any]] = await Membership.insert(
        Membership(
            tier="individual",
            person=person_id,
            status=status,
            dues_amount=tiers.INDIVIDUAL_DUES,
            currency=tiers.CURRENCY,
            starts_at=starts_at,
            current_period_end=ends_at,
            created_by=person_id,
        )
    ).returning(Membership.id)
    return int(row[0]["id"])


async def _organization(org_id: int, leader_id: int, starts_at: datetime, ends_at: datetime) -> int:
    existing = (
        await Membership.select(Membership.id)
        .where((Membership.organization == org_id) & (Membership.tier == "organization"))
        .first()
    )
    if existing:
        return int(existing["id"])
    band = tiers.band(ORGANIZATION_BAND)
    assert band is not None  # a code from tiers.BANDS
    row: list[dict[str, Any]] = await Membership.insert(
        Membership(
            tier="organization",
            organization=org_id,
            status=MembershipStatus.ACTIVE,
            band=band.code,
            dues_amount=band.dues,
            currency=tiers.CURRENCY,
            seat_limit=band.seats,
            collection="invoice",
            starts_at=starts_at,
            current_period_end=ends_at,
            created_by=leader_id,
        )
    ).returning(Membership.id)
    return int(row[0]["id"])


async def _seat(membership_id: int, person_id: int, leader_id: int, org_id: int) -> None:
    colleague = await OrganizationMember.exists().where(
        (OrganizationMember.organization == org_id) & (OrganizationMember.person == person_id)
    )
    if not colleague:
        await OrganizationMember.insert(OrganizationMember(organization=org_id, person=person_id))
    seated = await MembershipSeat.exists().where(
        (MembershipSeat.membership == membership_id) & (MembershipSeat.person == person_id)
    )
    if not seated:
        await MembershipSeat.insert(
            MembershipSeat(
                membership=membership_id,
                person=person_id,
                assigned_by=None if person_id == leader_id else leader_id,
            )
        )


async def _points(membership_id: int, dues: int, leader_id: int, colleague_id: int) -> None:
    """The term's grant (half the dues) and one transfer from the pool to a colleague, each once."""
    rows = [
        PointsEntry(
            membership=membership_id,
            person=None,
            kind="grant",
            amount=tiers.points_for_dues(dues),
            key=f"demo-grant-{membership_id}",
            note="term paid (demo)",
        ),
        PointsEntry(
            membership=membership_id,
            person=None,
            kind="transfer",
            amount=-TRANSFER_POINTS,
            key=f"demo-transfer-{membership_id}-out",
            note=f"to person {colleague_id}",
            created_by=leader_id,
        ),
        PointsEntry(
            membership=membership_id,
            person=colleague_id,
            kind="transfer",
            amount=TRANSFER_POINTS,
            key=f"demo-transfer-{membership_id}-in",
            note="from the organization's pool",
            created_by=leader_id,
        ),
    ]
    for entry in rows:
        await PointsEntry.insert(entry).on_conflict(action="DO NOTHING")


async def seed_memberships(people: dict[str, int]) -> None:
    """Memberships for the demo people (see the README's tour)."""
    today = now()
    await _individual(
        people["member@example.org"],
        today - timedelta(days=273),
        today + timedelta(days=92),
        MembershipStatus.ACTIVE,
    )
    # Its renewal was never paid: the term ended yesterday, and with it member prices and content.
    await _individual(
        people["lapsed@example.org"],
        today - timedelta(days=366),
        today - timedelta(days=1),
        MembershipStatus.PAST_DUE,
    )
    org = await Organization.select(Organization.id).where(Organization.name == ORGANIZATION).first()
    if org is None:
        return
    leader_id = people["leader@example.org"]
    membership_id = await _organization(
        int(org["id"]), leader_id, today - timedelta(days=60), today + timedelta(days=305)
    )
    for email in SEATED:
        await _seat(membership_id, people[email], leader_id, int(org["id"]))
    row = await Membership.select(Membership.dues_amount).where(Membership.id == membership_id).first()
    assert row is not None
    await _points(membership_id, row["dues_amount"], leader_id, people[TRANSFER_TO])
