"""The states a membership can be in, and the groups of them the rules speak of.

The one spelling of every membership status: the table's column takes its
choices from here, and joining, the Stripe sync, standing, seats, points and
the pages compare against these names. A membership is created pending (a
guest one active), and billing.memberships.sync moves it as Stripe reports on
its subscription.

    pending -> active (first term paid) | abandoned (never paid)
    active <-> past_due (a renewal unpaid, then paid) -> canceled
"""

from __future__ import annotations

from enum import StrEnum


class MembershipStatus(StrEnum):
    PENDING = "pending"
    ACTIVE = "active"
    PAST_DUE = "past_due"
    CANCELED = "canceled"
    ABANDONED = "abandoned"


# Statuses a paid term can count under: past_due keeps the term already paid until it ends.
COUNTING = frozenset({MembershipStatus.ACTIVE, MembershipStatus.PAST_DUE, MembershipStatus.CANCELED})

# Not over: one of these per person and tier, and per organization (raw unique indexes).
LIVE = frozenset({MembershipStatus.PENDING, MembershipStatus.ACTIVE, MembershipStatus.PAST_DUE})

# Paid up for now: joining again is refused.
PAID_UP = frozenset({MembershipStatus.ACTIVE, MembershipStatus.PAST_DUE})

# Never brought a paid term: no points to spend from it.
UNPAID = frozenset({MembershipStatus.PENDING, MembershipStatus.ABANDONED})
