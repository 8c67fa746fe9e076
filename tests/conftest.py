"""Shared fixtures: a real database (SQLite temp file, or PostgreSQL by DATABASE_URL), the app, people.

The environment is fixed before any project module is imported, because
piccolo_conf builds the engine once at import.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
from collections.abc import AsyncIterator, Iterator
from dataclasses import replace
from pathlib import Path

import pytest

_RUN_DIR = Path(tempfile.mkdtemp(prefix="grandrounds-tests-"))
os.environ.setdefault("GRANDROUNDS_VAR_DIR", str(_RUN_DIR / "var"))
os.environ.setdefault("DATABASE_URL", f"sqlite:///{_RUN_DIR / 'test.sqlite3'}")
os.environ["GRANDROUNDS_PASSWORD_HASH_PROFILE"] = "cheap"
os.environ["GRANDROUNDS_DISPATCHER_IN_SERVER"] = "0"
# Test staff sign in with a password alone; tests/accounts/test_two_factor.py turns the rule on.
os.environ["GRANDROUNDS_REQUIRE_2FA_FOR_STAFF"] = "0"
os.environ.pop("GRANDROUNDS_SECRET_KEY", None)
# One machine: every process of a run shares its var/ and so its generated key, on PostgreSQL too
# (which otherwise refuses to start without GRANDROUNDS_SECRET_KEY).
os.environ["GRANDROUNDS_ENV"] = "development"

import httpx  # noqa: E402
from asgi_lifespan import LifespanManager  # noqa: E402
from hypothesis import HealthCheck  # noqa: E402
from hypothesis import settings as hypothesis_settings  # noqa: E402
from litestar import Litestar  # noqa: E402
from piccolo.engine.postgres import PostgresEngine  # noqa: E402

from grandrounds.db import engine, migrate  # noqa: E402
from grandrounds.server.app import create_app  # noqa: E402
from grandrounds.settings import get_settings  # noqa: E402
from grandrounds.web.request_context import AUDIT_MISSES  # noqa: E402
from tests.builders.mail import smtp_server  # noqa: E402
from tests.builders.people import make_actor  # noqa: E402
from tests.builders.storage import file_store, s3_endpoint  # noqa: E402

# Property tests explore the same examples on every run (a red CI is reproducible) and never fail
# because the machine is busy: generation speed and per-example time are not what they test.
hypothesis_settings.register_profile(
    "grandrounds", derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
hypothesis_settings.load_profile("grandrounds")


def pytest_report_header() -> str:
    url = os.environ["DATABASE_URL"]
    kind = "PostgreSQL" if url.startswith("postgres") else "SQLite"
    return f"grandrounds database: {kind} ({url.split('@')[-1]})"


@pytest.fixture(scope="session", autouse=True)
def _migrated() -> None:
    asyncio.run(migrate(quiet=True))


def _all_tables() -> list[str]:
    from piccolo.conf.apps import Finder
    from piccolo.table import sort_table_classes

    # Children before parents, so deletes never trip a foreign key.
    ordered = sort_table_classes(Finder().get_table_classes())
    return [table._meta.tablename for table in reversed(ordered)]


@pytest.fixture(autouse=True)
async def clean_db(_migrated: None) -> AsyncIterator[None]:
    """Every test starts from empty tables (the schema stays)."""
    db = engine()
    tables = _all_tables()
    # Table names come from our own Piccolo tables, never from input.
    script = "".join(f"DELETE FROM {name};" for name in tables)  # noqa: S608
    # The ledger's triggers refuse DELETE unless a purge is declared (billing's append-only migration).
    # So do the audit trail's (accounts' audit migration).
    purge = (
        "INSERT INTO billing_ledger_purge (reason) VALUES ('test cleanup');"
        "INSERT INTO accounts_audit_purge (reason) VALUES ('test cleanup');"
    )
    script = purge + script + "DELETE FROM billing_ledger_purge;DELETE FROM accounts_audit_purge;"  # noqa: S608
    if isinstance(db, PostgresEngine):
        # DELETE beats TRUNCATE on tables this small (TRUNCATE rewrites every file).
        connection = await db.get_new_connection()
        try:
            await connection.execute(script)
        finally:
            await connection.close()
    else:
        # One connection and one script: Piccolo would open a connection per statement.
        path = str(get_settings().sqlite_path)
        await asyncio.to_thread(_run_sqlite_script, path, script)
    AUDIT_MISSES.clear()
    yield
    # A staff, finance or admin route that changed something without its one audit row
    # (grandrounds.web.request_context) fails the test that exercised it.
    misses = list(AUDIT_MISSES)
    AUDIT_MISSES.clear()
    assert not misses, f"audit trail misses: {misses}"


def _run_sqlite_script(path: str, script: str) -> None:
    import sqlite3

    with sqlite3.connect(path, timeout=30) as connection:
        connection.executescript(script)


_shared_app: Litestar | None = None
# The shared app counts as able to take payments, so events' tests can hold paid places; its Stripe
# address is a closed loopback port, so nothing leaves the machine. Billing's tests bring the local
# Stripe-shaped server; tests of a site without keys build their own app
# (tests/events/test_payments_unconfigured.py).
PAYMENTS_OFFLINE = replace(
    get_settings(), stripe_secret_key="sk_test_offline", stripe_api_base="http://127.0.0.1:9"
)


@pytest.fixture
def app() -> Litestar:
    """One app for the run: building it (routes, OpenAPI) costs more than most tests.

    Its lifespan still runs per test (see ``client``), so each test gets a fresh
    database pool in its own event loop; the app holds no other state.
    """
    global _shared_app
    if _shared_app is None:
        _shared_app = create_app(PAYMENTS_OFFLINE)
    return _shared_app


@pytest.fixture
async def client(app: Litestar) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client wired straight to the app, in the test's own event loop.

    The app's lifespan (which opens the PostgreSQL pool) runs in this same
    loop, so services called directly by a test share the pool safely.
    """
    async with LifespanManager(app):
        # The app itself, not manager.app: that one shares one "state" dict
        # across requests, and Litestar keeps per-request flags there.
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver.local") as test_client:
            yield test_client


@pytest.fixture
def actor_factory():  # type: ignore[no-untyped-def]
    return make_actor


@pytest.fixture
def run_dir() -> Iterator[Path]:
    yield _RUN_DIR


# A real SMTP server on loopback, for any package's tests (tests/builders/mail.py); each file store in
# turn, S3 through moto's server on loopback (tests/builders/storage.py).
__all__ = ["file_store", "s3_endpoint", "smtp_server"]
