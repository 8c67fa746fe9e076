"""Back up and restore the whole database, safely while the app keeps writing.

SQLite goes through Python's sqlite3 online backup API, copying every page in
one read transaction: in WAL mode readers never block writers, so the app
keeps serving and the copy is one consistent moment. PostgreSQL goes through
``pg_dump --format=custom``, which reads one snapshot as well. Either way the
file is written beside its final name and renamed into place only once it is
complete (and, for SQLite, checked), so a failed backup never leaves a torn
file where the last good one was.

A restore replaces everything in DATABASE_URL with the backup: schema,
rows, sequences, and the ledger's and audit trail's append-only triggers
with their purge tables. It refuses to replace a database that holds data
unless told to (``--force``), and it expects the app and its workers to be
stopped meanwhile.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import sqlite3
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit, urlunsplit

from grandrounds.server import errors
from grandrounds.settings import Settings, private_dir, private_file

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_CUSTOM_MAGIC = b"PGDMP"
# Piccolo's own bookkeeping: a database that holds only this was just migrated, not used.
BOOKKEEPING = frozenset({"migration"})


@dataclass(frozen=True, slots=True)
class Done:
    """What a backup or restore did, for the command to print."""

    path: Path
    engine: str
    size_bytes: int


def backup(settings: Settings, path: Path) -> Done:
    """Write a complete copy of the database to ``path`` (replacing a previous file there)."""
    path = path.resolve()
    path.parent.mkdir(parents=True, exist_ok=True)
    with _partial(path) as partial:
        if settings.is_sqlite:
            _sqlite_backup(settings.sqlite_path, partial)
        else:
            _pg_dump(settings.database_url, partial)
        os.replace(partial, path)
    return Done(path, "SQLite" if settings.is_sqlite else "PostgreSQL", path.stat().st_size)


def restore(settings: Settings, path: Path, *, force: bool = False) -> Done:
    """Replace the database in DATABASE_URL with the backup at ``path``."""
    path = path.resolve()
    if settings.is_sqlite:
        _require_magic(path, SQLITE_MAGIC, "a SQLite backup")
        _sqlite_restore(path, settings.sqlite_path, force=force)
        engine = "SQLite"
    else:
        _require_magic(path, PG_CUSTOM_MAGIC, "a PostgreSQL backup (pg_dump's custom format)")
        _pg_restore(settings.database_url, path, force=force)
        engine = "PostgreSQL"
    return Done(path, engine, path.stat().st_size)


@contextlib.contextmanager
def _partial(path: Path) -> Iterator[Path]:
    """A temporary name beside ``path`` (same file system, so the final rename is atomic)."""
    handle, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".partial", dir=path.parent)
    os.close(handle)
    partial = Path(name)
    try:
        yield partial
    finally:
        partial.unlink(missing_ok=True)


def _require_magic(path: Path, magic: bytes, expected: str) -> None:
    try:
        with path.open("rb") as handle:
            head = handle.read(len(magic))
    except OSError as exc:
        raise errors.file_invalid(str(path), expected) from exc
    if head != magic:
        raise errors.file_invalid(str(path), expected)


# SQLite


def _quoted(name: str) -> str:
    """A table name from the database's own catalogue, quoted as an identifier."""
    return '"' + name.replace('"', '""') + '"'


def _sqlite_backup(source: Path, target: Path) -> None:
    if not source.is_file():
        raise errors.database_missing(str(source))
    with (
        contextlib.closing(sqlite3.connect(source, timeout=30)) as src,
        contextlib.closing(sqlite3.connect(target)) as dst,
    ):
        # pages=-1: every page in one step, so one read transaction sees one moment of the database.
        src.backup(dst, pages=-1)
        # The copy inherits the app's WAL mode; a backup is one self-contained file, without -wal/-shm.
        dst.execute("PRAGMA journal_mode=DELETE")
        _check_sqlite(dst, target)


def _check_sqlite(connection: sqlite3.Connection, path: Path) -> None:
    verdict = connection.execute("PRAGMA quick_check").fetchone()[0]
    if verdict != "ok":
        raise errors.tool_failed("sqlite3 quick_check", f"{path}: {verdict}")


def _sqlite_restore(backup_file: Path, target: Path, *, force: bool) -> None:
    with contextlib.closing(sqlite3.connect(f"{backup_file.as_uri()}?mode=ro", uri=True)) as src:
        _check_sqlite(src, backup_file)
        # As the app makes it (grandrounds.db.build_engine): readable by this user only.
        private_dir(target.parent, tighten=False)
        private_file(target)
        with contextlib.closing(sqlite3.connect(target, timeout=30)) as dst:
            holding = _sqlite_tables_with_rows(dst)
            if holding and not force:
                raise errors.database_not_empty(holding)
            src.backup(dst, pages=-1)
            # The app's journal mode (grandrounds.db.migrate): readers never block the writer.
            dst.execute("PRAGMA journal_mode=WAL")


def _sqlite_tables_with_rows(connection: sqlite3.Connection) -> list[str]:
    names = [
        row[0]
        for row in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
        )
    ]
    return [
        name
        for name in names
        if name not in BOOKKEEPING
        and connection.execute(f"SELECT EXISTS (SELECT 1 FROM {_quoted(name)})").fetchone()[0]  # noqa: S608
    ]


# PostgreSQL


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise errors.tool_missing(name)
    return found


def _libpq(url: str) -> tuple[str, dict[str, str]]:
    """The URL without its password, and the environment that carries it (not visible in ``ps``)."""
    parts = urlsplit(url)
    env = dict(os.environ)
    if parts.password is not None:
        env["PGPASSWORD"] = unquote(parts.password)
        host = parts.hostname or ""
        if ":" in host:
            host = f"[{host}]"
        user = f"{parts.username}@" if parts.username else ""
        port = f":{parts.port}" if parts.port else ""
        url = urlunsplit((parts.scheme, f"{user}{host}{port}", parts.path, parts.query, parts.fragment))
    return url, env


def _run(command: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        raise errors.tool_failed(Path(command[0]).name, done.stderr or done.stdout)


def _pg_dump(url: str, target: Path) -> None:
    dsn, env = _libpq(url)
    # The custom format is compressed, and pg_restore can pick from it; one snapshot for every table.
    _run([_tool("pg_dump"), "--format=custom", "--no-password", f"--file={target}", f"--dbname={dsn}"], env)


def _pg_restore(url: str, backup_file: Path, *, force: bool) -> None:
    pg_restore = _tool("pg_restore")
    holding = asyncio.run(_pg_tables_with_rows(url))
    if holding and not force:
        raise errors.database_not_empty(holding)
    dsn, env = _libpq(url)
    _run(
        [
            pg_restore,
            # Replace what the backup holds, tolerating a database that never had it.
            "--clean",
            "--if-exists",
            # Owners and grants name roles of the machine that made the backup; the restorer owns it all.
            "--no-owner",
            "--no-privileges",
            # All or nothing: a failure halfway leaves the database as it was.
            "--single-transaction",
            "--exit-on-error",
            "--no-password",
            f"--dbname={dsn}",
            str(backup_file),
        ],
        env,
    )


async def _pg_tables_with_rows(url: str) -> list[str]:
    import asyncpg

    connection = await asyncpg.connect(dsn=url)
    try:
        names = [
            row["table_name"]
            for row in await connection.fetch(
                "SELECT table_name FROM information_schema.tables "
                "WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name"
            )
        ]
        holding = []
        for name in names:
            if name in BOOKKEEPING:
                continue
            if await connection.fetchval(f"SELECT EXISTS (SELECT 1 FROM {_quoted(name)})"):  # noqa: S608
                holding.append(name)
        return holding
    finally:
        await connection.close()
