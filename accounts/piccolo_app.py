"""Piccolo app: accounts. Every table defined in accounts/tables.py belongs to it."""

from pathlib import Path

from piccolo.conf.apps import AppConfig, table_finder

APP_CONFIG = AppConfig(
    app_name="accounts",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=table_finder(modules=["accounts.tables", "accounts.audit.tables"], exclude_imported=True),
    migration_dependencies=[],
    commands=[],
)
