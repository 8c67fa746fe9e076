"""Roles a person holds because of what they have, not because someone granted them.

A member is whoever holds an active membership *today*: an individual
membership, or a seat in an organization's. That lives in billing, which
accounts must not import, so billing registers a *role source* here at start
(see ``grandrounds.server.wiring.wire_all``) and every place that asks what
roles a person has (the signed-in principal, pricing a colleague booked by
someone else, the people list) asks through :func:`with_derived`. Because the
answer is computed when asked, a membership that lapses stops counting that
very day, with nothing to sweep.

A stored ``member`` RoleGrant still counts: it is a complimentary membership
given by an admin (honorary members, staff of the network), which no payment
starts or ends.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from datetime import datetime

from accounts.principal import Role
from grandrounds.db import now
from grandrounds.registry import Registry

RoleSource = Callable[[Sequence[int], datetime], Awaitable[Mapping[int, Iterable[Role]]]]

ROLE_SOURCES: Registry[RoleSource] = Registry("role sources")


def register_role_source(source: RoleSource) -> None:
    """Add a source of derived roles; registering the same function twice adds it once."""
    ROLE_SOURCES.add(source)


async def derived_roles(person_ids: Sequence[int], at: datetime | None = None) -> dict[int, set[Role]]:
    """The roles each person holds at ``at`` (default: now) from every registered source."""
    found: dict[int, set[Role]] = {pid: set() for pid in person_ids}
    if not person_ids:
        return found
    instant = at or now()
    for source in ROLE_SOURCES:
        for person_id, roles in (await source(person_ids, instant)).items():
            found.setdefault(person_id, set()).update(roles)
    return found


async def with_derived(
    granted: Mapping[int, Iterable[Role]], at: datetime | None = None
) -> dict[int, frozenset[Role]]:
    """Granted roles plus derived ones, per person."""
    extra = await derived_roles(list(granted), at)
    return {pid: frozenset(set(roles) | extra.get(pid, set())) for pid, roles in granted.items()}
