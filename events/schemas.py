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
    reminder_hours: str = ""


class RegistrationOut(msgspec.Struct):
    id: int
    event_id: int
    status: str
    created_at: datetime
    offer_expires_at: datetime | None = None
    # Present only for a confirmed registrant of an event with an online link.
    join_url: str | None = None
    ticket_type_id: int | None = None
    session_id: int | None = None  # set for a place in a session with its own capacity
    price_tier: str = ""  # member, non_member or guest
    amount: int = 0  # what is owed, in minor units of currency
    currency: str = "USD"
    hold_expires_at: datetime | None = None  # an unpaid checkout holds its seat until then
    # The code to show at the door: the registrant's own view (and staff's) only.
    ticket_code: str | None = None
    party: str = ""  # registrations booked together share it
    booked_by: int | None = None


class EventPage(msgspec.Struct):
    items: list[EventOut]
    total: int
    limit: int
    offset: int


class CheckInCreate(msgspec.Struct, forbid_unknown_fields=True):
    """Staff check-in: exactly one of a registration id (found by search) or a ticket code (scanned)."""

    registration_id: int | None = None
    ticket_code: Annotated[str, msgspec.Meta(min_length=1, max_length=64)] | None = None
    # How a ticket code arrived: "qr" from a scanner, "code" typed by hand.
    method: Literal["qr", "code"] = "qr"


class CheckInOut(msgspec.Struct):
    session_id: int
    registration_id: int
    person_id: int
    name: str
    method: str
    at: datetime
    by_person_id: int | None = None
    # True when this check-in was already recorded before this request.
    already: bool = False


class CheckInRemovalOut(msgspec.Struct):
    session_id: int
    registration_id: int
    person_id: int
    name: str
    method: str
    checked_in_at: datetime
    checked_in_by: int | None
    removed_by: int | None
    removed_at: datetime
    reason: str


class AttendeeOut(msgspec.Struct):
    registration_id: int
    person_id: int
    name: str
    email: str
    status: str
    checked_in_at: datetime | None = None


class SessionCheckIns(msgspec.Struct):
    session_id: int
    confirmed: int
    checked_in: int
    items: list[CheckInOut]
    removals: list[CheckInRemovalOut]


class SelfCheckIn(msgspec.Struct, forbid_unknown_fields=True):
    code: Annotated[str, msgspec.Meta(min_length=1, max_length=20)]


class CheckInCodeOut(msgspec.Struct):
    """The rotating self check-in code for the screen in the room (staff only)."""

    session_id: int
    code: str
    seconds_left: int
    step_seconds: int
    open: bool
    opens_at: datetime
    closes_at: datetime
    self_checkin_url: str


class RosterEntry(msgspec.Struct):
    """One registration as its event's staff see it (personal data: staff and admins only)."""

    registration_id: int
    person_id: int
    name: str
    email: str
    degree: str
    status: str
    registered_at: datetime
    ticket_type: str
    session: str
    amount: int  # minor units of currency
    currency: str
    checked_in: bool
    offer_expires_at: datetime | None = None


class RosterPage(msgspec.Struct):
    items: list[RosterEntry]
    total: int
    limit: int
    offset: int


# Schedule: editing events, tracks, sessions, speakers. PATCH shapes leave
# unsent fields UNSET, so "not given" differs from "set to empty".


class EventUpdate(msgspec.Struct, forbid_unknown_fields=True):
    title: Annotated[str, msgspec.Meta(min_length=1, max_length=200)] | msgspec.UnsetType = msgspec.UNSET
    description: Annotated[str, msgspec.Meta(max_length=20_000)] | msgspec.UnsetType = msgspec.UNSET
    venue: Annotated[str, msgspec.Meta(max_length=300)] | msgspec.UnsetType = msgspec.UNSET
    join_url: Annotated[str, msgspec.Meta(max_length=500)] | msgspec.UnsetType = msgspec.UNSET
    capacity: int | msgspec.UnsetType = msgspec.UNSET
    starts_at: datetime | msgspec.UnsetType = msgspec.UNSET
    ends_at: datetime | msgspec.UnsetType = msgspec.UNSET
    time_zone: Annotated[str, msgspec.Meta(min_length=1, max_length=64)] | msgspec.UnsetType = msgspec.UNSET
    member_only: bool | msgspec.UnsetType = msgspec.UNSET
    topic: Annotated[str, msgspec.Meta(max_length=100)] | msgspec.UnsetType = msgspec.UNSET
    reminder_hours: Annotated[str, msgspec.Meta(max_length=50)] | msgspec.UnsetType = msgspec.UNSET


class CancelRequest(msgspec.Struct, forbid_unknown_fields=True):
    reason: Annotated[str, msgspec.Meta(max_length=200)] = ""


class TrackCreate(msgspec.Struct, forbid_unknown_fields=True):
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=120)]
    position: Annotated[int, msgspec.Meta(ge=0, le=10_000)] = 0


class TrackUpdate(msgspec.Struct, forbid_unknown_fields=True):
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=120)] | msgspec.UnsetType = msgspec.UNSET
    position: Annotated[int, msgspec.Meta(ge=0, le=10_000)] | msgspec.UnsetType = msgspec.UNSET


class TrackOut(msgspec.Struct):
    id: int
    event_id: int
    name: str
    position: int


class SessionCreate(msgspec.Struct, forbid_unknown_fields=True):
    title: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
    starts_at: datetime
    ends_at: datetime
    description: Annotated[str, msgspec.Meta(max_length=20_000)] = ""
    track_id: int | None = None
    room: Annotated[str, msgspec.Meta(max_length=200)] = ""
    join_url: Annotated[str, msgspec.Meta(max_length=500)] = ""
    capacity: int | None = None  # 1..the event's capacity; checked by the service
    cme_quarters: int = 0  # designated CME credit in quarter hours; checked by the service
    counts_toward_completion: bool = True


class SessionUpdate(msgspec.Struct, forbid_unknown_fields=True):
    title: Annotated[str, msgspec.Meta(min_length=1, max_length=200)] | msgspec.UnsetType = msgspec.UNSET
    starts_at: datetime | msgspec.UnsetType = msgspec.UNSET
    ends_at: datetime | msgspec.UnsetType = msgspec.UNSET
    description: Annotated[str, msgspec.Meta(max_length=20_000)] | msgspec.UnsetType = msgspec.UNSET
    track_id: int | msgspec.UnsetType | None = msgspec.UNSET
    room: Annotated[str, msgspec.Meta(max_length=200)] | msgspec.UnsetType = msgspec.UNSET
    join_url: Annotated[str, msgspec.Meta(max_length=500)] | msgspec.UnsetType = msgspec.UNSET
    capacity: int | msgspec.UnsetType | None = msgspec.UNSET
    cme_quarters: int | msgspec.UnsetType = msgspec.UNSET
    counts_toward_completion: bool | msgspec.UnsetType = msgspec.UNSET


class SessionOut(msgspec.Struct):
    id: int
    event_id: int
    track_id: int | None
    title: str
    description: str
    starts_at: datetime
    ends_at: datetime
    time_zone: str  # the event's zone, where the session happens
    room: str
    capacity: int | None
    cme_quarters: int
    counts_toward_completion: bool
    status: str
    sequence: int
    speakers: list[str]  # names of speakers who accepted
    join_url: str | None = None  # staff of the event only


class SpeakerCreate(msgspec.Struct, forbid_unknown_fields=True):
    email: Annotated[str, msgspec.Meta(min_length=3, max_length=254)]
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]


class SpeakerOut(msgspec.Struct):
    id: int
    session_id: int
    name: str
    email: str
    status: str  # invited, accepted, declined, withdrawn
    invited_at: datetime
    responded_at: datetime | None
    person_id: int | None


class SpeakingOut(msgspec.Struct):
    """One of my speaking slots, with times in the event's zone and in mine."""

    speaker_id: int
    session_id: int
    event_id: int
    event_title: str
    session_title: str
    status: str
    session_status: str
    starts_at: datetime
    ends_at: datetime
    time_zone: str
    local_starts_at: datetime
    local_ends_at: datetime
    my_time_zone: str
    my_starts_at: datetime
    my_ends_at: datetime
    room: str
    join_url: str | None = None


# Ticket types and registration requests. Prices are typed int | float so a
# price of 19.99 reaches the service and gets its own error code
# (ticket.price_invalid) instead of the generic request.invalid.

PriceIn = int | float


class TicketTypeCreate(msgspec.Struct, forbid_unknown_fields=True):
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=120)]
    currency: Annotated[str, msgspec.Meta(max_length=16)]
    member_price: PriceIn
    non_member_price: PriceIn
    guest_price: PriceIn
    description: Annotated[str, msgspec.Meta(max_length=2_000)] = ""
    early_bird_until: datetime | None = None
    early_member_price: PriceIn | None = None
    early_non_member_price: PriceIn | None = None
    early_guest_price: PriceIn | None = None
    sales_start: datetime | None = None
    sales_end: datetime | None = None
    member_only: bool = False
    quantity: int | None = None  # None: limited only by capacity
    position: Annotated[int, msgspec.Meta(ge=0, le=10_000)] = 0


class TicketTypeUpdate(msgspec.Struct, forbid_unknown_fields=True):
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=120)] | msgspec.UnsetType = msgspec.UNSET
    currency: Annotated[str, msgspec.Meta(max_length=16)] | msgspec.UnsetType = msgspec.UNSET
    member_price: PriceIn | msgspec.UnsetType = msgspec.UNSET
    non_member_price: PriceIn | msgspec.UnsetType = msgspec.UNSET
    guest_price: PriceIn | msgspec.UnsetType = msgspec.UNSET
    description: Annotated[str, msgspec.Meta(max_length=2_000)] | msgspec.UnsetType = msgspec.UNSET
    early_bird_until: datetime | msgspec.UnsetType | None = msgspec.UNSET
    early_member_price: PriceIn | msgspec.UnsetType | None = msgspec.UNSET
    early_non_member_price: PriceIn | msgspec.UnsetType | None = msgspec.UNSET
    early_guest_price: PriceIn | msgspec.UnsetType | None = msgspec.UNSET
    sales_start: datetime | msgspec.UnsetType | None = msgspec.UNSET
    sales_end: datetime | msgspec.UnsetType | None = msgspec.UNSET
    member_only: bool | msgspec.UnsetType = msgspec.UNSET
    quantity: int | msgspec.UnsetType | None = msgspec.UNSET
    position: Annotated[int, msgspec.Meta(ge=0, le=10_000)] | msgspec.UnsetType = msgspec.UNSET
    active: bool | msgspec.UnsetType = msgspec.UNSET


class TicketTypeOut(msgspec.Struct):
    id: int
    event_id: int
    name: str
    description: str
    currency: str
    member_price: int
    non_member_price: int
    guest_price: int
    early_bird_until: datetime | None
    early_member_price: int | None
    early_non_member_price: int | None
    early_guest_price: int | None
    sales_start: datetime | None
    sales_end: datetime | None
    member_only: bool
    quantity: int | None
    remaining: int | None  # places of this type left; None without a quantity
    position: int
    active: bool
    free: bool


class RegistrationCreate(msgspec.Struct, forbid_unknown_fields=True):
    ticket_type_id: int | None = None
    session_id: int | None = None


class ColleaguesCreate(msgspec.Struct, forbid_unknown_fields=True):
    person_ids: list[int]
    ticket_type_id: int | None = None
    session_id: int | None = None
