"""The audit trail (append-only in the database), and role grants kept as history.

``accounts_audit_entry`` gets the ledger's treatment (billing's append-only
migration): on both engines a trigger refuses UPDATE, and DELETE unless the
one-row table ``accounts_audit_purge`` holds a row. The retention schedule's
declared purge of old entries is the only writer of that table; UPDATE has no
exception at all.

A revoked role is no longer a deleted row: ``revoked_at``/``revoked_by`` close the
grant, and the unique index on (person, role) only covers open grants, so a role
can be granted again and the history of grants and revocations stays.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-03T14:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "accounts_audit_entry (append-only) and role grant history"

COLUMNS = (
    '"at" TIMESTAMPTZ NOT NULL DEFAULT current_timestamp, "actor_id" INTEGER DEFAULT null, '
    "\"role\" VARCHAR(32) NOT NULL DEFAULT '', \"action\" VARCHAR(64) NOT NULL DEFAULT '', "
    "\"object_kind\" VARCHAR(40) NOT NULL DEFAULT '', \"object_id\" VARCHAR(64) NOT NULL DEFAULT '', "
    "\"subject_id\" INTEGER DEFAULT null, \"changes\" TEXT NOT NULL DEFAULT '{}', "
    "\"client_address\" VARCHAR(64) NOT NULL DEFAULT '', \"user_agent\" VARCHAR(300) NOT NULL DEFAULT '', "
    "\"request_id\" VARCHAR(64) NOT NULL DEFAULT ''"
)
INDEXES = [
    f"CREATE INDEX IF NOT EXISTS accounts_audit_entry_{column} ON accounts_audit_entry ({column})"
    for column in ("at", "actor_id", "action", "subject_id")
]
PURGE_TABLE = (
    "CREATE TABLE IF NOT EXISTS accounts_audit_purge (reason VARCHAR(200) NOT NULL, started_at TIMESTAMP)"
)
ROLE_HISTORY = [
    "ALTER TABLE accounts_role_grant ADD COLUMN revoked_at TIMESTAMPTZ DEFAULT null",
    "ALTER TABLE accounts_role_grant ADD COLUMN revoked_by INTEGER DEFAULT null",
    "DROP INDEX IF EXISTS accounts_role_grant_person_role",
    "CREATE UNIQUE INDEX IF NOT EXISTS accounts_role_grant_open ON accounts_role_grant (person, role) "
    "WHERE revoked_at IS NULL",
]

SQLITE = [
    f'CREATE TABLE IF NOT EXISTS "accounts_audit_entry" ("id" INTEGER PRIMARY KEY NOT NULL, {COLUMNS})',
    *INDEXES,
    PURGE_TABLE,
    "CREATE TRIGGER IF NOT EXISTS accounts_audit_entry_no_update BEFORE UPDATE ON accounts_audit_entry "
    "BEGIN SELECT RAISE(ABORT, 'accounts_audit_entry is append-only: UPDATE refused'); END",
    "CREATE TRIGGER IF NOT EXISTS accounts_audit_entry_no_delete BEFORE DELETE ON accounts_audit_entry "
    "WHEN NOT EXISTS (SELECT 1 FROM accounts_audit_purge) "
    "BEGIN SELECT RAISE(ABORT, 'accounts_audit_entry is append-only: DELETE refused'); END",
    *ROLE_HISTORY,
]

POSTGRES = [
    f'CREATE TABLE IF NOT EXISTS "accounts_audit_entry" ("id" SERIAL PRIMARY KEY NOT NULL, {COLUMNS})',
    *INDEXES,
    PURGE_TABLE,
    """
    CREATE OR REPLACE FUNCTION accounts_audit_entry_append_only() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP IN ('DELETE', 'TRUNCATE') AND EXISTS (SELECT 1 FROM accounts_audit_purge) THEN
            RETURN OLD;
        END IF;
        RAISE EXCEPTION 'accounts_audit_entry is append-only: % refused', TG_OP
            USING ERRCODE = 'restrict_violation';
    END
    $$
    """,
    "DROP TRIGGER IF EXISTS accounts_audit_entry_append_only ON accounts_audit_entry",
    "CREATE TRIGGER accounts_audit_entry_append_only BEFORE UPDATE OR DELETE ON accounts_audit_entry "
    "FOR EACH ROW EXECUTE FUNCTION accounts_audit_entry_append_only()",
    "DROP TRIGGER IF EXISTS accounts_audit_entry_no_truncate ON accounts_audit_entry",
    "CREATE TRIGGER accounts_audit_entry_no_truncate BEFORE TRUNCATE ON accounts_audit_entry "
    "FOR EACH STATEMENT EXECUTE FUNCTION accounts_audit_entry_append_only()",
    *ROLE_HISTORY,
]


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="accounts", description=DESCRIPTION)

    async def run() -> None:
        from piccolo.engine.postgres import PostgresEngine

        from grandrounds.db import engine

        db = engine()
        for statement in POSTGRES if isinstance(db, PostgresEngine) else SQLITE:
            await db.run_ddl(statement)

    manager.add_raw(run)
    return manager
