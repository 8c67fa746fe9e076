"""Calendar feeds: a person's private subscription (webcal) and public schedules.

A feed is a plain published calendar (no METHOD): clients that subscribe
re-read it and show what it holds now. Entries come from feed sources the
shell registers (events: registrations and speaking; programs: cohort
sessions), so this package never imports the ones that use it.

The personal feed is reached by a secret token in its URL, as every calendar
subscription is; only the token's SHA-256 is stored, and resetting it
replaces the hash, so the old URL stops working at once.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import urlparse
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, vDuration
from icalendar.enums import STATUS

from accounts.tables import Person
from grandrounds.db import now, write_transaction
from grandrounds.registry import Registry
from notifications.tables import FeedToken
from notifications.timezones import add_timezones

PRODID = "-//grandrounds//calendar feed//EN"


@dataclass(frozen=True, slots=True)
class FeedEntry:
    """One session as a calendar shows it. ``join_url`` must be empty unless the person may see it."""

    key: str  # unique within the feed, e.g. "session-7"
    starts_at: datetime
    ends_at: datetime
    time_zone: str
    summary: str
    place: str = ""
    description: str = ""
    url: str = ""
    join_url: str = ""
    sequence: int = 0
    cancelled: bool = False
    # In a person's feed: the UID of their copy, the one their emailed invites carry, so a
    # client that has both shows the session once. Public schedules leave it empty.
    uid: str = ""


FeedSource = Callable[[int], Awaitable[list[FeedEntry]]]
FEED_SOURCES: Registry[FeedSource] = Registry("calendar feed sources")


def register_source(source: FeedSource) -> None:
    FEED_SOURCES.add(source)


async def entries_for(person_id: int) -> list[FeedEntry]:
    entries: dict[str, FeedEntry] = {}
    for source in FEED_SOURCES:
        for entry in await source(person_id):
            entries.setdefault(entry.key, entry)
    return sorted(entries.values(), key=lambda e: e.starts_at)


# How often a subscribed client should re-read a feed: changes reach it within the hour.
REFRESH = timedelta(hours=1)


def build_feed(name: str, entries: Iterable[FeedEntry], base_url: str) -> str:
    """A published calendar named ``name``; clients are told to re-read it every :data:`REFRESH`.

    REFRESH-INTERVAL is RFC 7986's; X-PUBLISHED-TTL is what Outlook and
    Apple read.
    """
    host = urlparse(base_url).hostname or "grandrounds.localhost"
    calendar = Calendar()
    calendar.add("PRODID", PRODID)
    calendar.add("VERSION", "2.0")
    calendar.add("CALSCALE", "GREGORIAN")
    calendar.add("X-WR-CALNAME", name)
    calendar.add("REFRESH-INTERVAL", REFRESH, parameters={"VALUE": "DURATION"})
    calendar.add("X-PUBLISHED-TTL", vDuration(REFRESH))
    stamp = now().astimezone(UTC)
    years: list[int] = []
    zones: set[str] = set()
    for entry in entries:
        zone = ZoneInfo(entry.time_zone)
        description = "\n\n".join(
            p
            for p in (
                entry.description.strip(),
                f"Join online: {entry.join_url}" if entry.join_url else "",
                f"Details: {entry.url}" if entry.url else "",
            )
            if p
        )
        location = " / ".join(p for p in (entry.place, entry.join_url) if p)
        calendar.add_component(
            Event.new(
                uid=entry.uid or f"feed-{entry.key}@{host}",
                sequence=entry.sequence,
                stamp=stamp,
                start=entry.starts_at.astimezone(zone),
                end=entry.ends_at.astimezone(zone),
                summary=entry.summary,
                status=STATUS.CANCELLED if entry.cancelled else STATUS.CONFIRMED,
                location=location or None,
                description=description or None,
                url=entry.url or None,
            )
        )
        years.append(entry.starts_at.year)
        zones.add(entry.time_zone)
    if years:
        add_timezones(calendar, zones, min(years), max(years))
    ical: bytes = calendar.to_ical()
    return ical.decode("utf-8")


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def reset_token(person_id: int) -> str:
    """A new secret for the person's feed (256 bits); the previous URL stops working."""
    token = secrets.token_urlsafe(32)
    async with write_transaction():
        updated = (
            await FeedToken.update(
                {
                    FeedToken.token_hash: _hash(token),
                    FeedToken.created_at: now(),
                    FeedToken.last_used_at: None,
                }
            )
            .where(FeedToken.person == person_id)
            .returning(FeedToken.id)
        )
        if not updated:
            await FeedToken.insert(FeedToken(person=person_id, token_hash=_hash(token)))
    return token


async def feed_name(person_id: int) -> str:
    """The personal feed's name, after its owner, so it stands apart in a list of calendars."""
    row = await Person.select(Person.name).where(Person.id == person_id).first()
    owner = row["name"] if row else ""
    return f"{owner} · grandrounds" if owner else "grandrounds"


async def has_feed(person_id: int) -> bool:
    return bool(await FeedToken.exists().where(FeedToken.person == person_id))


async def person_for(token: str) -> int | None:
    if not token or len(token) > 100:
        return None
    row = await FeedToken.select(FeedToken.person).where(FeedToken.token_hash == _hash(token)).first()
    return int(row["person"]) if row else None
