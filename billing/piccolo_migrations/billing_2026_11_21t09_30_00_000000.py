"""The ledger is append-only in the database itself: triggers refuse UPDATE and DELETE of its rows.

The application only ever inserts ledger rows (billing.ledger), but
a finance record should not depend on every future code path, script or
console session remembering that. On both engines a trigger aborts any
UPDATE or DELETE of ``billing_ledger_entry`` (PostgreSQL also refuses
TRUNCATE).

One deliberate exception: DELETE is let through while the one-row table
``billing_ledger_purge`` holds a row. Wiping a whole database (the test
suite empties every table before each test) inserts a row, deletes, and
removes the row again, in one script. Nothing in the application writes to
that table; anyone who can write to it can also drop a trigger, so it hides
no power, and it keeps the purge explicit. UPDATE has no exception at all.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-11-21T09:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "append-only ledger triggers"

PURGE_TABLE = (
    "CREATE TABLE IF NOT EXISTS billing_ledger_purge (reason VARCHAR(200) NOT NULL, started_at TIMESTAMP)"
)

SQLITE = [
    PURGE_TABLE,
    "CREATE TRIGGER IF NOT EXISTS billing_ledger_entry_no_update BEFORE UPDATE ON billing_ledger_entry "
    "BEGIN SELECT RAISE(ABORT, 'billing_ledger_entry is append-only: UPDATE refused'); END",
    "CREATE TRIGGER IF NOT EXISTS billing_ledger_entry_no_delete BEFORE DELETE ON billing_ledger_entry "
    "WHEN NOT EXISTS (SELECT 1 FROM billing_ledger_purge) "
    "BEGIN SELECT RAISE(ABORT, 'billing_ledger_entry is append-only: DELETE refused'); END",
]

POSTGRES = [
    PURGE_TABLE,
    """
    CREATE OR REPLACE FUNCTION billing_ledger_entry_append_only() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP IN ('DELETE', 'TRUNCATE') AND EXISTS (SELECT 1 FROM billing_ledger_purge) THEN
            RETURN OLD;
        END IF;
        RAISE EXCEPTION 'billing_ledger_entry is append-only: % refused', TG_OP
            USING ERRCODE = 'restrict_violation';
    END
    $$
    """,
    "DROP TRIGGER IF EXISTS billing_ledger_entry_append_only ON billing_ledger_entry",
    "CREATE TRIGGER billing_ledger_entry_append_only BEFORE UPDATE OR DELETE ON billing_ledger_entry "
    "FOR EACH ROW EXECUTE FUNCTION billing_ledger_entry_append_only()",
    "DROP TRIGGER IF EXISTS billing_ledger_entry_no_truncate ON billing_ledger_entry",
    "CREATE TRIGGER billing_ledger_entry_no_truncate BEFORE TRUNCATE ON billing_ledger_entry "
    "FOR EACH STATEMENT EXECUTE FUNCTION billing_ledger_entry_append_only()",
]


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="billing", description=DESCRIPTION)

    async def run() -> None:
        from piccolo.engine.postgres import PostgresEngine

        from grandrounds.db import engine

        db = engine()
        for statement in POSTGRES if isinstance(db, PostgresEngine) else SQLITE:
            await db.run_ddl(statement)

    manager.add_raw(run)
    return manager
