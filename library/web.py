"""What the library's controllers and pages share: who is asking, if anyone."""

from __future__ import annotations

from typing import Any

from litestar.connection import ASGIConnection

from accounts.principal import Principal


def viewer(connection: ASGIConnection[Any, Any, Any, Any]) -> Principal | None:
    """The signed-in principal, or None for an anonymous visitor (the library is open to both)."""
    principal = connection.scope.get("user")
    return principal if isinstance(principal, Principal) else None
