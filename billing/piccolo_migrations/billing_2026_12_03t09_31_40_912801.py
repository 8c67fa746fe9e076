"""Membership.status names its choices (MembershipStatus); Piccolo records them, the schema stays."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from enum import Enum
from piccolo.columns.column_types import Varchar

ID = "2026-12-03T09:31:40:912801"
VERSION = "1.38.0"
DESCRIPTION = "billing_membership.status takes its choices from MembershipStatus (no schema change)"


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="billing", description=DESCRIPTION
    )

    manager.alter_column(
        table_class_name="Membership",
        tablename="billing_membership",
        column_name="status",
        db_column_name="status",
        params={
            "choices": Enum(
                "MembershipStatus",
                {
                    "PENDING": "pending",
                    "ACTIVE": "active",
                    "PAST_DUE": "past_due",
                    "CANCELED": "canceled",
                    "ABANDONED": "abandoned",
                },
            )
        },
        old_params={"choices": None},
        column_class=Varchar,
        old_column_class=Varchar,
        schema=None,
    )

    return manager
