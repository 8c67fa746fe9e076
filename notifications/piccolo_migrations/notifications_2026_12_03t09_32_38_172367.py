"""OutboxMessage.status names its choices (MessageStatus); Piccolo records them, the schema stays."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from enum import Enum
from piccolo.columns.column_types import Varchar

ID = "2026-12-03T09:32:38:172367"
VERSION = "1.38.0"
DESCRIPTION = "notifications_outbox.status takes its choices from MessageStatus (no schema change)"


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="notifications", description=DESCRIPTION
    )

    manager.alter_column(
        table_class_name="OutboxMessage",
        tablename="notifications_outbox",
        column_name="status",
        db_column_name="status",
        params={
            "choices": Enum(
                "MessageStatus",
                {"PENDING": "pending", "SENT": "sent", "FAILED": "failed"},
            )
        },
        old_params={"choices": None},
        column_class=Varchar,
        old_column_class=Varchar,
        schema=None,
    )

    return manager
