"""Whole databases, on either engine, for tests that compare or make them: every row and the schema.

Used by the backup and restore tests and the migration-lock test: a fresh empty
database of the suite's engine (a new SQLite file, or a PostgreSQL database made
and dropped here), and a table-by-table reading of any database's rows and schema.
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from grandrounds.db import is_sqlite
from grandrounds.settings import get_settings

Rows = dict[str, list[dict[str, Any]]]


def sqlite_rows(path: Path) -> Rows:
    with contextlib.closing(sqlite3.connect(path)) as connection:
        connection.row_factory = sqlite3.Row
        names = [
            r[0]
            for r in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        return {name: [dict(r) for r in connection.execute(f'SELECT * FROM "{name}"')] for name in names}  # noqa: S608


def sqlite_schema(path: Path) -> set[tuple[str, str, str]]:
    """Tables, indexes and triggers, with the SQL that made them."""
    with contextlib.closing(sqlite3.connect(path)) as connection:
        return {
            (kind, name, sql or "")
            for kind, name, sql in connection.execute("SELECT type, name, sql FROM sqlite_master")
        }


async def pg_rows(url: str) -> Rows:
    import asyncpg

    connection = await asyncpg.connect(dsn=url)
    try:
        names = [
            r["table_name"]
            for r in await connection.fetch(
                "SELECT table_name FROM information_schema.tables "
                "WHERE table_schema = 'public' AND table_type = 'BASE TABLE'"
            )
        ]
        return {name: [dict(r) for r in await connection.fetch(f'SELECT * FROM "{name}"')] for name in names}  # noqa: S608
    finally:
        await connection.close()


PG_SCHEMA = [
    "SELECT 'index', indexname, indexdef FROM pg_indexes WHERE schemaname = 'public'",
    "SELECT 'trigger', tgname, pg_get_triggerdef(oid) FROM pg_trigger WHERE NOT tgisinternal",
    "SELECT 'function', proname, pg_get_functiondef(p.oid) FROM pg_proc p "
    "JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'public'",
    "SELECT 'sequence', sequencename, '' FROM pg_sequences WHERE schemaname = 'public'",
    "SELECT 'column', table_name || '.' || column_name, data_type || ' ' || coalesce(column_default, '') "
    "FROM information_schema.columns WHERE table_schema = 'public'",
]


def same_meaning(definition: str) -> str:
    """An index definition without casts, brackets and spaces.

    PostgreSQL prints ``status IN ('a', 'b')`` on a varchar column as
    ``ANY ((ARRAY['a'::character varying, ...])::text[])``, and the restored
    index, made from that text, prints as ``ANY (ARRAY[('a'::character varying)::text, ...])``:
    the same condition, spelled twice.
    """
    for noise in ("::character varying", "::text[]", "::text", "(", ")", " "):
        definition = definition.replace(noise, "")
    return definition


async def pg_schema(url: str) -> set[tuple[str, str, str]]:
    import asyncpg

    connection = await asyncpg.connect(dsn=url)
    try:
        return {
            (kind, name, same_meaning(text) if kind == "index" else text)
            for query in PG_SCHEMA
            for kind, name, text in await connection.fetch(query)
        }
    finally:
        await connection.close()


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, parts.fragment))


@contextlib.asynccontextmanager
async def fresh_database(run_dir: Path) -> AsyncIterator[str]:
    """An empty database of the suite's engine, removed afterwards: its DATABASE_URL."""
    if is_sqlite():
        path = run_dir / f"restored-{uuid.uuid4().hex[:8]}.sqlite3"
        try:
            yield f"sqlite:///{path}"
        finally:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)  # noqa: ASYNC240 - a few local files
        return
    import asyncpg

    source = get_settings().database_url
    name = f"{urlsplit(source).path.lstrip('/')}_restored_{uuid.uuid4().hex[:8]}"
    connection = await asyncpg.connect(dsn=source)
    try:
        await connection.execute(f'CREATE DATABASE "{name}"')
        try:
            yield with_database(source, name)
        finally:
            await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await connection.close()


async def rows_of(url: str) -> Rows:
    if url.startswith("sqlite:"):
        return await asyncio.to_thread(sqlite_rows, Path(urlsplit(url).path[1:]))
    return await pg_rows(url)


async def schema_of(url: str) -> set[tuple[str, str, str]]:
    if url.startswith("sqlite:"):
        return await asyncio.to_thread(sqlite_schema, Path(urlsplit(url).path[1:]))
    return await pg_schema(url)
