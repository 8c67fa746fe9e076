"""Enrollment.status names its choices (EnrollmentStatus); Piccolo records them, the schema stays."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from enum import Enum
from piccolo.columns.column_types import Varchar

ID = "2026-12-03T09:30:33:744691"
VERSION = "1.38.0"
DESCRIPTION = "programs_enrollment.status takes its choices from EnrollmentStatus (no schema change)"


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="programs", description=DESCRIPTION
    )

    manager.alter_column(
        table_class_name="Enrollment",
        tablename="programs_enrollment",
        column_name="status",
        db_column_name="status",
        params={
            "choices": Enum(
                "EnrollmentStatus",
                {
                    "APPLIED": "applied",
                    "INVITED": "invited",
                    "AWAITING_PAYMENT": "awaiting_payment",
                    "ACTIVE": "active",
                    "REJECTED": "rejected",
                    "WITHDRAWN": "withdrawn",
                    "MOVED": "moved",
                },
            )
        },
        old_params={"choices": None},
        column_class=Varchar,
        old_column_class=Varchar,
        schema=None,
    )

    return manager
