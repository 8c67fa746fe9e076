"""`grandrounds backup` while the app writes, and `grandrounds restore` into a fresh database.

A writer task keeps registering people, appending ledger rows and audit rows
through the services while the backup command runs as its own process. The
backup is restored into a new database (a new SQLite file, or a new
PostgreSQL database made and dropped here) and compared with the source table
by table: every table of the schema (every Piccolo table of every app, the
ledger's and audit trail's purge tables, Piccolo's migration record), every
restored row equal to the source row with the same id, and no row missing
below the newest one restored (one writer, so a consistent snapshot is a
prefix of what it wrote). The writer only inserts while the backup runs, so a
restored row has no later version to differ from, except a place's seat counters,
which each sign-up bumps: those are checked against the copy's own registrations.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import os
import sqlite3
import sys
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from piccolo.conf.apps import Finder

from accounts.audit import trail as audit
from accounts.principal import Principal, Role
from accounts.schemas import SignUp
from accounts.services.people import create_person
from billing.ledger import Movement, record
from events.registration_status import RegistrationStatus as Status
from events.services.registration.registering import cancel, register
from events.services.registration.seats import HOLDS_SEAT
from grandrounds.db import is_sqlite, now, write_transaction
from grandrounds.settings import get_settings
from tests.builders.databases import fresh_database, rows_of, schema_of
from tests.builders.events import make_event
from tests.builders.people import PASSWORD


async def grandrounds(
    *args: str, database_url: str | None = None, path: str | None = None
) -> tuple[int, str]:
    """Run the command as an operator would, without blocking the writer in this loop."""
    env = {**os.environ, "GRANDROUNDS_LOG_LEVEL": "warning"}
    if database_url is not None:
        env["DATABASE_URL"] = database_url
    if path is not None:
        env["PATH"] = path
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "grandrounds.server.cli", *args, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    output, _ = await asyncio.wait_for(process.communicate(), timeout=120)
    return int(process.returncode or 0), output.decode()


@dataclass
class Writer:
    """Registers people for one event, and appends a ledger row and an audit row per round."""

    event_id: int
    rounds: int = 0
    registrations: list[int] = field(default_factory=list)
    stop: asyncio.Event = field(default_factory=asyncio.Event)
    reached: dict[int, asyncio.Event] = field(default_factory=dict)

    def after(self, rounds: int) -> asyncio.Event:
        """Set once the writer has finished ``rounds`` rounds."""
        event = self.reached.setdefault(rounds, asyncio.Event())
        if self.rounds >= rounds:
            event.set()
        return event

    async def one_round(self) -> None:
        n = self.rounds + 1
        email = f"writer{n}@example.org"
        person_id = await create_person(
            SignUp(email=email, password=PASSWORD, name=f"Writer {n}"), roles=(Role.MEMBER,)
        )
        who = Principal(person_id, email, f"Writer {n}", frozenset({Role.MEMBER}), "token", 0)
        place = await register(who, self.event_id, payments_open=False)
        self.registrations.append(place.id)
        async with write_transaction():
            charge = Movement("charge", 1000 + n, "USD", f"ch_backup_{n}", now(), registration_id=place.id)
            await record([charge])
        async with write_transaction():
            await audit.record("person.view", "person", person_id, subject_id=person_id, details={"round": n})
        self.rounds = n
        for rounds, event in self.reached.items():
            if self.rounds >= rounds:
                event.set()

    async def run(self) -> None:
        while not self.stop.is_set():
            await self.one_round()


@contextlib.asynccontextmanager
async def writing(writer: Writer) -> AsyncIterator[asyncio.Task[None]]:
    task = asyncio.create_task(writer.run())
    try:
        yield task
    finally:
        writer.stop.set()
        await task


async def refusal(url: str, statement: str) -> str:
    """The error the restored database gives ``statement`` (which must fail)."""
    if url.startswith("sqlite:"):
        with contextlib.closing(sqlite3.connect(urlsplit(url).path[1:])) as connection:
            with pytest.raises(sqlite3.DatabaseError) as refused:
                connection.execute(statement)
            return str(refused.value)
    import asyncpg

    connection = await asyncpg.connect(dsn=url)
    try:
        with pytest.raises(asyncpg.PostgresError) as failed:
            await connection.execute(statement)
        return str(failed.value)
    finally:
        await connection.close()


async def append_audit_row(url: str) -> int:
    """A new audit row in the restored database: its id continues after the restored ones."""
    insert = (
        "INSERT INTO accounts_audit_entry (action, object_kind, object_id) "
        "VALUES ('person.view', 'person', '1')"
    )
    if url.startswith("sqlite:"):
        with contextlib.closing(sqlite3.connect(urlsplit(url).path[1:])) as connection:
            new_id = connection.execute(insert + " RETURNING id").fetchone()[0]
            connection.commit()
            return int(new_id)
    import asyncpg

    connection = await asyncpg.connect(dsn=url)
    try:
        return int(await connection.fetchval(insert + " RETURNING id"))
    finally:
        await connection.close()


# Counters a sign-up bumps on its place's row: the writer changes these rows while the backup runs.
PLACE_COUNTERS = {"events_event": ("seats_held", "waiting"), "events_session": ("seats_held", "waiting")}


def without_counters(table: str, row: dict[str, Any] | None) -> dict[str, Any] | None:
    if row is None or table not in PLACE_COUNTERS:
        return row
    return {k: v for k, v in row.items() if k not in PLACE_COUNTERS[table]}


def by_id(rows: list[dict[str, Any]]) -> dict[Any, dict[str, Any]]:
    return {row["id"]: row for row in rows}


def key_of(row: dict[str, Any]) -> tuple[Any, ...]:
    return tuple(sorted((k, repr(v)) for k, v in row.items()))


async def test_a_backup_taken_while_the_app_writes_restores_a_consistent_copy(
    client: httpx.AsyncClient, run_dir: Path
) -> None:
    event_id, _ = await make_event(client, capacity=12)
    writer = Writer(event_id)
    # Before the rush: some people leave again, so histories of two moves exist too.
    for _ in range(4):
        await writer.one_round()
    for registration_id in writer.registrations[:2]:
        person = await _principal_of(registration_id)
        await cancel(person, registration_id)

    backup_file = run_dir / f"backup-{uuid.uuid4().hex[:8]}.{'sqlite3' if is_sqlite() else 'pgdump'}"
    async with writing(writer) as task:
        await writer.after(12).wait()
        began = writer.rounds
        code, output = await grandrounds("backup", str(backup_file))
        ended = writer.rounds
        assert code == 0, output
        assert "backed up the" in output
        await writer.after(ended + 3).wait()
    assert task.done() and task.exception() is None
    assert ended > began, "the writer kept writing while the backup ran"

    async with fresh_database(run_dir) as target:
        code, output = await grandrounds("restore", str(backup_file), database_url=target)
        assert code == 0, output
        source, restored = await rows_of(get_settings().database_url), await rows_of(target)

        # Every table of every app is there, and the purge tables and Piccolo's record of migrations.
        piccolo_tables = {t._meta.tablename for t in Finder().get_table_classes()}
        assert piccolo_tables <= set(restored)
        assert {"billing_ledger_purge", "accounts_audit_purge", "migration"} <= set(restored)
        assert set(restored) == set(source)

        for table, rows in restored.items():
            if rows and "id" in rows[0]:
                theirs = by_id(source[table])
                for row in rows:
                    assert without_counters(table, theirs.get(row["id"])) == without_counters(table, row), (
                        f"{table} row {row['id']} differs from the source"
                    )
                newest = max(row["id"] for row in rows)
                missing = sorted(i for i in theirs if i <= newest and i not in {r["id"] for r in rows})
                assert missing == [], f"{table} lost rows {missing} below {newest}"
            else:
                assert {key_of(r) for r in rows} <= {key_of(r) for r in source[table]}, table
        assert restored["billing_ledger_purge"] == restored["accounts_audit_purge"] == []

        # A place's seat counters move with every sign-up, so they are checked against the copy's
        # own registrations: the snapshot holds the counters of the same moment as its rows.
        for event in restored["events_event"]:
            signups = restored["events_registration"]
            mine = [r for r in signups if r["event"] == event["id"] and r["session"] is None]
            assert event["seats_held"] == sum(r["status"] in HOLDS_SEAT for r in mine), event["id"]
            assert event["waiting"] == sum(r["status"] == Status.WAITLISTED for r in mine), event["id"]

        # The copy is of one moment during the rush: more than before it, less than after.
        copied = len(restored["events_registration"])
        assert 12 <= copied < len(source["events_registration"]) == writer.rounds
        # Each round writes a registration, then its ledger row, then an audit row, in three
        # transactions: one moment of the database has them in that order, at most one round apart.
        ledger = len(restored["billing_ledger_entry"])
        audited = len([r for r in restored["accounts_audit_entry"] if r["action"] == "person.view"])
        assert copied - 1 <= audited <= ledger <= copied, (copied, ledger, audited)
        registrations = {r["id"] for r in restored["events_registration"]}
        assert all(r["registration"] in registrations for r in restored["billing_ledger_entry"])

        # Histories are whole: each registration's last move is its status, and each has its email.
        moves: dict[int, list[dict[str, Any]]] = {}
        for change in sorted(restored["events_registration_change"], key=lambda c: c["id"]):
            moves.setdefault(change["registration"], []).append(change)
        for registration in restored["events_registration"]:
            history = moves[registration["id"]]
            assert history[0]["from_status"] == "" and history[-1]["to_status"] == registration["status"]
            assert all(a["to_status"] == b["from_status"] for a, b in itertools.pairwise(history))
        assert sum(len(h) > 1 for h in moves.values()) >= 2
        mailed = {m["recipient"] for m in restored["notifications_outbox"]}
        people = by_id(restored["accounts_person"])
        assert all(people[r["person"]]["email"] in mailed for r in restored["events_registration"])

        # Same indexes, triggers and functions; the append-only rules still refuse changes.
        assert await schema_of(target) == await schema_of(get_settings().database_url)
        for table in ("billing_ledger_entry", "accounts_audit_entry"):
            assert "append-only" in await refusal(target, f"UPDATE {table} SET id = id")  # noqa: S608
            assert "append-only" in await refusal(target, f"DELETE FROM {table}")  # noqa: S608
        newest_audit = max(r["id"] for r in restored["accounts_audit_entry"])
        assert await append_audit_row(target) > newest_audit

        # The restored database is at the code's migrations already.
        code, output = await grandrounds("migrate", database_url=target)
        assert code == 0 and "up to date" in output, output


async def _principal_of(registration_id: int) -> Principal:
    from accounts.tables import Person
    from events.tables import Registration

    reg = await Registration.select(Registration.person).where(Registration.id == registration_id).first()
    assert reg is not None
    person = await Person.select().where(Person.id == reg["person"]).first()
    assert person is not None
    return Principal(person["id"], person["email"], person["name"], frozenset({Role.MEMBER}), "token", 0)


async def test_restore_refuses_a_database_that_holds_data_unless_forced(
    client: httpx.AsyncClient, run_dir: Path
) -> None:
    event_id, _ = await make_event(client, capacity=5)
    writer = Writer(event_id)
    await writer.one_round()
    backup_file = run_dir / f"backup-{uuid.uuid4().hex[:8]}"
    code, output = await grandrounds("backup", str(backup_file))
    assert code == 0, output

    async with fresh_database(run_dir) as target:
        assert (await grandrounds("restore", str(backup_file), database_url=target))[0] == 0
        backed_up = len((await rows_of(target))["accounts_audit_entry"])
        await append_audit_row(target)
        code, output = await grandrounds("restore", str(backup_file), database_url=target)
        assert code == 2 and "restore.database_not_empty" in output and "--force" in output, output
        assert len((await rows_of(target))["accounts_audit_entry"]) == backed_up + 1  # untouched

        code, output = await grandrounds("restore", "--force", str(backup_file), database_url=target)
        assert code == 0, output
        assert len((await rows_of(target))["accounts_audit_entry"]) == backed_up  # the backup's, only


async def test_backup_and_restore_say_what_is_wrong_with_a_stable_code(run_dir: Path, tmp_path: Path) -> None:
    code, output = await grandrounds("restore", "/etc/hostname")
    assert code == 2 and "backup.file_invalid" in output, output
    if is_sqlite():
        missing = f"sqlite:///{tmp_path / 'nothing-here.sqlite3'}"
        code, output = await grandrounds("backup", str(tmp_path / "b"), database_url=missing)
        assert code == 2 and "backup.database_missing" in output, output
        assert not (tmp_path / "nothing-here.sqlite3").exists()
    else:
        # A machine without PostgreSQL's client tools: the command names what to install.
        code, output = await grandrounds("backup", str(tmp_path / "b"), path=str(tmp_path))
        assert code == 2 and "backup.tool_missing" in output and "pg_dump" in output, output
    assert not any(tmp_path.iterdir()), "a failed backup leaves no file behind"  # noqa: ASYNC240
