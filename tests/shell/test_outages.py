"""A database that cannot be reached is a 503 with Retry-After, on the API and on pages, never a 500.

Each error here is what asyncpg, the socket layer or sqlite3 raise while
PostgreSQL restarts, a connection is cut, or SQLite stays locked past its
timeout. A real restart of a private PostgreSQL under load is in
tests/shell/test_faults.py.
"""

from __future__ import annotations

import asyncio
import errno
import sqlite3
from typing import Any

import httpx
import pytest
from asyncpg import exceptions as pg

import grandrounds.web.auth
from accounts.tables import Person
from events.services import scheduling
from grandrounds.db import engine, is_sqlite, write_transaction

OUTAGES = {
    "connection cut": pg.ConnectionDoesNotExistError("connection was closed in the middle of operation"),
    "server starting": pg.CannotConnectNowError("the database system is starting up"),
    "server stopping": pg.AdminShutdownError("terminating connection due to administrator command"),
    "too many clients": pg.TooManyConnectionsError("sorry, too many clients already"),
    "pool connection closed": pg.InterfaceError("connection is closed"),
    "refused": ConnectionRefusedError(errno.ECONNREFUSED, "Connect call failed ('127.0.0.1', 5432)"),
    "refused on every address": OSError(
        "Multiple exceptions: [Errno 111] Connect call failed ('::1', 5432, 0, 0), "
        "[Errno 111] Connect call failed ('127.0.0.1', 5432)"
    ),
    "connect timeout": TimeoutError(),
    "sqlite locked": sqlite3.OperationalError("database is locked"),
}

NOT_OUTAGES = {
    "missing table": sqlite3.OperationalError("no such table: nothing_here"),
    "missing file": FileNotFoundError(errno.ENOENT, "No such file or directory", "report.pdf"),
    "misused connection": pg.InterfaceError("cannot perform operation: another operation is in progress"),
    "plain bug": KeyError("status"),
}


def away(error: BaseException) -> Any:
    async def fail(*args: Any, **kwargs: Any) -> Any:
        raise error

    return fail


@pytest.mark.parametrize("error", OUTAGES.values(), ids=OUTAGES.keys())
async def test_an_outage_answers_503_with_retry_after(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch, error: BaseException
) -> None:
    monkeypatch.setattr(scheduling, "list_published", away(error))
    api = await client.get("/api/v1/events")
    assert api.status_code == 503
    assert api.headers["retry-after"] == "5"
    assert api.json() == {
        "code": "service.unavailable",
        "message": "The service cannot reach its database just now; nothing was changed. Try again shortly.",
        "details": {"retry_after": 5},
    }
    page = await client.get("/events")
    assert page.status_code == 503 and page.headers["retry-after"] == "5"
    assert page.headers["content-type"].startswith("text/html")
    assert "service.unavailable" in page.text


async def test_an_outage_while_the_caller_is_looked_up_is_a_503_too(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    error = pg.ConnectionDoesNotExistError("connection was closed in the middle of operation")
    monkeypatch.setattr(grandrounds.web.auth, "principal_from_token", away(error))
    response = await client.get("/api/v1/me", headers={"Authorization": "Bearer grt_anything"})
    assert response.status_code == 503 and response.headers["retry-after"] == "5"
    assert response.json()["code"] == "service.unavailable"


async def test_an_outage_raised_from_another_error_is_still_an_outage(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    try:
        raise pg.CannotConnectNowError("the database system is shutting down")
    except pg.CannotConnectNowError as cause:
        wrapped = RuntimeError("could not load the catalogue")
        wrapped.__cause__ = cause
    monkeypatch.setattr(scheduling, "list_published", away(wrapped))
    assert (await client.get("/api/v1/events")).status_code == 503


@pytest.mark.parametrize("error", NOT_OUTAGES.values(), ids=NOT_OUTAGES.keys())
async def test_other_failures_stay_500(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch, error: BaseException
) -> None:
    monkeypatch.setattr(scheduling, "list_published", away(error))
    response = await client.get("/api/v1/events")
    assert response.status_code == 500 and "retry-after" not in response.headers
    assert response.json()["code"] == "internal"


@pytest.mark.skipif(is_sqlite(), reason="a PostgreSQL connection that the server ends")
async def test_a_transaction_whose_connection_dies_leaves_the_task_and_the_pool_clean(
    client: httpx.AsyncClient,
) -> None:
    """The server ends the connection inside a write transaction (as a restart does): the ROLLBACK
    fails too, yet the task forgets the transaction and the pool gets its slot back, more times
    over than the pool has connections."""
    db = engine()
    for _ in range(12):
        with pytest.raises(pg.PostgresError):
            async with write_transaction():
                await db.run_ddl("SELECT pg_terminate_backend(pg_backend_pid())")
        assert db.current_transaction.get() is None
    async with asyncio.timeout(20):
        async with write_transaction():
            assert await Person.count() == 0
        assert (await client.get("/api/v1/events")).status_code == 200
