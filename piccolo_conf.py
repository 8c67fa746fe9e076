"""Piccolo's configuration: the engine comes from DATABASE_URL (SQLite file when unset)."""

from piccolo.conf.apps import AppRegistry

from grandrounds.db import build_engine
from grandrounds.settings import get_settings

DB = build_engine(get_settings())

APP_REGISTRY = AppRegistry(
    apps=[
        "accounts.piccolo_app",
        "events.piccolo_app",
        "programs.piccolo_app",
        "billing.piccolo_app",
        "notifications.piccolo_app",
        "library.piccolo_app",
        "directory.piccolo_app",
    ]
)
