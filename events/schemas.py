"""Request and response shapes of the events API."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

import msgspec

Kind = Literal["conference", "webinar", "workshop", "consultation"]


class EventCreate(msgspec.Struct, forbid_unknown_fields=True):
    kind: Kind
    title: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
    time_zone: Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
    starts_at: datetime
    ends_at: datetime
    capacity: Annotated[int, msgspec.Meta(ge=1, le=100_000)]
    description: Annotated[str, msgspec.Meta(max_length=20_000)] = ""
    venue: Annotated[str, msgspec.Meta(max_length=300)] = ""
    join_url: Annotated[str, msgspec.Meta(max_length=500)] = ""
    member_only: bool = False
    offer_hours: Annotated[int, msgspec.Meta(ge=1, le=24 * 14)] = 48
    program_id: int | None = None
    topic: Annotated[str, msgspec.Meta(max_length=100)] = ""


class EventOut(msgspec.Struct):
    id: int
    kind: str
    title: str
    description: str
    time_zone: str
    starts_at: datetime
    ends_at: datetime
    venue: str
    capacity: int
    status: str
    member_only: bool
    seats_left: int
    program_id: int | None = None
    topic: str = ""


class RegistrationOut(msgspec.Struct):
    id: int
    event_id: int
    status: str
    created_at: datetime
    offer_expires_at: datetime | None = None
    # Present only for a confirmed registrant of an event with an online link.
    join_url: str | None = None


class EventPage(msgspec.Struct):
    items: list[EventOut]
    total: int
    limit: int
    offset: int
