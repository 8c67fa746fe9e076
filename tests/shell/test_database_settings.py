"""GRANDROUNDS_DB_POOL_SIZE and GRANDROUNDS_DB_STATEMENT_TIMEOUT_MS take effect on PostgreSQL.

The pool is sized against the server's ``max_connections`` by the operator, so
no process may open more than the setting; the statement timeout is the
server's own ``statement_timeout`` on every connection we open, so a runaway
query is cancelled by PostgreSQL rather than holding a connection.
"""

from __future__ import annotations

from dataclasses import replace

import pytest
from asgi_lifespan import LifespanManager
from asyncpg.exceptions import QueryCanceledError
from piccolo.engine.postgres import PostgresEngine

from grandrounds.db import build_engine, connection_pool, engine, is_sqlite
from grandrounds.server.app import create_app
from grandrounds.settings import get_settings

pytestmark = pytest.mark.skipif(is_sqlite(), reason="pool and statement timeout are PostgreSQL's")


def pool_bounds() -> tuple[int, int]:
    db = engine()
    assert isinstance(db, PostgresEngine) and db.pool is not None
    return db.pool.get_min_size(), db.pool.get_max_size()


async def test_the_api_process_keeps_the_configured_pool() -> None:
    app = create_app(replace(get_settings(), db_pool_size=3))
    async with LifespanManager(app):
        assert pool_bounds() == (3, 3)
    assert engine().pool is None  # closed with the app


async def test_the_worker_and_commands_never_exceed_the_setting() -> None:
    async with connection_pool(replace(get_settings(), db_pool_size=2), most=4):
        assert pool_bounds() == (1, 2)
    async with connection_pool(replace(get_settings(), db_pool_size=20), most=4):
        assert pool_bounds() == (1, 4)


async def test_the_statement_timeout_is_set_on_every_connection_and_cancels_a_slow_statement() -> None:
    db = build_engine(replace(get_settings(), db_statement_timeout_ms=150))
    assert isinstance(db, PostgresEngine)
    connection = await db.get_new_connection()
    try:
        assert await connection.fetchval("SHOW statement_timeout") == "150ms"
    finally:
        await connection.close()
    await db.start_connection_pool(min_size=1, max_size=1)
    try:
        assert (await db.run_ddl("SHOW statement_timeout"))[0]["statement_timeout"] == "150ms"
        with pytest.raises(QueryCanceledError):
            await db.run_ddl("SELECT pg_sleep(5)")
        assert (await db.run_ddl("SELECT 1 AS one"))[0]["one"] == 1  # the pool lives on
    finally:
        await db.close_connection_pool()


async def test_without_a_timeout_the_server_default_stands() -> None:
    db = build_engine(replace(get_settings(), db_statement_timeout_ms=0))
    assert isinstance(db, PostgresEngine) and "server_settings" not in db.config
    connection = await db.get_new_connection()
    try:
        assert await connection.fetchval("SHOW statement_timeout") == "0"
    finally:
        await connection.close()
