"""Events, their sessions, and registrations with a history of every change."""

from __future__ import annotations

from piccolo.columns import Boolean, ForeignKey, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from accounts.tables import Person, Program
from events.registration_status import RegistrationStatus


class Event(Table, tablename="events_event"):
    """A conference, webinar, workshop or consultation. Times in UTC; the IANA zone is kept beside them."""

    id: Serial  # added by Piccolo; declared for type checkers
    kind = Varchar(length=16)  # conference, webinar, workshop, consultation
    title = Varchar(length=200)
    description = Text(default="")
    time_zone = Varchar(length=64)
    starts_at = Timestamptz()
    ends_at = Timestamptz()
    venue = Varchar(length=300, default="")
    join_url = Varchar(length=500, default="")  # shown to confirmed registrants only
    capacity = Integer()
    status = Varchar(length=16, default="draft")  # draft, published, cancelled
    member_only = Boolean(default=False)
    offer_hours = Integer(default=48)
    created_by = ForeignKey(references=Person, null=True)
    created_at = Timestamptz(default=TimestamptzNow())
    # The program whose staff may run this event (null: only admins may).
    program = ForeignKey(references=Program, null=True)
    topic = Varchar(length=100, default="")
    # Hours before each session when reminders go out, e.g. "24,1".
    reminder_hours = Varchar(length=50, default="24,1")
    updated_at = Timestamptz(default=TimestamptzNow())
    # The iCalendar SEQUENCE of the event-level copy (a conference's whole-event registrants hold
    # one): up with every change of its span, zone, venue or join link (see raw migration).
    sequence = Integer(default=0)
    # Seat counters of the whole-event place, kept by the registration lifecycle in the same
    # transaction as each move (see raw migration): registrations without a session that hold a
    # seat by status (confirmed, pending_payment, offered; an expired hold still counts until the
    # chore marks it), and those waitlisted.
    seats_held = Integer(default=0)
    waiting = Integer(default=0)


class Track(Table, tablename="events_track"):
    """A parallel stream of a conference's sessions (e.g. "Crisis communication")."""

    id: Serial  # added by Piccolo; declared for type checkers
    event = ForeignKey(references=Event, null=False)
    name = Varchar(length=120)
    position = Integer(default=0)


class Session(Table, tablename="events_session"):
    """A scheduled slot of an event: a talk, a webinar broadcast, a workshop, a consultation slot.

    Webinars, workshops and consultations get one session spanning the event
    when created, so check-in, invites and attendance always speak of sessions.
    ``capacity`` is set only when the session seats fewer people than the
    event (a hands-on workshop inside a conference, a one-person consultation
    slot); registrations for it name the session. ``sequence`` is the iCalendar
    SEQUENCE: it goes up on every change of time, place or link.
    """

    id: Serial  # added by Piccolo; declared for type checkers
    event = ForeignKey(references=Event, null=False)
    track = ForeignKey(references=Track, null=True)
    title = Varchar(length=200)
    description = Text(default="")
    starts_at = Timestamptz()
    ends_at = Timestamptz()
    room = Varchar(length=200, default="")
    join_url = Varchar(length=500, default="")  # confirmed registrants and speakers only
    capacity = Integer(null=True, default=None)
    cme_quarters = Integer(default=0)  # designated CME credit in quarter hours (4 = 1.0 credit)
    counts_toward_completion = Boolean(default=True)
    status = Varchar(length=16, default="scheduled")  # scheduled, cancelled
    sequence = Integer(default=0)
    checkin_secret = Varchar(length=64, default="")  # seeds the rotating self check-in code
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())
    # The seat counters of a session with its own capacity (as Event.seats_held and waiting).
    seats_held = Integer(default=0)
    waiting = Integer(default=0)


class SessionSpeaker(Table, tablename="events_session_speaker"):
    """A speaker invited to a session by email; linked to a person once known.

    Only the SHA-256 of the response token (the accept/decline link) is kept.
    """

    id: Serial  # added by Piccolo; declared for type checkers
    session = ForeignKey(references=Session, null=False)
    person = ForeignKey(references=Person, null=True)
    email_key = Varchar(length=254)
    name = Varchar(length=200)
    status = Varchar(length=16, default="invited")  # invited, accepted, declined, withdrawn
    token_hash = Varchar(length=64, default="")
    invited_by = ForeignKey(references=Person, null=True)
    invited_at = Timestamptz(default=TimestamptzNow())
    responded_at = Timestamptz(null=True, default=None)
    # The calendar UID of this speaker's copy, fixed at the first invite (see raw migration).
    invite_uid = Varchar(length=200, default="")


class TicketType(Table, tablename="events_ticket_type"):
    """What a registrant buys: prices per tier in integer minor units of ``currency``.

    Early-bird prices apply until ``early_bird_until``; a null early-bird price
    means no discount for that tier. All prices zero makes a free ticket.
    """

    id: Serial  # added by Piccolo; declared for type checkers
    event = ForeignKey(references=Event, null=False)
    name = Varchar(length=120)
    description = Text(default="")
    currency = Varchar(length=3, default="USD")
    member_price = Integer(default=0)
    non_member_price = Integer(default=0)
    guest_price = Integer(default=0)
    early_bird_until = Timestamptz(null=True, default=None)
    early_member_price = Integer(null=True, default=None)
    early_non_member_price = Integer(null=True, default=None)
    early_guest_price = Integer(null=True, default=None)
    sales_start = Timestamptz(null=True, default=None)
    sales_end = Timestamptz(null=True, default=None)
    member_only = Boolean(default=False)
    quantity = Integer(null=True, default=None)  # null: limited only by the event's capacity
    position = Integer(default=0)
    active = Boolean(default=True)


class Registration(Table, tablename="events_registration"):
    """One person's place (or place in line) at an event.

    ``email_key`` is the lower-cased email, so one live registration per
    (event, email) holds even for registrations made on someone's behalf.
    """

    id: Serial  # added by Piccolo; declared for type checkers
    event = ForeignKey(references=Event, null=False)
    person = ForeignKey(references=Person, null=False)
    email_key = Varchar(length=254)
    status = Varchar(length=20, choices=RegistrationStatus)
    offer_expires_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())
    # Set for a place in a session with its own capacity (workshop seat, consultation slot).
    session = ForeignKey(references=Session, null=True)
    ticket_type = ForeignKey(references=TicketType, null=True)
    price_tier = Varchar(length=12, default="")  # member, non_member, guest
    amount = Integer(default=0)  # what is owed, in minor units of currency
    currency = Varchar(length=3, default="USD")
    # An unpaid checkout holds its seat until this moment.
    hold_expires_at = Timestamptz(null=True, default=None)
    # Who made the registration when it was made on a colleague's behalf.
    booked_by = ForeignKey(references=Person, null=True)
    # Registrations booked together wait, and are offered seats, together.
    party = Varchar(length=32, default="")
    # Shown as a QR code on the confirmation; staff scan it to check in.
    ticket_code = Varchar(length=32, null=True, default=None)  # unique: see raw index migration


class RegistrationChange(Table, tablename="events_registration_change"):
    """Append-only: who moved a registration from which state to which, when and why."""

    id: Serial  # added by Piccolo; declared for type checkers
    registration = ForeignKey(references=Registration, null=False)
    from_status = Varchar(length=20, default="")
    to_status = Varchar(length=20)
    by_person = ForeignKey(references=Person, null=True)
    reason = Varchar(length=200, default="")
    at = Timestamptz(default=TimestamptzNow())


class CheckIn(Table, tablename="events_check_in"):
    """Someone was there: one row per (session, registration), whoever scanned it first."""

    id: Serial  # added by Piccolo; declared for type checkers
    session = ForeignKey(references=Session, null=False)
    registration = ForeignKey(references=Registration, null=False)
    person = ForeignKey(references=Person, null=False)
    method = Varchar(length=16)  # search, code, qr, self
    by_person = ForeignKey(references=Person, null=True)
    at = Timestamptz(default=TimestamptzNow())


class CheckInRemoval(Table, tablename="events_check_in_removal"):
    """Append-only: a check-in staff took back, kept whole with who removed it, when and why.

    ``CheckIn`` holds only standing check-ins, so attendance reads it as is;
    this table is the audit trail of mistakes undone.
    """

    id: Serial  # added by Piccolo; declared for type checkers
    session = ForeignKey(references=Session, null=False, index=True)
    registration = ForeignKey(references=Registration, null=False)
    person = ForeignKey(references=Person, null=False)
    method = Varchar(length=16)
    checked_in_by = ForeignKey(references=Person, null=True)
    checked_in_at = Timestamptz()
    removed_by = ForeignKey(references=Person, null=True)
    removed_at = Timestamptz(default=TimestamptzNow())
    reason = Varchar(length=200, default="")


class CheckInCodeFailure(Table, tablename="events_check_in_code_failure"):
    """A wrong self check-in code, counted per person and session to stop guessing."""

    id: Serial  # added by Piccolo; declared for type checkers
    session = ForeignKey(references=Session, null=False)
    person = ForeignKey(references=Person, null=False, index=True)
    at = Timestamptz(default=TimestamptzNow())
