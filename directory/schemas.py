"""Request and response shapes of the directory API.

Incoming text carries no length bounds here on purpose: the service checks
each field and answers ``directory.text_too_long`` naming the field, the same
code the HTML form gets.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec


class AccountOut(msgspec.Struct):
    platform: str
    label: str
    url: str


class ListingOut(msgspec.Struct):
    id: int
    name: str
    kind: str
    country: str
    country_name: str
    region: str
    city: str
    website: str
    description: str
    accounts: list[AccountOut]
    has_verified_contact: bool
    updated_at: datetime


class ListingPage(msgspec.Struct):
    items: list[ListingOut]
    total: int
    limit: int
    offset: int
    platform_counts: dict[str, int]


class ChangeOut(msgspec.Struct):
    id: int
    listing_id: int
    listing_name: str
    kind: str  # added, corrected
    fields: list[str]
    approved_by: str  # the approving staff member's name only
    at: datetime


class ChangePage(msgspec.Struct):
    items: list[ChangeOut]
    total: int
    limit: int
    offset: int


class ListingIn(msgspec.Struct, forbid_unknown_fields=True):
    """A listing as proposed: a new organization, a correction, or a moderator's edit."""

    name: str = ""
    kind: str = ""
    country: str = ""
    region: str = ""
    city: str = ""
    website: str = ""
    description: str = ""
    accounts: dict[str, str] = msgspec.field(default_factory=dict)


class SubmissionIn(ListingIn, forbid_unknown_fields=True):
    """What anyone may send: a listing's fields plus a note and a contact. The contact email is
    required when not signed in and never shown publicly."""

    note: str = ""
    contact_email: str = ""
    contact_name: str = ""


class SubmissionReceipt(msgspec.Struct):
    id: int
    kind: str
    status: str


class SubmissionOut(msgspec.Struct):
    """A submission as moderators see it (never served to anyone else)."""

    id: int
    kind: str
    status: str
    listing_id: int | None
    proposal: dict[str, Any]
    applied: dict[str, Any] | None
    note: str
    submitter_name: str
    submitter_email: str
    by_contact: bool
    created_at: datetime
    decided_by: str | None
    decided_at: datetime | None
    reason: str


class Approval(msgspec.Struct, forbid_unknown_fields=True):
    """Approve as sent, or with a moderator's edited version (re-checked like any proposal)."""

    edits: ListingIn | None = None


class Rejection(msgspec.Struct, forbid_unknown_fields=True):
    reason: str = ""


class ClaimOut(msgspec.Struct):
    id: int
    listing_id: int
    listing_name: str
    person_name: str
    person_email: str
    status: str
    method: str
    created_at: datetime
