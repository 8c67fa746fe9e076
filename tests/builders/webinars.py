"""A crowded webinar: N confirmed registrants of one session, written in bulk.

Made with a handful of inserts rather than N sign-ups through the API, so a test can ask
what a chore does with 500 seats without paying for 500 registrations. The people get
different time zones, so each reminder's wording is the reader's own.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from accounts.tables import Person
from events.tables import Event, Registration, Session

ZONES = ("UTC", "America/Chicago", "Europe/London", "Asia/Tokyo")


async def crowded_webinar(
    seats: int, starts_at: datetime, *, join_url: str = "https://meet.example.org/j/1"
) -> int:
    """A published one-session webinar at ``starts_at`` with ``seats`` confirmed registrants; its id."""
    [event] = await Event.insert(
        Event(
            kind="webinar",
            title=f"Webinar for {seats}",
            time_zone="America/New_York",
            starts_at=starts_at,
            ends_at=starts_at + timedelta(hours=1),
            capacity=seats,
            status="published",
            join_url=join_url,
        )
    ).returning(Event.id)
    await Session.insert(
        Session(
            event=event["id"],
            title="The session",
            starts_at=starts_at,
            ends_at=starts_at + timedelta(hours=1),
            checkin_secret=secrets.token_hex(8),
        )
    )
    tag = secrets.token_hex(4)
    people = await Person.insert(
        *[
            Person(
                email=f"seat{n}-{tag}@example.org",
                name=f"Seat {n}",
                time_zone=ZONES[n % len(ZONES)],
                password_hash="!",
            )
            for n in range(seats)
        ]
    ).returning(Person.id, Person.email)
    await Registration.insert(
        *[
            Registration(
                event=event["id"],
                person=row["id"],
                email_key=row["email"],
                status="confirmed",
                ticket_code=secrets.token_hex(8),
            )
            for row in people
        ]
    )
    return int(event["id"])
