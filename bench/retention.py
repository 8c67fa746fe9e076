"""The retention run at scale: N registrations over old and recent events, then plan and apply timed.

It seeds, straight into the tables (bulk inserts, as the services would have
written them years ago):

- 40 events, half of them ended 1,200-1,500 days ago, half 10-900 days ago;
- N people, one registration each, alternating old and recent events; about a
  third never verified their address (guests), the rest verified members;
  every fourth place paid (a charge and a fee in the ledger);
- one sent message per registration, one expired sign-in session per person,
  and 500 audit rows eight years old.

Then it times the dry run (``plan``) and the run (``apply``) and prints, per
class, the rows planned, the rows rewritten, blanked or purged, and seconds;
finally it checks that the ledger sums are what they were and that a second
plan is empty.

    .venv/bin/python bench/retention.py [--registrations 2000]
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/gr_bench .venv/bin/python bench/retention.py

Without DATABASE_URL it uses a throwaway SQLite file. With it, the database must
hold no people (the run anonymizes whoever the schedule reaches): use a scratch
database.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
if not os.environ.get("DATABASE_URL"):
    _scratch = Path(tempfile.mkdtemp(prefix="grandrounds-retention-bench-"))
    os.environ["DATABASE_URL"] = f"sqlite:///{_scratch / 'bench.sqlite3'}"
    os.environ.setdefault("GRANDROUNDS_VAR_DIR", str(_scratch / "var"))
os.environ.setdefault("GRANDROUNDS_ENV", "development")  # one machine: its processes share var/secret_key

from piccolo.engine.postgres import PostgresEngine  # noqa: E402

from accounts.audit.tables import AuditEntry  # noqa: E402
from accounts.tables import Person, RoleGrant, SignInSession  # noqa: E402
from billing.tables import LedgerEntry  # noqa: E402
from events.tables import Event, Registration, Session  # noqa: E402
from grandrounds.db import engine, is_sqlite, migrate  # noqa: E402
from notifications.tables import OutboxMessage  # noqa: E402
from records.services import retention  # noqa: E402

CHUNK = 400
NOW = datetime.now(UTC).replace(microsecond=0)


def ago(days: float) -> datetime:
    return NOW - timedelta(days=days)


async def bulk(table: Any, rows: list[Any]) -> list[int]:
    ids: list[int] = []
    for start in range(0, len(rows), CHUNK):
        inserted = await table.insert(*rows[start : start + CHUNK]).returning(table.id)
        ids.extend(int(row["id"]) for row in inserted)
    return ids


async def seed(registrations: int) -> None:
    events: list[tuple[int, datetime, bool]] = []
    for number in range(40):
        old = number % 2 == 0
        ended = ago(1200 + number * 7 if old else 10 + number * 22)
        [row] = await Event.insert(
            Event(
                kind="webinar",
                title=f"Grand Rounds {number}",
                time_zone="UTC",
                starts_at=ended - timedelta(hours=1),
                ends_at=ended,
                capacity=10_000,
                status="published",
                created_at=ended - timedelta(days=60),
            )
        ).returning(Event.id)
        await Session.insert(
            Session(event=row["id"], title="Session", starts_at=ended - timedelta(hours=1), ends_at=ended)
        )
        events.append((int(row["id"]), ended, old))
    old_events = [e for e in events if e[2]]
    new_events = [e for e in events if not e[2]]

    people: list[Person] = []
    for number in range(registrations):
        old = number % 2 == 0
        joined = ago(1400 if old else 950)
        guest = number % 3 == 0
        people.append(
            Person(
                email=f"bench{number}@example.org",
                name=f"Bench Person {number}",
                degree="MD" if number % 5 == 0 else "",
                password_hash="!bench",  # noqa: S106 - no password: nobody signs in
                email_verified_at=None if guest else joined,
                created_at=joined,
            )
        )
    person_ids = await bulk(Person, people)
    grants = [
        RoleGrant(person=pid, role="guest", granted_at=people[i].created_at)
        for i, pid in enumerate(person_ids)
    ]
    grants += [
        RoleGrant(person=pid, role="member", granted_at=people[i].created_at)
        for i, pid in enumerate(person_ids)
        if i % 3 != 0
    ]
    await bulk(RoleGrant, grants)

    places: list[Registration] = []
    for i, pid in enumerate(person_ids):
        event_id, ended, _ = (old_events if i % 2 == 0 else new_events)[i // 2 % 20]
        made = ended - timedelta(days=30)
        places.append(
            Registration(
                event=event_id,
                person=pid,
                email_key=people[i].email,
                status="confirmed",
                amount=4500 if i % 4 == 0 else 0,
                created_at=made,
                updated_at=made,
                ticket_code=secrets.token_hex(8),
            )
        )
    place_ids = await bulk(Registration, places)
    ledger: list[LedgerEntry] = []
    for i, rid in enumerate(place_ids):
        if places[i].amount:
            charge = f"ch_bench_{i}"
            made = places[i].created_at
            common = {"currency": "USD", "registration": rid, "occurred_at": made}
            ledger.append(LedgerEntry(kind="charge", amount=4500, stripe_id=charge, **common))
            ledger.append(
                LedgerEntry(
                    kind="fee", amount=-160, stripe_id=f"txn_bench_{i}", stripe_charge_id=charge, **common
                )
            )
    await bulk(LedgerEntry, ledger)
    await bulk(
        OutboxMessage,
        [
            OutboxMessage(
                template="registration_confirmed",
                recipient=people[i].email,
                person=pid,
                context={"name": people[i].name, "event_title": "Grand Rounds"},
                status="sent",
                created_at=places[i].created_at,
                not_before=places[i].created_at,
                sent_at=places[i].created_at,
            )
            for i, pid in enumerate(person_ids)
        ],
    )
    await bulk(
        SignInSession,
        [
            SignInSession(
                person=pid,
                token_hash=secrets.token_hex(32),
                created_at=people[i].created_at,
                expires_at=people[i].created_at + timedelta(days=14),
            )
            for i, pid in enumerate(person_ids)
        ],
    )
    await bulk(
        AuditEntry,
        [
            AuditEntry(at=ago(2950), action="event.update", object_kind="event", object_id=str(events[0][0]))
            for _ in range(500)
        ],
    )
    if not is_sqlite():
        await engine().run_ddl("ANALYZE")


async def ledger_sum() -> int:
    rows = await LedgerEntry.select(LedgerEntry.amount)
    return sum(int(row["amount"]) for row in rows)


async def main(registrations: int) -> None:
    await migrate(quiet=True)
    db = engine()
    if isinstance(db, PostgresEngine):
        await db.start_connection_pool(min_size=1, max_size=2)  # as grandrounds retention does
    try:
        await measure(registrations)
    finally:
        if isinstance(db, PostgresEngine):
            await db.close_connection_pool()


async def measure(registrations: int) -> None:
    if await Person.count():
        raise SystemExit("the database holds people already: point DATABASE_URL at a scratch database")
    started = time.perf_counter()
    await seed(registrations)
    seeded = time.perf_counter() - started
    money = await ledger_sum()

    started = time.perf_counter()
    plan = await retention.plan()
    planning = time.perf_counter() - started
    started = time.perf_counter()
    result = await retention.apply(plan)
    applying = time.perf_counter() - started

    kind = "SQLite" if is_sqlite() else "PostgreSQL"
    print(f"{kind}: {registrations} registrations over 40 events (seeded in {seeded:.1f} s)")
    print(f"dry run (plan): {planning:.2f} s; run (apply): {applying:.2f} s")
    print(f"{'class':<14} {'planned':>8} {'done':>6} {'rows changed':>13}  by table")
    for share in plan.classes:
        name = share.retention.value
        changed = result.rows.get(name, {})
        tables = ", ".join(f"{table} {count}" for table, count in sorted(changed.items()))
        print(f"{name:<14} {share.count:>8} {result.done[name]:>6} {sum(changed.values()):>13}  {tables}")
    assert await ledger_sum() == money, "the ledger moved"
    assert (await retention.plan()).total == 0, "a second plan is not empty"
    print("ledger sum unchanged; a second plan is empty")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--registrations", type=int, default=2000)
    asyncio.run(main(parser.parse_args().registrations))
