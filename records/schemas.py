"""Request and response shapes of the records API.

A hold's reason and scope arrive as plain values: the service checks them, so the
API and the admin page answer the same ``legal_hold.*`` codes for the same mistake.
"""

from __future__ import annotations

from datetime import datetime

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
