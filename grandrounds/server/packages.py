"""The domain packages of this site, in dependency order: the one list.

Piccolo's app registry (``piccolo_conf``), route discovery (``routing``) and the
tests that scan every package read it, so adding a package is one line here.
"""

from __future__ import annotations

DOMAIN_PACKAGES = (
    "accounts",
    "events",
    "programs",
    "billing",
    "notifications",
    "library",
    "directory",
    "records",
)


def piccolo_apps() -> list[str]:
    """Each package's Piccolo app (its tables and migrations)."""
    return [f"{package}.piccolo_app" for package in DOMAIN_PACKAGES]
