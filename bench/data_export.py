"""The data-rights download at scale: one person with N registrations, timed through the app.

Seeds one person with N registrations (default 1,000, one per event of 4
programs; every third cancelled, the rest confirmed), each with two history rows
(booked, then confirmed or cancelled), a charge and its fee in the ledger for every
paid place (half of them), a confirmation email per place and a check-in for every
fifth. Then it downloads ``GET /api/v1/me/export`` as that person, through the app
(JSON encoding and the audit row included), and prints the document's size and the
time per download (median and slowest of the rounds).

    .venv/bin/python bench/data_export.py [--registrations 1000] [--rounds 5]
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/gr_bench .venv/bin/python bench/data_export.py

Without DATABASE_URL it uses a throwaway SQLite file. With it, the database is
migrated and the rows are added beside whatever is there (a new person, new
events and new Stripe ids each run), so a scratch database is best.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

_SCRATCH = Path(tempfile.mkdtemp(prefix="grandrounds-export-"))
os.environ.setdefault("GRANDROUNDS_VAR_DIR", str(_SCRATCH / "var"))
os.environ.setdefault("GRANDROUNDS_ENV", "development")  # one machine: its processes share var/secret_key
os.environ.setdefault("DATABASE_URL", f"sqlite:///{_SCRATCH / 'export.sqlite3'}")
os.environ.setdefault("GRANDROUNDS_PASSWORD_HASH_PROFILE", "cheap")  # setting people up is not measured
os.environ["GRANDROUNDS_DISPATCHER_IN_SERVER"] = "0"  # nothing else competes for the database
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import logging  # noqa: E402

import httpx  # noqa: E402
from asgi_lifespan import LifespanManager  # noqa: E402

from accounts.principal import Role  # noqa: E402
from accounts.schemas import ProgramCreate, SignUp  # noqa: E402
from accounts.services.credentials import create_token  # noqa: E402
from accounts.services.people import create_person  # noqa: E402
from accounts.services.programs import create_program  # noqa: E402
from billing.tables import LedgerEntry  # noqa: E402
from events.tables import CheckIn, Event, Registration, RegistrationChange, Session  # noqa: E402
from grandrounds.db import migrate, write_transaction  # noqa: E402
from grandrounds.server.app import create_app  # noqa: E402
from grandrounds.settings import get_settings  # noqa: E402
from notifications.tables import OutboxMessage  # noqa: E402

PASSWORD = "correct horse battery"  # noqa: S105 - a throwaway account in a scratch database
PROGRAMS = 4
BATCH = 200  # rows per INSERT: well under SQLite's bound-variable limit
PRICE, FEE = 1999, -88


async def _insert(table: type, rows: list) -> list[int]:  # type: ignore[type-arg]
    ids: list[int] = []
    for start in range(0, len(rows), BATCH):
        async with write_transaction():
            done = await table.insert(*rows[start : start + BATCH]).returning(table.id)  # type: ignore[attr-defined]
        ids.extend(int(r["id"]) for r in done)
    return ids


async def seed(count: int) -> str:
    """A person with ``count`` registrations and what comes with them; their API token."""
    tag = uuid.uuid4().hex[:8]
    email = f"export-{tag}@example.org"
    person_id = await create_person(
        SignUp(email=email, password=PASSWORD, name="Export Bench", degree="MD"), roles=(Role.MEMBER,)
    )
    programs = [
        (
            await create_program(
                ProgramCreate(slug=f"bench-{tag}-{n}", name=f"Bench {n}", kind="webinar_series")
            )
        ).id
        for n in range(PROGRAMS)
    ]
    start = datetime(2026, 1, 5, 15, tzinfo=UTC)
    events = await _insert(
        Event,
        [
            Event(
                kind="webinar",
                title=f"Grand rounds {tag} #{n}",
                time_zone="America/Chicago",
                starts_at=start + timedelta(days=n),
                ends_at=start + timedelta(days=n, hours=1),
                capacity=100,
                status="published",
                program=programs[n % PROGRAMS],
            )
            for n in range(count)
        ],
    )
    sessions = await _insert(
        Session,
        [
            Session(
                event=event_id,
                title=f"Grand rounds {tag} #{n}",
                starts_at=start + timedelta(days=n),
                ends_at=start + timedelta(days=n, hours=1),
                cme_quarters=4,
            )
            for n, event_id in enumerate(events)
        ],
    )
    paid = [n % 2 == 0 for n in range(count)]
    cancelled = [n % 3 == 2 for n in range(count)]
    registrations = await _insert(
        Registration,
        [
            Registration(
                event=event_id,
                person=person_id,
                email_key=email,
                status="cancelled" if cancelled[n] else "confirmed",
                price_tier="member",
                amount=PRICE if paid[n] else 0,
                currency="USD",
            )
            for n, event_id in enumerate(events)
        ],
    )
    changes = []
    for n, registration_id in enumerate(registrations):
        changes.append(
            RegistrationChange(registration=registration_id, to_status="confirmed", reason="registered")
        )
        if cancelled[n]:
            changes.append(
                RegistrationChange(
                    registration=registration_id,
                    from_status="confirmed",
                    to_status="cancelled",
                    reason="cancelled by the registrant",
                )
            )
    await _insert(RegistrationChange, changes)
    ledger = []
    for n, registration_id in enumerate(registrations):
        if not paid[n]:
            continue
        charge = f"ch_{tag}_{registration_id}"
        moment = start + timedelta(days=n - 10)
        ledger += [
            LedgerEntry(
                kind="charge",
                amount=PRICE,
                currency="USD",
                registration=registration_id,
                stripe_id=charge,
                occurred_at=moment,
            ),
            LedgerEntry(
                kind="fee",
                amount=FEE,
                currency="USD",
                registration=registration_id,
                stripe_id=f"txn_{tag}_{registration_id}",
                stripe_charge_id=charge,
                occurred_at=moment,
            ),
        ]
    await _insert(LedgerEntry, ledger)
    await _insert(
        OutboxMessage,
        [
            OutboxMessage(
                template="registration_confirmed",
                recipient=email,
                person=person_id,
                context={"name": "Export Bench", "event_title": f"Grand rounds {tag} #{n}"},
                status="sent",
            )
            for n in range(count)
        ],
    )
    await _insert(
        CheckIn,
        [
            CheckIn(session=sessions[n], registration=registrations[n], person=person_id, method="qr")
            for n in range(0, count, 5)
            if not cancelled[n]
        ],
    )
    return (await create_token(person_id, "bench")).token


async def main(count: int, rounds: int) -> None:
    logging.disable(logging.INFO)
    await migrate(quiet=True)
    url = os.environ["DATABASE_URL"]
    print(f"database: {'PostgreSQL' if url.startswith('postgres') else 'SQLite'}")
    began = time.perf_counter()
    token = await seed(count)
    print(f"seeded {count} registrations in {time.perf_counter() - began:.1f} s")
    app = create_app(get_settings())
    async with LifespanManager(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench.local") as client:
            headers = {"Authorization": f"Bearer {token}"}
            timings, size, sections = [], 0, {}
            for _ in range(rounds):
                began = time.perf_counter()
                response = await client.get("/api/v1/me/export", headers=headers, timeout=120)
                timings.append(time.perf_counter() - began)
                response.raise_for_status()
                size = len(response.content)
                sections = response.json()["sections"]
    rows = {name: len(section["rows"]) for name, section in sections.items() if section["rows"]}
    print(f"rows per section: {rows}")
    print(f"export size: {size:,} bytes ({size / 1024 / 1024:.2f} MiB)")
    print(
        f"export time over {rounds} downloads: median {statistics.median(timings) * 1000:.0f} ms, "
        f"slowest {max(timings) * 1000:.0f} ms"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--registrations", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    asyncio.run(main(args.registrations, args.rounds))
