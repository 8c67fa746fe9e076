"""How fast a personal calendar feed renders: 500 sessions, end to end and the builder alone.

    .venv/bin/python bench/feeds.py            # SQLite temp file
    DATABASE_URL=postgresql://... .venv/bin/python bench/feeds.py

Seeds one person confirmed on 500 one-hour webinars, then times GET /feeds/<token>.ics
through the app (query + build + response) and build_feed() by itself.
"""

from __future__ import annotations

import asyncio
import logging
import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
_dir = Path(tempfile.mkdtemp(prefix="grandrounds-bench-"))
os.environ.setdefault("GRANDROUNDS_VAR_DIR", str(_dir / "var"))
os.environ.setdefault("GRANDROUNDS_ENV", "development")  # one machine: its processes share var/secret_key
os.environ.setdefault("DATABASE_URL", f"sqlite:///{_dir / 'bench.sqlite3'}")
os.environ["GRANDROUNDS_PASSWORD_HASH_PROFILE"] = "cheap"  # noqa: S105 - a hash profile name
os.environ["GRANDROUNDS_DISPATCHER_IN_SERVER"] = "0"

SESSIONS = 500
ROUNDS = 20


async def main() -> None:
    import httpx
    from asgi_lifespan import LifespanManager

    from accounts.principal import Role
    from accounts.schemas import SignUp
    from accounts.services.people import create_person
    from events.tables import Event, Registration, Session
    from grandrounds.db import migrate
    from grandrounds.server.app import create_app
    from notifications.feeds import build_feed, entries_for, reset_token

    logging.getLogger("httpx").setLevel(logging.WARNING)  # it would print the feed token

    await migrate(quiet=True)
    app = create_app()
    async with LifespanManager(app):
        person = await create_person(
            SignUp(
                email=f"bench{time.time_ns()}@example.org",
                password="a sturdy passphrase",  # noqa: S106 - a throwaway bench account
                name="Bench",
            ),
            roles=(Role.MEMBER,),
        )
        start = datetime(2027, 1, 4, 18, 0, tzinfo=UTC)
        for i in range(SESSIONS):
            at = start + timedelta(days=i)
            event = await Event.insert(
                Event(
                    kind="webinar",
                    title=f"Webinar {i}",
                    time_zone="America/Chicago",
                    starts_at=at,
                    ends_at=at + timedelta(hours=1),
                    capacity=100,
                    status="published",
                    join_url="https://meet.example.org/x",
                )
            ).returning(Event.id)
            await Session.insert(
                Session(
                    event=event[0]["id"], title=f"Webinar {i}", starts_at=at, ends_at=at + timedelta(hours=1)
                )
            )
            await Registration.insert(
                Registration(
                    event=event[0]["id"], person=person, email_key="bench@example.org", status="confirmed"
                )
            )
        token = await reset_token(person)
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://bench"
        ) as client:
            timings = []
            for _ in range(ROUNDS):
                began = time.perf_counter()
                response = await client.get(f"/feeds/{token}.ics")
                timings.append(time.perf_counter() - began)
                assert response.text.count("BEGIN:VEVENT") == SESSIONS
        entries = await entries_for(person)
        build = []
        for _ in range(ROUNDS):
            began = time.perf_counter()
            build_feed("bench", entries, "http://bench")
            build.append(time.perf_counter() - began)
    kind = "PostgreSQL" if os.environ["DATABASE_URL"].startswith("postgres") else "SQLite"
    print(f"feed of {SESSIONS} sessions on {kind}, {ROUNDS} rounds")
    print(
        f"  GET /feeds/<token>.ics  median {statistics.median(timings) * 1000:.0f} ms, "
        f"max {max(timings) * 1000:.0f} ms, {len(response.content) / 1024:.0f} KiB"
    )
    print(f"  build_feed() alone      median {statistics.median(build) * 1000:.0f} ms")


if __name__ == "__main__":
    asyncio.run(main())
