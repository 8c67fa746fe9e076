"""Check-in audit and guessing throttle: removed check-ins are kept, wrong self check-in codes counted."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.base import OnDelete, OnUpdate
from piccolo.columns.column_types import ForeignKey, Serial, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.indexes import IndexMethod
from piccolo.table import Table


class Person(Table, tablename="accounts_person", schema=None):
    id = Serial(
        null=False,
        primary_key=True,
        unique=False,
        index=False,
        index_method=IndexMethod.btree,
        choices=None,
        db_column_name="id",
        secret=False,
    )


class Registration(Table, tablename="events_registration", schema=None):
    id = Serial(
        null=False,
        primary_key=True,
        unique=False,
        index=False,
        index_method=IndexMethod.btree,
        choices=None,
        db_column_name="id",
        secret=False,
    )


class Session(Table, tablename="events_session", schema=None):
    id = Serial(
        null=False,
        primary_key=True,
        unique=False,
        index=False,
        index_method=IndexMethod.btree,
        choices=None,
        db_column_name="id",
        secret=False,
    )


ID = "2026-11-21T07:50:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "check-in removals (audit) and self check-in code failures (throttle)"


def _params(**over):
    params = {
        "null": False,
        "primary_key": False,
        "unique": False,
        "index": False,
        "index_method": IndexMethod.btree,
        "choices": None,
        "db_column_name": None,
        "secret": False,
    }
    params.update(over)
    return params


def _fk(references, null=False, index=False):
    return _params(
        references=references,
        on_delete=OnDelete.cascade,
        on_update=OnUpdate.cascade,
        target_column=None,
        null=null,
        index=index,
    )


REMOVAL = ("CheckInRemoval", "events_check_in_removal")
FAILURE = ("CheckInCodeFailure", "events_check_in_code_failure")

COLUMNS = [
    (REMOVAL, "session", ForeignKey, _fk(Session, index=True)),
    (REMOVAL, "registration", ForeignKey, _fk(Registration)),
    (REMOVAL, "person", ForeignKey, _fk(Person)),
    (REMOVAL, "method", Varchar, _params(default="", length=16)),
    (REMOVAL, "checked_in_by", ForeignKey, _fk(Person, null=True)),
    (REMOVAL, "checked_in_at", Timestamptz, _params(default=TimestamptzNow())),
    (REMOVAL, "removed_by", ForeignKey, _fk(Person, null=True)),
    (REMOVAL, "removed_at", Timestamptz, _params(default=TimestamptzNow())),
    (REMOVAL, "reason", Varchar, _params(default="", length=200)),
    (FAILURE, "session", ForeignKey, _fk(Session)),
    (FAILURE, "person", ForeignKey, _fk(Person, index=True)),
    (FAILURE, "at", Timestamptz, _params(default=TimestamptzNow())),
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="events", description=DESCRIPTION)
    for class_name, tablename in (REMOVAL, FAILURE):
        manager.add_table(class_name=class_name, tablename=tablename, schema=None, columns=None)
    for (class_name, tablename), name, column_class, params in COLUMNS:
        manager.add_column(
            table_class_name=class_name,
            tablename=tablename,
            column_name=name,
            db_column_name=name,
            column_class_name=column_class.__name__,
            column_class=column_class,
            params=params,
            schema=None,
        )
    return manager
