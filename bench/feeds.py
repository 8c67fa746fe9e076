"""A personal calendar feed of 500 sessions over real HTTP, beside icalendar serializing them alone.

Seeds one member confirmed on ``--sessions`` one-hour webinars in a scratch
database, starts `grandrounds serve` and times GET /feeds/<token>.ics from
this process (one keep-alive connection, ``--rounds`` times). Then, in this
process, it times the same entries serialized by icalendar alone (a
VCALENDAR with one VEVENT each and their VTIMEZONE, icalendar's own
``add_missing_timezones``) and by the app's build_feed() alone.

    .venv/bin/python bench/feeds.py [--db pg|sqlite] [--sessions 500] [--rounds 20]

Prints the medians, the ratio of the served feed to icalendar alone, and the
targets beside them (bench/README.md).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import harness

TARGET_MS = 50
TARGET_RATIO = 2.0


async def seed(sessions: int) -> tuple[int, str]:
    """One member confirmed on ``sessions`` published webinars; their id and feed token."""
    from accounts.principal import Role
    from accounts.schemas import SignUp
    from accounts.services.people import create_person
    from events.tables import Event, Registration, Session
    from notifications.feeds import reset_token

    person = await create_person(
        SignUp(email="feed@bench.example.org", password="a sturdy passphrase", name="Feed Bench"),  # noqa: S106
        roles=(Role.MEMBER,),
    )
    start = datetime(2027, 1, 4, 18, 0, tzinfo=UTC)
    for i in range(sessions):
        at = start + timedelta(days=i)
        made = await Event.insert(
            Event(kind="webinar", title=f"Webinar {i}", time_zone="America/Chicago", starts_at=at,
                  ends_at=at + timedelta(hours=1), capacity=100, status="published",
                  join_url="https://meet.example.org/x")
        ).returning(Event.id)  # fmt: skip
        event = made[0]["id"]
        await Session.insert(
            Session(event=event, title=f"Webinar {i}", starts_at=at, ends_at=at + timedelta(hours=1))
        )
        await Registration.insert(
            Registration(event=event, person=person, email_key="feed@bench.example.org", status="confirmed")
        )
    return person, await reset_token(person)


def icalendar_alone(entries: list[Any], host: str) -> bytes:
    """The same sessions as a calendar made with icalendar and nothing of ours."""
    from icalendar import Calendar, Event

    calendar = Calendar()
    calendar.add("PRODID", "-//bench//icalendar alone//EN")
    calendar.add("VERSION", "2.0")
    stamp = datetime.now(UTC)
    for entry in entries:
        zone = ZoneInfo(entry.time_zone)
        calendar.add_component(
            Event.new(
                uid=entry.uid or f"feed-{entry.key}@{host}",
                sequence=entry.sequence,
                stamp=stamp,
                start=entry.starts_at.astimezone(zone),
                end=entry.ends_at.astimezone(zone),
                summary=entry.summary,
                location=" / ".join(p for p in (entry.place, entry.join_url) if p) or None,
                description=entry.description or None,
                url=entry.url or None,
            )
        )
    calendar.add_missing_timezones()
    ical: bytes = calendar.to_ical()
    return ical


def median_ms(rounds: int, action: Callable[[], object]) -> tuple[float, float]:
    """Median and slowest of ``rounds`` runs of ``action``, in milliseconds."""
    spent = []
    for _ in range(rounds):
        began = time.perf_counter()
        action()
        spent.append((time.perf_counter() - began) * 1000)
    return statistics.median(spent), max(spent)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["pg", "sqlite"], default="pg")
    parser.add_argument("--sessions", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()

    with harness.scratch_database(args.db, "feed") as db:
        harness.migrate(db)
        harness.use_database(db)
        import httpx

        from grandrounds.server.wiring import wire_all
        from notifications.feeds import build_feed, entries_for

        wire_all()
        person, token = asyncio.run(seed(args.sessions))
        entries = asyncio.run(entries_for(person))
        with harness.grandrounds_serve(db, 1, db.var_dir / "serve.log") as served, httpx.Client() as client:
            url = f"{served.base}/feeds/{token}.ics"

            def get() -> None:
                answer = client.get(url)
                assert answer.status_code == 200, answer.text[:300]
                assert answer.text.count("BEGIN:VEVENT") == args.sessions

            get()  # the first request of a process pays for its imports and caches
            served_ms, served_max = median_ms(args.rounds, get)
            size = len(client.get(url).content)
        alone_ms, _ = median_ms(args.rounds, lambda: icalendar_alone(entries, "127.0.0.1"))
        build_ms, _ = median_ms(args.rounds, lambda: build_feed("bench", entries, served.base))
    ratio = served_ms / alone_ms if alone_ms else 0.0
    print(f"feed of {args.sessions} sessions on {db.engine}, grandrounds serve, {args.rounds} rounds")
    print(
        f"  GET /feeds/<token>.ics   median {served_ms:.1f} ms, max {served_max:.1f} ms, "
        f"{size / 1024:.0f} KiB   (target: under {TARGET_MS} ms)"
    )
    print(f"  icalendar alone          median {alone_ms:.1f} ms")
    print(f"  build_feed() alone       median {build_ms:.1f} ms")
    print(f"  ratio served/icalendar alone: {ratio:.1f}x   (target: within {TARGET_RATIO:.0f}x)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
