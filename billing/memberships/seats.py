"""Seats of an organization membership: the leader gives them to colleagues and takes them back.

Only the organization's leader (or an admin) assigns and releases; a seat
goes only to someone listed as a colleague in the organization; never more
open seats than the band allows. The count is checked inside the write
transaction under the membership row's lock (PostgreSQL; SQLite's BEGIN
IMMEDIATE serialises writers), so two leaders' tabs cannot overfill it.
A released seat stays as history; the person stops being a member through
it at ``released_at``.
"""

from __future__ import annotations

from typing import Any

from piccolo.engine.postgres import PostgresEngine

from accounts.principal import Principal
from accounts.tables import Organization, OrganizationMember
from billing import errors
from billing.memberships.status import LIVE
from billing.tables import Membership, MembershipSeat
from grandrounds.db import engine, now, unique_violation, write_transaction


async def organization_membership(membership_id: int) -> dict[str, Any]:
    row = (
        await Membership.select()
        .where((Membership.id == membership_id) & (Membership.tier == "organization"))
        .first()
    )
    if row is None:
        raise errors.membership_not_found()
    return dict(row)


async def require_leader(principal: Principal, organization_id: int) -> dict[str, Any]:
    """The organization, if the caller leads it (or is an admin); membership.not_leader otherwise."""
    org = await Organization.select().where(Organization.id == organization_id).first()
    if org is None:
        raise errors.organization_not_found()
    if not principal.is_admin and org["leader"] != principal.person_id:
        raise errors.not_leader()
    return dict(org)


async def open_seats(membership_id: int) -> list[dict[str, Any]]:
    rows = (
        await MembershipSeat.select(
            MembershipSeat.id,
            MembershipSeat.person,
            MembershipSeat.person.name.as_alias("person_name"),
            MembershipSeat.person.email.as_alias("person_email"),
            MembershipSeat.assigned_at,
        )
        .where((MembershipSeat.membership == membership_id) & MembershipSeat.released_at.is_null())
        .order_by(MembershipSeat.assigned_at)
    )
    return [dict(r) for r in rows]


async def assign(principal: Principal, membership_id: int, person_id: int) -> list[dict[str, Any]]:
    """Give a colleague a seat (again is a no-op); the open seats after."""
    membership = await organization_membership(membership_id)
    await require_leader(principal, membership["organization"])
    with unique_violation():
        async with write_transaction():
            query = Membership.select().where(Membership.id == membership_id)
            if isinstance(engine(), PostgresEngine):
                query = query.lock_rows("UPDATE")
            locked = await query.first()
            assert locked is not None  # memberships are never deleted
            if locked["status"] not in LIVE:
                raise errors.not_active()
            colleague = await OrganizationMember.exists().where(
                (OrganizationMember.organization == membership["organization"])
                & (OrganizationMember.person == person_id)
            )
            if not colleague:
                raise errors.not_colleague()
            taken = await MembershipSeat.select(MembershipSeat.person).where(
                (MembershipSeat.membership == membership_id) & MembershipSeat.released_at.is_null()
            )
            if any(t["person"] == person_id for t in taken):
                return await open_seats(membership_id)
            if len(taken) >= locked["seat_limit"]:
                raise errors.seats_full(locked["seat_limit"])
            await MembershipSeat.insert(
                MembershipSeat(membership=membership_id, person=person_id, assigned_by=principal.person_id)
            )
    return await open_seats(membership_id)


async def seat_leader_at_activation(membership_id: int) -> bool:
    """The leader takes the first seat when the membership first becomes active; True when seated.

    The leader is a colleague of their organization and nearly always its first
    user: the one who pays should not find they pay member dues yet non-member
    prices. It happens once, at activation: a seat the leader gives up (to pass
    it to a colleague) is never taken back by a renewal, and a leader with a
    seat in the history of this membership is not seated again. It takes a
    seat only while one is free, like any assignment.
    """
    membership = await organization_membership(membership_id)
    org = (
        await Organization.select(Organization.leader)
        .where(Organization.id == membership["organization"])
        .first()
    )
    leader = org["leader"] if org else None
    if leader is None:
        return False
    with unique_violation() as clash:
        async with write_transaction():
            query = Membership.select().where(Membership.id == membership_id)
            if isinstance(engine(), PostgresEngine):
                query = query.lock_rows("UPDATE")
            locked = await query.first()
            assert locked is not None  # memberships are never deleted
            if locked["status"] not in LIVE:
                return False
            ever = await MembershipSeat.exists().where(
                (MembershipSeat.membership == membership_id) & (MembershipSeat.person == leader)
            )
            taken = await MembershipSeat.count().where(
                (MembershipSeat.membership == membership_id) & MembershipSeat.released_at.is_null()
            )
            if ever or taken >= locked["seat_limit"]:
                return False
            await MembershipSeat.insert(
                MembershipSeat(membership=membership_id, person=leader, assigned_by=None)
            )
    return not clash  # a clash: seated by a concurrent delivery of the same activation


async def release(principal: Principal, membership_id: int, person_id: int) -> list[dict[str, Any]]:
    """Take a seat back: the colleague stops being a member through it now."""
    membership = await organization_membership(membership_id)
    await require_leader(principal, membership["organization"])
    async with write_transaction():
        released = (
            await MembershipSeat.update({MembershipSeat.released_at: now()})
            .where(
                (MembershipSeat.membership == membership_id)
                & (MembershipSeat.person == person_id)
                & MembershipSeat.released_at.is_null()
            )
            .returning(MembershipSeat.id)
        )
    if not released:
        raise errors.seat_not_found()
    return await open_seats(membership_id)
