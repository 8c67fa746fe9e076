"""Events, their sessions, and registrations with a history of every change."""

from __future__ import annotations

from piccolo.columns import Boolean, ForeignKey, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from accounts.tables import Person


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


class Registration(Table, tablename="events_registration"):
    """One person's place (or place in line) at an event.

    ``email_key`` is the lower-cased email, so one live registration per
    (event, email) holds even for registrations made on someone's behalf.
    """

    id: Serial  # added by Piccolo; declared for type checkers
    event = ForeignKey(references=Event, null=False)
    person = ForeignKey(references=Person, null=False)
    email_key = Varchar(length=254)
    status = Varchar(length=20)
    offer_expires_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class RegistrationChange(Table, tablename="events_registration_change"):
    """Append-only: who moved a registration from which state to which, when and why."""

    id: Serial  # added by Piccolo; declared for type checkers
    registration = ForeignKey(references=Registration, null=False)
    from_status = Varchar(length=20, default="")
    to_status = Varchar(length=20)
    by_person = ForeignKey(references=Person, null=True)
    reason = Varchar(length=200, default="")
    at = Timestamptz(default=TimestamptzNow())
