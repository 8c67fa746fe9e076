"""Piccolo app: events."""

from pathlib import Path

from piccolo.conf.apps import AppConfig

from events.tables import Event, Registration, RegistrationChange

APP_CONFIG = AppConfig(
    app_name="events",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[Event, Registration, RegistrationChange],
    migration_dependencies=["accounts.piccolo_app"],
    commands=[],
)
