"""Piccolo app: notifications."""

from pathlib import Path

from piccolo.conf.apps import AppConfig

from notifications.tables import OutboxMessage

APP_CONFIG = AppConfig(
    app_name="notifications",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[OutboxMessage],
    migration_dependencies=["accounts.piccolo_app"],
    commands=[],
)
