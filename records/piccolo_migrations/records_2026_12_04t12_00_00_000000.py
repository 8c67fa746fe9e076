"""Data rights: erasure requests, one pending per person.

Written as raw SQL on both engines (like accounts' audit migration) because the
one-pending rule is a partial unique index, which SQLite will not take through
Piccolo's ALTER statements.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-04T12:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "records_erasure_request: data-rights erasure requests and their decisions"

COLUMNS = (
    '"person" INTEGER NOT NULL REFERENCES accounts_person (id), '
    "\"reason\" TEXT NOT NULL DEFAULT '', "
    '"requested_at" TIMESTAMPTZ NOT NULL DEFAULT current_timestamp, '
    "\"status\" VARCHAR(16) NOT NULL DEFAULT 'pending', "
    '"decided_by" INTEGER DEFAULT null REFERENCES accounts_person (id), '
    '"decided_at" TIMESTAMPTZ DEFAULT null, '
    "\"outcome\" JSON NOT NULL DEFAULT '{}'"
)
INDEXES = [
    "CREATE INDEX IF NOT EXISTS records_erasure_request_person ON records_erasure_request (person)",
    "CREATE UNIQUE INDEX IF NOT EXISTS records_erasure_request_one_pending "
    "ON records_erasure_request (person) WHERE status = 'pending'",
]
SQLITE = [
    f'CREATE TABLE IF NOT EXISTS "records_erasure_request" ("id" INTEGER PRIMARY KEY NOT NULL, {COLUMNS})',
    *INDEXES,
]
POSTGRES = [
    f'CREATE TABLE IF NOT EXISTS "records_erasure_request" ("id" SERIAL PRIMARY KEY NOT NULL, {COLUMNS})',
    *INDEXES,
]


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="records", description=DESCRIPTION)

    async def run() -> None:
        from piccolo.engine.postgres import PostgresEngine

        from grandrounds.db import engine

        db = engine()
        for statement in POSTGRES if isinstance(db, PostgresEngine) else SQLITE:
            await db.run_ddl(statement)

    manager.add_raw(run)
    return manager
