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
from billing.tables import Membership


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


_COUNTING_SQL = ", ".join(f"'{status}'" for status in sorted(COUNTING))
_PAID_TERM = (
    f"m.status IN ({_COUNTING_SQL}) AND m.starts_at <= {{}} AND m.current_period_end > {{}}"
    " AND m.tier <> 'guest'"
)
# Both ways of being a member, in one round trip (it runs on every request that names its caller):
# one's own membership (a paid term counting at ``at``, or an active guest one), and a seat in an
# organization's membership whose term counts at ``at``.
_STANDING = f"""
SELECT m.person AS person, m.tier AS tier FROM billing_membership m
WHERE m.person IN (%s) AND (({_PAID_TERM}) OR (m.tier = 'guest' AND m.status = '{MembershipStatus.ACTIVE}'))
UNION ALL
SELECT s.person AS person, 'seat' AS tier FROM billing_membership_seat s
JOIN billing_membership m ON m.id = s.membership
WHERE s.person IN (%s) AND s.assigned_at <= {{}} AND (s.released_at IS NULL OR s.released_at > {{}})
  AND {_PAID_TERM}
"""  # noqa: S608 - the statuses are the enums' own constants; ids and instants are bound parameters


async def member_roles(person_ids: Sequence[int], at: datetime) -> dict[int, Iterable[Role]]:
    """The role source: MEMBER for an active individual membership or a seat in an active
    organization membership at ``at``; GUEST for a guest membership. One query (the same rule as
    :func:`counting_at`, spelled in SQL)."""
    ids = list(person_ids)
    marks = ", ".join("{}" for _ in ids)
    query = _STANDING % (marks, marks)
    # Placeholders are positional: the first list of ids, the instants of the first part, the
    # second list of ids, then the instants of the second part (assigned, released, the term).
    args = [*ids, at, at, *ids, at, at, at, at]
    found: dict[int, set[Role]] = {}
    for row in await Membership.raw(query, *args):
        role = Role.GUEST if row["tier"] == "guest" else Role.MEMBER
        found.setdefault(row["person"], set()).add(role)
    return {pid: roles for pid, roles in found.items()}
