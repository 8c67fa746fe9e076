"""Reading the audit trail in tests: the rows an action left, with their changes decoded."""

from __future__ import annotations

import json
from typing import Any

from accounts.audit.tables import AuditEntry


async def audit_rows(action: str | None = None, **where: Any) -> list[dict[str, Any]]:
    """Audit rows, oldest first, optionally of one ``action`` and matching column values."""
    query = AuditEntry.select().order_by(AuditEntry.id)
    if action is not None:
        query = query.where(AuditEntry.action == action)
    for column, value in where.items():
        query = query.where(getattr(AuditEntry, column) == value)
    rows = await query
    for row in rows:
        row["changes"] = json.loads(row["changes"])
    return list(rows)
