"""Composite unique indexes, written as raw SQL because SQLite rejects ALTER-based constraints."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-11-21T06:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "unique (person, role) and (organization, person)"

STATEMENTS = [
    "CREATE UNIQUE INDEX IF NOT EXISTS accounts_role_grant_person_role ON accounts_role_grant (person, role)",
    "CREATE UNIQUE INDEX IF NOT EXISTS accounts_org_member_unique ON accounts_organization_member (organization, person)",
    "CREATE INDEX IF NOT EXISTS accounts_session_person ON accounts_session (person)",
    "CREATE INDEX IF NOT EXISTS accounts_api_token_person ON accounts_api_token (person)",
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="accounts", description=DESCRIPTION)

    async def run():
        from grandrounds.db import engine

        for statement in STATEMENTS:
            await engine().run_ddl(statement)

    manager.add_raw(run)
    return manager
