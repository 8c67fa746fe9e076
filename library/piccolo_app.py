"""Piccolo app: library. Every table defined in library/tables.py belongs to it."""

from pathlib import Path

from piccolo.conf.apps import AppConfig, table_finder

APP_CONFIG = AppConfig(
    app_name="library",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=table_finder(modules=["library.tables"], exclude_imported=True),
    migration_dependencies=["accounts.piccolo_app", "events.piccolo_app", "programs.piccolo_app"],
    commands=[],
)
