"""Piccolo app: records. Every table defined in records/tables.py belongs to it."""

from pathlib import Path

from piccolo.conf.apps import AppConfig, table_finder

APP_CONFIG = AppConfig(
    app_name="records",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=table_finder(modules=["records.tables"], exclude_imported=True),
    migration_dependencies=[
        "accounts.piccolo_app",
        "events.piccolo_app",
        "programs.piccolo_app",
        "billing.piccolo_app",
        "notifications.piccolo_app",
        "library.piccolo_app",
        "directory.piccolo_app",
    ],
    commands=[],
)
