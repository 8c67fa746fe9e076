"""Who holds a membership at an instant: the rule every member price and member-only page follows.

A membership counts at instant ``t`` when it is not pending or abandoned and
``starts_at <= t < current_period_end``. ``current_period_end`` is the end
of the last term Stripe says was *paid* (never merely billed), so an unpaid
renewal or a cancellation lapses the membership on that day with no sweep:
nothing needs to run at midnight for member prices to stop. A guest
membership has no end and never makes anyone a member.

:func:`member_roles` is registered with ``accounts.services.standing`` by the
shell (``grandrounds.server.wiring.wire_all``): accounts asks it, per request,
who is a member now.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from piccolo.columns.combination import Where

from accounts.principal import Role
from billing.memberships.status import COUNTING, MembershipStatus
from billing.tables import Membership, MembershipSeat


def counts(row: Mapping[str, Any], at: datetime) -> bool:
    """Whether one membership row gives member standing at ``at``."""
    if row["status"] not in COUNTING or row["starts_at"] is None or row["starts_at"] > at:
        return False
    status: str = row["status"]
    if row["tier"] == "guest":
        return status == MembershipStatus.ACTIVE
    period_end: datetime | None = row["current_period_end"]
    return period_end is not None and at < period_end


def counting_at(at: datetime) -> Any:
    """The query condition matching :func:`counts` for paid tiers."""
    condition: Where | Any = (
        Membership.status.is_in(list(COUNTING))
        & (Membership.starts_at <= at)
        & (Membership.current_period_end > at)
        & (Membership.tier != "guest")
    )
    return condition


async def member_roles(person_ids: Sequence[int], at: datetime) -> dict[int, Iterable[Role]]:
    """The role source: MEMBER for an active individual membership or a seat in an active
    organization membership at ``at``; GUEST for a guest membership."""
    ids = list(person_ids)
    found: dict[int, set[Role]] = {}
    own = await Membership.select(Membership.person, Membership.tier).where(
        Membership.person.is_in(ids)
        & (counting_at(at) | ((Membership.tier == "guest") & (Membership.status == MembershipStatus.ACTIVE)))
    )
    for row in own:
        role = Role.GUEST if row["tier"] == "guest" else Role.MEMBER
        found.setdefault(row["person"], set()).add(role)
    seats = await MembershipSeat.select(MembershipSeat.person, MembershipSeat.membership).where(
        MembershipSeat.person.is_in(ids)
        & (MembershipSeat.assigned_at <= at)
        & (MembershipSeat.released_at.is_null() | (MembershipSeat.released_at > at))
    )
    if seats:
        active = await Membership.select(Membership.id).where(
            Membership.id.is_in(list({s["membership"] for s in seats})) & counting_at(at)
        )
        active_ids = {row["id"] for row in active}
        for seat in seats:
            if seat["membership"] in active_ids:
                found.setdefault(seat["person"], set()).add(Role.MEMBER)
    return {pid: roles for pid, roles in found.items()}
