"""Organization invitations, and the rows that limits per client address count.

- ``accounts_organization_invitation``: a leader invites an address; the person
  joins by accepting the emailed link (only the token's SHA-256 is stored).
- ``accounts_sign_in_failure.client_hash``: failed sign-ins are counted per
  client address as well as per account, so one client's guesses slow that
  client down instead of locking the account for everyone.
- ``accounts_client_attempt``: sign-ups and password-link requests per client.
- ``accounts_reset_request``: password links asked for, answered by the
  dispatcher's chore, so the request does the same work for every address.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-10T09:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "organization invitations; sign-in, sign-up and reset limits per client address"

PERSON = 'REFERENCES "accounts_person" ("id") ON DELETE CASCADE ON UPDATE CASCADE'
ORGANIZATION = 'REFERENCES "accounts_organization" ("id") ON DELETE CASCADE ON UPDATE CASCADE'


def _statements(primary_key: str) -> list[str]:
    """The same tables on both engines; only the primary key's type differs."""
    return [
        'CREATE TABLE IF NOT EXISTS "accounts_organization_invitation" ('
        f'"id" {primary_key} PRIMARY KEY NOT NULL, '
        f'"organization" INTEGER NOT NULL {ORGANIZATION}, '
        "\"email\" VARCHAR(254) NOT NULL DEFAULT '', "
        "\"token_hash\" VARCHAR(64) UNIQUE NOT NULL DEFAULT '', "
        f'"invited_by" INTEGER {PERSON} DEFAULT null, '
        '"created_at" TIMESTAMPTZ NOT NULL DEFAULT current_timestamp, '
        '"expires_at" TIMESTAMPTZ NOT NULL DEFAULT current_timestamp, '
        '"accepted_at" TIMESTAMPTZ DEFAULT null, '
        f'"accepted_by" INTEGER {PERSON} DEFAULT null)',
        "CREATE INDEX IF NOT EXISTS accounts_organization_invitation_token_hash "
        "ON accounts_organization_invitation (token_hash)",
        "CREATE INDEX IF NOT EXISTS accounts_organization_invitation_recent "
        "ON accounts_organization_invitation (organization, created_at)",
        "ALTER TABLE accounts_sign_in_failure ADD COLUMN client_hash VARCHAR(64) NOT NULL DEFAULT ''",
        "CREATE INDEX IF NOT EXISTS accounts_sign_in_failure_client_hash "
        "ON accounts_sign_in_failure (client_hash, at)",
        "CREATE INDEX IF NOT EXISTS accounts_sign_in_failure_email_at ON accounts_sign_in_failure (email, at)",
        'CREATE TABLE IF NOT EXISTS "accounts_client_attempt" ('
        f'"id" {primary_key} PRIMARY KEY NOT NULL, '
        "\"action\" VARCHAR(32) NOT NULL DEFAULT '', "
        "\"client_hash\" VARCHAR(64) NOT NULL DEFAULT '', "
        '"at" TIMESTAMPTZ NOT NULL DEFAULT current_timestamp)',
        "CREATE INDEX IF NOT EXISTS accounts_client_attempt_counted "
        "ON accounts_client_attempt (client_hash, action, at)",
        "CREATE INDEX IF NOT EXISTS accounts_client_attempt_at ON accounts_client_attempt (at)",
        'CREATE TABLE IF NOT EXISTS "accounts_reset_request" ('
        f'"id" {primary_key} PRIMARY KEY NOT NULL, '
        "\"email\" VARCHAR(254) NOT NULL DEFAULT '', "
        '"requested_at" TIMESTAMPTZ NOT NULL DEFAULT current_timestamp, '
        '"handled_at" TIMESTAMPTZ DEFAULT null)',
        "CREATE INDEX IF NOT EXISTS accounts_reset_request_waiting "
        "ON accounts_reset_request (id) WHERE handled_at IS NULL",
        "CREATE INDEX IF NOT EXISTS accounts_reset_request_requested_at ON accounts_reset_request (requested_at)",
    ]


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="accounts", description=DESCRIPTION)

    async def run() -> None:
        from piccolo.engine.postgres import PostgresEngine

        from grandrounds.db import engine

        db = engine()
        for statement in _statements("SERIAL" if isinstance(db, PostgresEngine) else "INTEGER"):
            await db.run_ddl(statement)

    manager.add_raw(run)
    return manager
