"""Raw-SQL migrations: composite and partial indexes SQLite will not take through ALTER."""

from __future__ import annotations

from piccolo.apps.migrations.auto.migration_manager import MigrationManager


def raw_statements(
    migration_id: str, app_name: str, description: str, statements: list[str]
) -> MigrationManager:
    manager = MigrationManager(migration_id=migration_id, app_name=app_name, description=description)

    async def run() -> None:
        from grandrounds.db import engine

        for statement in statements:
            await engine().run_ddl(statement)

    manager.add_raw(run)
    return manager
