"""Piccolo app: events. Every table defined in events/tables.py belongs to it."""

from pathlib import Path

from piccolo.conf.apps import AppConfig, table_finder

APP_CONFIG = AppConfig(
    app_name="events",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=table_finder(modules=["events.tables"], exclude_imported=True),
    migration_dependencies=["accounts.piccolo_app"],
    commands=[],
)
