"""The chore lease moves to notifications (notifications_chore_lease): one scheduler, one table.

The retention run's lease row is copied over (so a run done today is not done again), then
records_chore_lease is dropped through Piccolo, so its record of this app's tables agrees.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-05T09:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "records_chore_lease moved to notifications_chore_lease"

STATEMENTS = [
    # The same statement as notifications' migration of this day: whichever app runs first makes it.
    'CREATE TABLE IF NOT EXISTS "notifications_chore_lease" ('
    '"name" VARCHAR(64) PRIMARY KEY NOT NULL, '
    "\"holder\" VARCHAR(64) NOT NULL DEFAULT '', "
    '"until" TIMESTAMPTZ NOT NULL DEFAULT current_timestamp)',
    # WHERE true: SQLite needs it to read ON CONFLICT after INSERT ... SELECT.
    'INSERT INTO "notifications_chore_lease" ("name", "holder", "until") '
    'SELECT "name", "holder", "until" FROM "records_chore_lease" WHERE true ON CONFLICT DO NOTHING',
]


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="records", description=DESCRIPTION)

    async def run() -> None:
        from grandrounds.db import engine

        for statement in STATEMENTS:
            await engine().run_ddl(statement)

    manager.add_raw(run)
    manager.drop_table(class_name="ChoreLease", tablename="records_chore_lease")
    return manager
