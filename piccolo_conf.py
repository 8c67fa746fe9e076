"""Piccolo's configuration: the engine comes from DATABASE_URL (SQLite file when unset)."""

from piccolo.conf.apps import AppRegistry

from grandrounds.db import build_engine
from grandrounds.server.packages import piccolo_apps
from grandrounds.settings import get_settings

DB = build_engine(get_settings())

APP_REGISTRY = AppRegistry(apps=piccolo_apps())
