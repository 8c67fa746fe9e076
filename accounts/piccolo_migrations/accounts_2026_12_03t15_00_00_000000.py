"""Two-factor sign-in: authenticators, recovery codes, and sign-ins waiting for their second factor."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-03T15:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "accounts_two_factor, accounts_recovery_code, accounts_sign_in_challenge"

PERSON = 'INTEGER NOT NULL REFERENCES "accounts_person" ("id") ON DELETE CASCADE ON UPDATE CASCADE'


def _statements(serial: str) -> list[str]:
    return [
        f'CREATE TABLE IF NOT EXISTS "accounts_two_factor" ("id" {serial}, "person" INTEGER UNIQUE NOT NULL '
        'REFERENCES "accounts_person" ("id") ON DELETE CASCADE ON UPDATE CASCADE, '
        "\"secret_sealed\" TEXT NOT NULL DEFAULT '', \"confirmed_at\" TIMESTAMPTZ DEFAULT null, "
        '"last_step" INTEGER NOT NULL DEFAULT 0, "created_at" TIMESTAMPTZ NOT NULL DEFAULT current_timestamp)',
        f'CREATE TABLE IF NOT EXISTS "accounts_recovery_code" ("id" {serial}, "person" {PERSON}, '
        "\"code_hash\" VARCHAR(64) NOT NULL DEFAULT '', \"used_at\" TIMESTAMPTZ DEFAULT null)",
        'CREATE INDEX IF NOT EXISTS accounts_recovery_code_person ON "accounts_recovery_code" ("person")',
        f'CREATE TABLE IF NOT EXISTS "accounts_sign_in_challenge" ("id" {serial}, "person" {PERSON}, '
        "\"token_hash\" VARCHAR(64) UNIQUE NOT NULL DEFAULT '', "
        '"expires_at" TIMESTAMPTZ NOT NULL DEFAULT current_timestamp, "attempts" INTEGER NOT NULL DEFAULT 0)',
    ]


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="accounts", description=DESCRIPTION)

    async def run() -> None:
        from piccolo.engine.postgres import PostgresEngine

        from grandrounds.db import engine

        db = engine()
        serial = "SERIAL PRIMARY KEY NOT NULL" if isinstance(db, PostgresEngine) else "INTEGER PRIMARY KEY NOT NULL"
        for statement in _statements(serial):
            await db.run_ddl(statement)

    manager.add_raw(run)
    return manager
