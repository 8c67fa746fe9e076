"""Seeding for the benchmarks: thousands of people with API tokens in seconds, and published events.

People, role grants, tokens and earlier registrations go in with the
database's bulk path (COPY on PostgreSQL, one executemany on SQLite): a row at
a time through the ORM would take minutes for 50,000. The tokens are minted
the way accounts.services.credentials does (``grt_`` and 32 random bytes; the
table keeps only the SHA-256), so the app accepts them as any member's token.
Events are made through the scheduling service, as staff would make them.

Call :func:`harness.use_database` first: this module imports grandrounds.
"""

from __future__ import annotations

import hashlib
import secrets
import sqlite3
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
from piccolo.engine.sqlite import convert_datetime_in

from bench.harness import Database

TOKEN_PREFIX = "grt_"  # noqa: S105 - accounts.services.credentials.TOKEN_PREFIX, a public marker


class Bulk:
    """Many rows into one table per call, through the database's fast path."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.pg: asyncpg.Connection | None = None
        self.lite: sqlite3.Connection | None = None

    async def __aenter__(self) -> Bulk:
        if self.db.is_postgres:
            self.pg = await asyncpg.connect(self.db.url)
        else:
            self.lite = sqlite3.connect(self.db.url.removeprefix("sqlite:///"))
        return self

    async def __aexit__(self, *_: object) -> None:
        if self.pg is not None:
            await self.pg.execute("ANALYZE")  # a bulk load leaves the planner thinking the tables empty
            await self.pg.close()
        if self.lite is not None:
            self.lite.execute("ANALYZE")
            self.lite.commit()
            self.lite.close()

    async def insert(self, table: str, columns: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
        if self.pg is not None:
            await self.pg.copy_records_to_table(table, records=rows, columns=list(columns))
            return
        assert self.lite is not None
        lite_rows = [tuple(convert_datetime_in(v) if isinstance(v, datetime) else v for v in r) for r in rows]
        marks = ", ".join("?" for _ in columns)
        names = ", ".join(f'"{c}"' for c in columns)
        self.lite.executemany(f'INSERT INTO "{table}" ({names}) VALUES ({marks})', lite_rows)  # noqa: S608
        self.lite.commit()

    async def fetch(self, sql: str, *args: Any) -> list[tuple[Any, ...]]:
        if self.pg is not None:
            return [tuple(r) for r in await self.pg.fetch(sql, *args)]
        assert self.lite is not None
        return list(self.lite.execute(sql.replace("$1", "?"), args).fetchall())


def mint_token() -> tuple[str, str]:
    """A new API token and the digest the table keeps of it."""
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    return secret, hashlib.sha256(secret.encode()).hexdigest()


async def people(bulk: Bulk, tag: str, count: int, *, tokens: bool) -> tuple[list[int], list[str]]:
    """``count`` members (emails ``{tag}-{n}@bench.example.org``); their ids, and their tokens if asked."""
    stamp = datetime.now(UTC)
    emails = [f"{tag}-{n}@bench.example.org" for n in range(count)]
    # "!" is no argon2 hash: these people cannot sign in with a password, only with their token.
    await bulk.insert(
        "accounts_person",
        ("email", "name", "degree", "time_zone", "password_hash", "is_active", "created_at"),
        [(e, f"Bench {tag} {n}", "", "UTC", "!", True, stamp) for n, e in enumerate(emails)],
    )
    found = await bulk.fetch("SELECT id FROM accounts_person WHERE email LIKE $1 ORDER BY id", f"{tag}-%")
    ids = [int(r[0]) for r in found]
    assert len(ids) == count, (len(ids), count)
    await bulk.insert(
        "accounts_role_grant", ("person", "role", "granted_at"), [(pid, "member", stamp) for pid in ids]
    )
    if not tokens:
        return ids, []
    minted = [mint_token() for _ in ids]
    await bulk.insert(
        "accounts_api_token",
        ("person", "name", "prefix", "token_hash", "created_at"),
        [
            (pid, "bench", s[: len(TOKEN_PREFIX) + 6], h, stamp)
            for pid, (s, h) in zip(ids, minted, strict=True)
        ],
    )
    return ids, [s for s, _ in minted]


async def earlier_registrations(bulk: Bulk, event_ids: list[int], person_ids: list[int], tag: str) -> None:
    """Every person confirmed on every event, as if they had registered before the rush."""
    stamp = datetime.now(UTC) - timedelta(days=1)
    rows = [
        (event, pid, f"{tag}-{n}@bench.example.org", "confirmed", stamp, stamp, 0, "USD", "", "member",
         f"PF{event}X{n}")
        for event in event_ids
        for n, pid in enumerate(person_ids)
    ]  # fmt: skip
    columns = ("event", "person", "email_key", "status", "created_at", "updated_at", "amount", "currency",
               "party", "price_tier", "ticket_code")  # fmt: skip
    for start in range(0, len(rows), 100_000):
        await bulk.insert("events_registration", columns, rows[start : start + 100_000])


async def free_webinars(count: int, capacity: int, tag: str) -> list[int]:
    """``count`` published free webinars a week from now, made by an admin through the scheduling service."""
    from accounts.principal import Principal, Role
    from accounts.schemas import ProgramCreate, SignUp
    from accounts.services.people import create_person
    from accounts.services.programs import create_program
    from events.schemas import EventCreate
    from events.services import scheduling

    admin_id = await create_person(
        SignUp(
            email=f"admin-{tag}@bench.example.org",
            password="bench admin password",  # noqa: S106 - an account in a scratch database
            name="Bench admin",
        ),
        roles=(Role.ADMIN,),
    )
    admin = Principal(admin_id, f"admin-{tag}@bench.example.org", "Bench admin", frozenset({Role.ADMIN}),
                      via="token", credential_id=0)  # fmt: skip
    program = await create_program(ProgramCreate(slug=f"bench-{tag}", name=f"Bench {tag}", kind="conference"))
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(days=7)
    ids = []
    for n in range(count):
        made = await scheduling.create_event(
            admin,
            EventCreate(kind="webinar", title=f"Rush webinar {n}", time_zone="America/Chicago",
                        starts_at=start, ends_at=start + timedelta(hours=1), capacity=capacity,
                        program_id=program.id, join_url="https://meet.example.org/rush"),
        )  # fmt: skip
        await scheduling.publish_event(admin, made.id)
        ids.append(made.id)
    return ids
