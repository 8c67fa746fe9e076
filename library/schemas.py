"""Request and response shapes of the library API.

Create and update take plain strings: the service checks kinds, lengths,
addresses and markup itself, so the API and the staff forms answer the same
``library.*`` codes for the same mistake.
"""

from __future__ import annotations

from datetime import datetime

import msgspec


class ItemCreate(msgspec.Struct, forbid_unknown_fields=True):
    kind: str
    title: str
    summary: str
    audience: str
    body: str = ""
    link_url: str = ""
    recording_url: str = ""
    slides_url: str = ""
    event_id: int | None = None
    tags: list[str] = msgspec.field(default_factory=list)
    author_name: str = ""
    author_id: int | None = None


class ItemUpdate(msgspec.Struct, forbid_unknown_fields=True):
    """Only the fields given change; ``event_id``/``author_id`` null clears the link."""

    kind: str | msgspec.UnsetType = msgspec.UNSET
    title: str | msgspec.UnsetType = msgspec.UNSET
    summary: str | msgspec.UnsetType = msgspec.UNSET
    audience: str | msgspec.UnsetType = msgspec.UNSET
    body: str | msgspec.UnsetType = msgspec.UNSET
    link_url: str | msgspec.UnsetType = msgspec.UNSET
    recording_url: str | msgspec.UnsetType = msgspec.UNSET
    slides_url: str | msgspec.UnsetType = msgspec.UNSET
    event_id: int | msgspec.UnsetType | None = msgspec.UNSET
    tags: list[str] | msgspec.UnsetType = msgspec.UNSET
    author_name: str | msgspec.UnsetType = msgspec.UNSET
    author_id: int | msgspec.UnsetType | None = msgspec.UNSET


class ItemOut(msgspec.Struct):
    """An item as the caller may see it.

    ``locked`` is true when the caller may read only the title and summary (a
    members-only item and a non-member); the content fields are then null and
    ``join_url`` says where to become a member.
    """

    id: int
    kind: str
    title: str
    summary: str
    audience: str
    status: str
    tags: list[str]
    author_name: str
    locked: bool
    published_at: datetime | None
    updated_at: datetime
    event_id: int | None = None
    author_id: int | None = None
    body: str | None = None
    link_url: str | None = None
    recording_url: str | None = None
    slides_url: str | None = None
    join_url: str | None = None


class ItemPage(msgspec.Struct):
    items: list[ItemOut]
    total: int


class PrerequisiteAdd(msgspec.Struct, forbid_unknown_fields=True):
    item_id: int


class PrerequisiteOut(msgspec.Struct):
    cohort_id: int
    position: int
    item: ItemOut
