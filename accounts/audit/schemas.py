"""What the audit trail's readers get: rows with names and words, for admins and for the person concerned."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec


class AuditRowOut(msgspec.Struct):
    """One audit row as an admin reads it: who (named), with which role, did what, to what, from where."""

    id: int
    at: datetime
    actor_id: int | None
    actor_name: str  # "System" when no person acted (a chore, a command)
    role: str
    action: str
    action_words: str
    object_kind: str
    object_id: str
    subject_id: int | None
    subject_name: str
    changes: dict[str, Any]
    client_address: str
    user_agent: str
    request_id: str


class AuditPage(msgspec.Struct):
    items: list[AuditRowOut]
    total: int
    limit: int
    offset: int


class DataAccessLine(msgspec.Struct):
    """One time someone saw or changed a person's data, as that person is told: when, who, what.

    Narrower than :class:`AuditRowOut` on purpose: a person learns who acted and in
    which role, not the staff member's address, browser or request id.
    """

    at: datetime
    actor_name: str
    role: str
    action: str
    action_words: str
