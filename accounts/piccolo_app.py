"""Piccolo app: accounts."""

from pathlib import Path

from piccolo.conf.apps import AppConfig

from accounts.tables import (
    ApiToken,
    Organization,
    OrganizationMember,
    Person,
    RoleGrant,
    SignInFailure,
    SignInSession,
)

APP_CONFIG = AppConfig(
    app_name="accounts",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[
        Person,
        RoleGrant,
        Organization,
        OrganizationMember,
        SignInSession,
        ApiToken,
        SignInFailure,
    ],
    migration_dependencies=[],
    commands=[],
)
