"""The database engine and the few rules every service follows to write safely.

SQLite (the embedded default) and PostgreSQL behave differently under
concurrent writers: SQLite's default DEFERRED transactions fail at once with
"database is locked" when two writers meet, so on SQLite every write
transaction is BEGIN IMMEDIATE and writers of one process queue on an asyncio
lock. PostgreSQL takes row locks instead. Services call :func:`write_transaction`
and need not know which engine they run on.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import os
import sqlite3
import weakref
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from datetime import UTC, datetime

from piccolo.columns.combination import WhereRaw
from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine, PostgresTransaction
from piccolo.engine.sqlite import SQLiteEngine, TransactionType

from grandrounds import request_context
from grandrounds.settings import Settings, SettingsError, private_dir, private_file

_writer_locks: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = (
    weakref.WeakKeyDictionary()
)


def build_engine(settings: Settings) -> Engine:
    if settings.is_sqlite:
        path = settings.sqlite_path
        # The database holds everyone's data: only this user may read it (SQLite's journal
        # and WAL files take the database file's mode).
        private_dir(path.parent, tighten=path.parent.resolve() == settings.var_dir)
        private_file(path)
        # timeout: how long a connection waits for another process's write lock.
        return SQLiteEngine(path=str(path), timeout=30)
    if settings.database_url.startswith(("postgres://", "postgresql://")):
        config: dict[str, object] = {"dsn": settings.database_url}
        if settings.db_statement_timeout_ms:
            # Set by the server on every connection asyncpg opens (pooled or not), at connect time.
            config["server_settings"] = {"statement_timeout": str(settings.db_statement_timeout_ms)}
        return PostgresEngine(config=config)
    raise SettingsError("DATABASE_URL must start with sqlite:///, postgresql:// or postgres://.")


async def start_pool(settings: Settings, most: int | None = None) -> None:
    """PostgreSQL: open this process's pool (SQLite needs none); :func:`close_pool` closes it.

    An API process keeps ``GRANDROUNDS_DB_POOL_SIZE`` connections open; the
    worker and one-off commands pass ``most`` and open fewer, as needed, but
    never more than the setting (the operator sized it against the server's
    ``max_connections``).
    """
    db = engine()
    if isinstance(db, PostgresEngine):
        size = settings.db_pool_size if most is None else min(most, settings.db_pool_size)
        await db.start_connection_pool(min_size=size if most is None else 1, max_size=size)


async def close_pool() -> None:
    db = engine()
    if isinstance(db, PostgresEngine):
        await db.close_connection_pool()


@asynccontextmanager
async def connection_pool(settings: Settings, most: int | None = None) -> AsyncIterator[None]:
    """The block runs with this process's pool open (:func:`start_pool`)."""
    await start_pool(settings, most)
    try:
        yield
    finally:
        await close_pool()


def engine() -> Engine:
    """The engine piccolo_conf built (one per process)."""
    from piccolo_conf import DB

    return DB


def is_sqlite() -> bool:
    return isinstance(engine(), SQLiteEngine)


def now() -> datetime:
    """The current instant in UTC; the one clock services use."""
    return datetime.now(UTC)


def _writer_lock() -> asyncio.Lock:
    loop = asyncio.get_running_loop()
    lock = _writer_locks.get(loop)
    if lock is None:
        lock = asyncio.Lock()
        _writer_locks[loop] = lock
    return lock


@asynccontextmanager
async def write_transaction() -> AsyncIterator[None]:
    """One short write transaction; queries inside it join it through Piccolo's context.

    Nothing slow (email, HTTP to Stripe) belongs inside: the lock is held
    until commit.
    """
    db = engine()
    context = request_context.current()
    try:
        if isinstance(db, SQLiteEngine):
            async with _writer_lock(), db.transaction(transaction_type=TransactionType.immediate):
                yield
        else:
            assert isinstance(db, PostgresEngine)
            async with _postgres_transaction(db):
                yield
    except BaseException:
        if context is not None:
            context.rolled_back()
        raise
    if context is not None:
        # What the audit trail wrote inside now exists (grandrounds.request_context).
        context.committed()


@asynccontextmanager
async def _postgres_transaction(db: PostgresEngine) -> AsyncIterator[None]:
    """Piccolo's transaction, safe when the server drops the connection inside it.

    When PostgreSQL restarts mid-transaction, the ROLLBACK in Piccolo's exit
    fails too, and Piccolo then neither gives the connection back nor forgets
    that a transaction is open: every later query of the same task would join
    the dead one (the dispatcher's loop is one task for the life of a worker,
    so it would never recover). Here a transaction whose start or end fails is
    abandoned: its connection is closed (the pool replaces it) and the task
    forgets it, and the error that broke it is what the caller sees.
    """
    transaction = db.transaction()
    if db.current_transaction.get() is not None:
        async with transaction:  # joins the caller's transaction, which cleans up after itself
            yield
        return
    try:
        await transaction.__aenter__()
    except BaseException:
        _abandon(db, transaction)
        raise
    try:
        yield
    except BaseException as exc:
        try:
            await transaction.__aexit__(type(exc), exc, exc.__traceback__)
        except BaseException:
            _abandon(db, transaction)
        raise
    try:
        await transaction.__aexit__(None, None, None)
    except BaseException:
        _abandon(db, transaction)
        raise


def _abandon(db: PostgresEngine, transaction: PostgresTransaction) -> None:
    connection = getattr(transaction, "connection", None)
    if connection is not None:
        # asyncpg's pool frees the slot once its connection closes; one already closed was freed
        # then, and its proxy refuses every call.
        with contextlib.suppress(Exception):
            connection.terminate()
    context = getattr(transaction, "context", None)
    if context is not None and db.current_transaction.get() is transaction:
        db.current_transaction.reset(context)


def is_unique_violation(exc: BaseException) -> bool:
    """True for a unique-constraint failure on either engine (they raise different types)."""
    if isinstance(exc, sqlite3.IntegrityError):
        return "UNIQUE constraint failed" in str(exc)
    try:
        from asyncpg.exceptions import UniqueViolationError
    except ImportError:  # pragma: no cover - asyncpg is a dependency
        return False
    return isinstance(exc, UniqueViolationError)


class UniqueClash:
    """What a :func:`unique_violation` block met: false when it ran through, else the error."""

    __slots__ = ("error",)

    def __init__(self) -> None:
        self.error: Exception | None = None

    def __bool__(self) -> bool:
        return self.error is not None


@contextmanager
def unique_violation(becomes: Exception | None = None) -> Iterator[UniqueClash]:
    """Catch a unique-constraint failure inside the block; anything else passes through.

    A check before an insert cannot see a concurrent writer, so the unique
    index has the last word. With ``becomes`` the violation is raised as that
    error (the domain's "already exists"). Without it the block just ends and
    the clash it yields is true, so the caller can read the row that won the
    race (the transaction inside the block has rolled back by then)::

        with unique_violation(becomes=errors.duplicate()):
            async with write_transaction():
                ...
    """
    clash = UniqueClash()
    try:
        yield clash
    except Exception as exc:
        if not is_unique_violation(exc):
            raise
        if becomes is not None:
            raise becomes from exc
        clash.error = exc


async def ping() -> None:
    """Raise unless the database answers a query."""
    await engine().run_ddl("SELECT 1")


# The key of the PostgreSQL advisory lock that migrations hold ("grandrnd" as a number): one
# migrating process at a time per database, whatever else uses advisory locks there.
MIGRATION_LOCK_KEY = int.from_bytes(b"grandrnd", "big") >> 1


async def migrate(quiet: bool = False) -> None:
    """Run every app's pending migrations forward, then set SQLite's journal to WAL.

    Processes that start together (several API processes and workers after a
    deploy) would otherwise each see the same migrations pending and apply them
    twice: the whole run holds a database-wide lock, so the others wait and then
    find nothing left to do.
    """
    import io

    from piccolo.apps.migrations.commands.forwards import run_forwards

    sink = io.StringIO()
    async with _migration_lock():
        with contextlib.redirect_stdout(sink) if quiet else contextlib.nullcontext():
            result = await run_forwards(app_name="all", migration_id="all")
        if not result.success:
            raise RuntimeError(f"migrations failed: {result.message}\n{sink.getvalue()}")
        if is_sqlite():
            # WAL is a property of the file: readers no longer block the writer.
            await engine().run_ddl("PRAGMA journal_mode=WAL")


@asynccontextmanager
async def _migration_lock() -> AsyncIterator[None]:
    """PostgreSQL: a session advisory lock on a connection of its own; SQLite: flock on a file beside it.

    Either is released by the operating system or the server when the process
    dies, so a killed migration never leaves the next start waiting forever.
    """
    db = engine()
    if isinstance(db, PostgresEngine):
        connection = await db.get_new_connection()
        try:
            # Waiting for another process's migrations is not a slow statement.
            await connection.execute("SET statement_timeout = 0")
            await connection.execute("SELECT pg_advisory_lock($1)", MIGRATION_LOCK_KEY)
            try:
                yield
            finally:
                await connection.execute("SELECT pg_advisory_unlock($1)", MIGRATION_LOCK_KEY)
        finally:
            await connection.close()
        return
    assert isinstance(db, SQLiteEngine)
    lock_path = f"{db.path}.migrate-lock"
    descriptor = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        await asyncio.to_thread(fcntl.flock, descriptor, fcntl.LOCK_EX)
        yield
    finally:
        os.close(descriptor)  # closing the file releases the lock


def literal_like(term: str) -> str:
    """``term`` as the body of a LIKE pattern (with ESCAPE): a typed %, _ or backslash matches itself."""
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def contains_any(columns: tuple[str, ...], term: str) -> WhereRaw:
    """Any of ``columns`` (plain names of the queried table) contains ``term`` literally, ignoring case.

    The one text search every list uses: ``%``, ``_`` and backslashes typed by
    a person match themselves, and SQLite (whose LIKE already ignores ASCII
    case and has no ILIKE) and PostgreSQL get the operator each understands.
    """
    operator = "LIKE" if is_sqlite() else "ILIKE"
    pattern = f"%{literal_like(term)}%"
    sql = " OR ".join(f"{column} {operator} {{}} ESCAPE '\\'" for column in columns)
    return WhereRaw(f"({sql})", *([pattern] * len(columns)))
