"""Request and response shapes of the records API.

A hold's reason and scope arrive as plain values: the service checks them, so the
API and the admin page answer the same ``legal_hold.*`` codes for the same mistake.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import msgspec


class LegalHoldIn(msgspec.Struct, forbid_unknown_fields=True):
    reason: str
    scope_kind: str
    scope_id: int


class LegalHoldOut(msgspec.Struct, frozen=True):
    """A hold as admins see it; ``active`` is true until it is released."""

    id: int
    reason: str
    scope_kind: str
    scope_id: int
    scope_label: str  # what the scope is called now: the person's name, the event's or cohort's title
    placed_by: int | None
    placed_at: datetime
    released_by: int | None
    released_at: datetime | None
    active: bool


# data rights

ERASURE_REASON_MAX = 1000
DECLINE_REASON_MAX = 500


class ErasureAsk(msgspec.Struct, forbid_unknown_fields=True):
    """``POST /api/v1/me/erasure``: the caller asks to be erased, and may say why.

    ``person_id`` is declared only so that naming anyone is refused with a clear
    code (``erasure.own_only``): a request is always for the caller.
    """

    reason: Annotated[str, msgspec.Meta(max_length=ERASURE_REASON_MAX)] = ""
    person_id: int | msgspec.UnsetType = msgspec.UNSET


class ErasureDecline(msgspec.Struct, forbid_unknown_fields=True):
    reason: Annotated[str, msgspec.Meta(max_length=DECLINE_REASON_MAX)]


class HoldLine(msgspec.Struct):
    id: int
    reason: str


class ErasureOut(msgspec.Struct):
    """An erasure request and its decision; ``outcome`` says what was done and what was kept, and why."""

    id: int
    person_id: int
    person_name: str
    reason: str
    requested_at: datetime
    status: str
    decided_by: int | None
    decided_by_name: str
    decided_at: datetime | None
    outcome: dict[str, Any]
    # Legal holds covering the person now (listed for admins on pending requests; empty otherwise).
    holds: list[HoldLine] = msgspec.field(default_factory=list)
