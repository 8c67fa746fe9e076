"""What a place costs: the price of a ticket type for a tier at a moment, in integer minor units.

Pure functions, no database: the registration engine, the pages and billing
all ask the same question and must get the same answer.

Amounts are integer minor units (``grandrounds.money``); floats never hold money.

Tiers, until billing's memberships land:

- ``member``: the person holds ``Role.MEMBER``;
- ``guest``: the person holds only the free guest account (``Role.GUEST`` and
  nothing else) and registers themselves;
- ``non_member``: everyone else: staff, speakers, finance without a
  membership, and colleagues registered on someone's behalf who are not
  members (the guest price rewards a person who signed up themselves; a
  booking made for them is a plain non-member booking).

:func:`is_member` is the one membership check; billing replaces its body
with "holds an active membership today" and every price and member-only
rule follows.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from accounts.principal import Role

Tier = Literal["member", "non_member", "guest"]
TIERS: tuple[Tier, ...] = ("member", "non_member", "guest")


def is_member(roles: Iterable[Role]) -> bool:
    """The membership check every price and member-only rule asks; billing replaces it."""
    return Role.MEMBER in set(roles)


def tier_for(roles: Iterable[Role], *, booked_by_someone_else: bool = False) -> Tier:
    """The price tier of a person with these roles (see the module docstring for the rule)."""
    held = set(roles)
    if is_member(held):
        return "member"
    if held == {Role.GUEST} and not booked_by_someone_else:
        return "guest"
    return "non_member"


@dataclass(frozen=True, slots=True)
class Price:
    amount: int  # minor units of currency
    currency: str
    tier: Tier
    early_bird: bool


def price(ticket: Mapping[str, Any], tier: Tier, at: datetime) -> Price:
    """What ``tier`` pays for ``ticket`` (a TicketType row) at the moment ``at``.

    The early-bird price applies strictly before ``early_bird_until``; a tier
    without an early price pays its regular price all along.
    """
    regular = int(ticket[f"{tier}_price"])
    early = ticket.get(f"early_{tier}_price")
    until = ticket.get("early_bird_until")
    if early is not None and until is not None and at < until:
        return Price(int(early), ticket["currency"], tier, True)
    return Price(regular, ticket["currency"], tier, False)


def is_free(ticket: Mapping[str, Any]) -> bool:
    """Every tier pays nothing, early or not."""
    return all(ticket[f"{tier}_price"] == 0 for tier in TIERS)
