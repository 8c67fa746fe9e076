"""Submission.status and Claim.status name their choices (ReviewStatus); Piccolo records them, the schema stays."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from enum import Enum
from piccolo.columns.column_types import Varchar

ID = "2026-12-03T09:33:42:256155"
VERSION = "1.38.0"
DESCRIPTION = "directory_submission.status and directory_claim.status take their choices from ReviewStatus (no schema change)"


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="directory", description=DESCRIPTION
    )

    manager.alter_column(
        table_class_name="Claim",
        tablename="directory_claim",
        column_name="status",
        db_column_name="status",
        params={
            "choices": Enum(
                "ReviewStatus",
                {
                    "PENDING": "pending",
                    "APPROVED": "approved",
                    "REJECTED": "rejected",
                },
            )
        },
        old_params={"choices": None},
        column_class=Varchar,
        old_column_class=Varchar,
        schema=None,
    )

    manager.alter_column(
        table_class_name="Submission",
        tablename="directory_submission",
        column_name="status",
        db_column_name="status",
        params={
            "choices": Enum(
                "ReviewStatus",
                {
                    "PENDING": "pending",
                    "APPROVED": "approved",
                    "REJECTED": "rejected",
                },
            )
        },
        old_params={"choices": None},
        column_class=Varchar,
        old_column_class=Varchar,
        schema=None,
    )

    return manager
