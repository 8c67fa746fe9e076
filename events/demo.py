"""Demo events: an annual conference with tracks, sessions and speakers, a monthly webinar
series, a small workshop and consultation office hours.

Dates are relative to the day the demo is seeded, so the demo always has
something upcoming. Seeding is idempotent: each event is looked up by title.
"""

from __future__ import annotations

import secrets
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from accounts.principal import Principal, Role
from accounts.schemas import ProgramCreate
from accounts.services.programs import assign_staff, create_program
from accounts.tables import Program
from events.schemas import EventCreate
from events.services.scheduling import create_event
from events.tables import Event, Session, SessionSpeaker, TicketType, Track

CHICAGO = "America/Chicago"
CONFERENCE = "Healthcare Social Media Summit"
WEBINAR_SERIES = "Grand Rounds Webinar"


def _at(day: date, hour: int, minute: int = 0, zone: str = CHICAGO) -> datetime:
    return datetime.combine(day, time(hour, minute), ZoneInfo(zone)).astimezone(UTC)


def _next_weekday(start: date, weekday: int) -> date:
    return start + timedelta(days=(weekday - start.weekday()) % 7)


async def _program(slug: str, name: str, kind: str, staff_id: int) -> int:
    row = await Program.select(Program.id).where(Program.slug == slug).first()
    program_id = int(row["id"]) if row else (await create_program(ProgramCreate(slug, name, kind))).id  # type: ignore[arg-type]
    await assign_staff(program_id, staff_id)
    return program_id


async def _event(admin: Principal, data: EventCreate) -> int | None:
    """Create and publish an event unless one with this title exists; None when it did."""
    if await Event.exists().where(Event.title == data.title):
        return None
    created = await create_event(admin, data)
    await Event.update({Event.status: "published"}).where(Event.id == created.id)
    return created.id


async def _conference(admin: Principal, program_id: int, speaker_id: int, today: date) -> None:
    first_day = _next_weekday(today + timedelta(days=56), 0)  # a Monday about eight weeks out
    event_id = await _event(
        admin,
        EventCreate(
            kind="conference",
            title=f"{CONFERENCE} {first_day.year}",
            time_zone=CHICAGO,
            starts_at=_at(first_day, 8),
            ends_at=_at(first_day + timedelta(days=2), 17),
            capacity=300,
            description="Three days on strategy, crisis communication and clinicians' voices online.",
            venue="Riverside Conference Center, 200 Lake St, Chicago, IL",
            program_id=program_id,
            topic="strategy",
        ),
    )
    if event_id is None:
        return
    tracks = {}
    for position, name in enumerate(["Strategy", "Crisis communication", "Clinician voices"]):
        row = await Track.insert(Track(event=event_id, name=name, position=position)).returning(Track.id)
        tracks[name] = row[0]["id"]
    sessions = [
        (0, 9, "Opening keynote: trust in a feed of rumours", None, "Main hall", None, 4),
        (0, 11, "Writing a strategic social media plan", "Strategy", "Room A", None, 4),
        (0, 11, "The first hour of a crisis", "Crisis communication", "Room B", None, 4),
        (
            0,
            14,
            "Hands-on: your crisis playbook (workshop, 20 seats)",
            "Crisis communication",
            "Lab 1",
            20,
            6,
        ),
        (1, 9, "Physicians on social media: professionalism and PHI", "Clinician voices", "Room C", None, 4),
        (1, 11, "Measuring what matters", "Strategy", "Room A", None, 4),
        (1, 14, "Misinformation response drills", "Crisis communication", "Room B", None, 4),
        (2, 9, "Nurses as trusted messengers", "Clinician voices", "Room C", None, 4),
        (2, 11, "Closing panel: the year ahead", None, "Main hall", None, 4),
    ]
    for offset, hour, title, track, room, capacity, quarters in sessions:
        day = first_day + timedelta(days=offset)
        inserted = await Session.insert(
            Session(
                event=event_id,
                track=tracks.get(track) if track else None,
                title=title,
                starts_at=_at(day, hour),
                ends_at=_at(day, hour + 1, 30 if quarters == 6 else 0),
                room=room,
                capacity=capacity,
                cme_quarters=quarters,
                checkin_secret=secrets.token_hex(32),
            )
        ).returning(Session.id)
        if title.startswith(("Opening keynote", "Physicians on social media")):
            await SessionSpeaker.insert(
                SessionSpeaker(
                    session=inserted[0]["id"],
                    person=speaker_id,
                    email_key="speaker@example.org",
                    name="Dr. Priya Speaker",
                    status="accepted",
                    invited_by=admin.person_id,
                )
            )
    early = _at(first_day - timedelta(days=28), 23, 59)
    await TicketType.insert(
        TicketType(
            event=event_id,
            name="Full conference",
            currency="USD",
            member_price=29900,
            non_member_price=49900,
            guest_price=39900,
            early_bird_until=early,
            early_member_price=24900,
            early_non_member_price=44900,
            early_guest_price=34900,
            position=0,
        ),
        TicketType(
            event=event_id,
            name="Virtual pass (free)",
            description="Watch the keynote and the closing panel online.",
            currency="USD",
            position=1,
        ),
    )


async def _webinars(admin: Principal, program_id: int, today: date) -> None:
    """Monthly, on the second Tuesday at noon Chicago time; the series starts last month."""
    topics = [
        "Social media policy for residents",
        "Responding to negative reviews without PHI",
        "Short video for patient education",
        "Building a hospital's LinkedIn presence",
        "Crisis communication after a data breach",
        "Measuring a campaign's reach honestly",
    ]
    month = date(today.year, today.month, 1) - timedelta(days=1)
    month = date(month.year, month.month, 1)
    for topic in topics:
        day = _next_weekday(month, 1) + timedelta(days=7)
        await _event(
            admin,
            EventCreate(
                kind="webinar",
                title=f"{WEBINAR_SERIES}: {topic}",
                time_zone=CHICAGO,
                starts_at=_at(day, 12),
                ends_at=_at(day, 13),
                capacity=500,
                description=f"A one-hour webinar: {topic.lower()}.",
                join_url=f"https://meet.example.org/grand-rounds/{day.isoformat()}",
                program_id=program_id,
                topic="webinar series",
            ),
        )
        month = date(month.year + (month.month == 12), month.month % 12 + 1, 1)


async def _workshop_and_office_hours(admin: Principal, program_id: int, speaker_id: int, today: date) -> None:
    day = _next_weekday(today + timedelta(days=21), 3)
    await _event(
        admin,
        EventCreate(
            kind="workshop",
            title="Workshop: your first strategic social media plan",
            time_zone=CHICAGO,
            starts_at=_at(day, 9),
            ends_at=_at(day, 12),
            capacity=12,
            venue="Riverside Health, Education Building, Room 4",
            description="Small-group, hands-on. Bring your department's goals.",
            program_id=program_id,
            topic="strategy",
        ),
    )
    office_day = _next_weekday(today + timedelta(days=10), 2)
    event_id = await _event(
        admin,
        EventCreate(
            kind="consultation",
            title="Office hours with a social media strategist",
            time_zone=CHICAGO,
            starts_at=_at(office_day, 13),
            ends_at=_at(office_day, 15),
            capacity=4,
            description="Thirty-minute one-to-one slots for members and organizations.",
            join_url="https://meet.example.org/office-hours",
            member_only=True,
            program_id=program_id,
            topic="consultation",
        ),
    )
    if event_id is None:
        return
    # The consultation is booked by slot: replace the spanning session with four half-hour slots,
    # each with the demo speaker as its expert (who gets a calendar copy of every booking).
    await Session.delete().where(Session.event == event_id)
    for slot in range(4):
        start = _at(office_day, 13) + timedelta(minutes=30 * slot)
        inserted = await Session.insert(
            Session(
                event=event_id,
                title=f"Slot {slot + 1}",
                starts_at=start,
                ends_at=start + timedelta(minutes=30),
                join_url="https://meet.example.org/office-hours",
                capacity=1,
                counts_toward_completion=False,
                checkin_secret=secrets.token_hex(32),
            )
        ).returning(Session.id)
        await SessionSpeaker.insert(
            SessionSpeaker(
                session=inserted[0]["id"],
                person=speaker_id,
                email_key="speaker@example.org",
                name="Dr. Priya Speaker",
                status="accepted",
                invited_by=admin.person_id,
            )
        )


async def seed_events(people: dict[str, int]) -> None:
    admin = Principal(
        people["admin@example.org"], "admin@example.org", "Ada Admin", frozenset({Role.ADMIN}), "cli", 0
    )
    staff = people["staff@example.org"]
    today = datetime.now(UTC).date()
    conference = await _program("annual-summit", CONFERENCE, "conference", staff)
    series = await _program("grand-rounds-webinars", f"{WEBINAR_SERIES} series", "webinar_series", staff)
    await _conference(admin, conference, people["speaker@example.org"], today)
    await _webinars(admin, series, today)
    await _workshop_and_office_hours(admin, conference, people["speaker@example.org"], today)
