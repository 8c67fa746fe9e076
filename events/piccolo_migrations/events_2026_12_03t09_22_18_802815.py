"""Registration.status names its choices (RegistrationStatus); Piccolo records them, the schema stays."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from enum import Enum
from piccolo.columns.column_types import Varchar

ID = "2026-12-03T09:22:18:802815"
VERSION = "1.38.0"
DESCRIPTION = "events_registration.status takes its choices from RegistrationStatus (no schema change)"


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="events", description=DESCRIPTION
    )

    manager.alter_column(
        table_class_name="Registration",
        tablename="events_registration",
        column_name="status",
        db_column_name="status",
        params={
            "choices": Enum(
                "RegistrationStatus",
                {
                    "PENDING_PAYMENT": "pending_payment",
                    "CONFIRMED": "confirmed",
                    "WAITLISTED": "waitlisted",
                    "OFFERED": "offered",
                    "CANCELLED": "cancelled",
                    "REFUNDED": "refunded",
                    "DECLINED": "declined",
                    "EXPIRED": "expired",
                },
            )
        },
        old_params={"choices": None},
        column_class=Varchar,
        old_column_class=Varchar,
        schema=None,
    )

    return manager
