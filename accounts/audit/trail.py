"""Write to the audit trail: inside the transaction of the change, so neither exists without the other.

Services call :func:`record` inside their ``write_transaction`` with what changed.
Who acted, with which role, from where and in which request comes from the
request context (grandrounds.request_context); without one (a chore, a command)
the row names no actor. Exports, which change nothing, call :func:`record_export`,
which opens its own short transaction.

Secrets never reach the trail: fields whose names speak of a password, token,
secret or hash are written as ``"(changed)"``, never with their values.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from accounts.audit.actions import is_known
from accounts.audit.tables import AuditEntry
from grandrounds import request_context
from grandrounds.db import engine, write_transaction

SECRET_WORDS = ("password", "token", "secret", "hash", "recovery", "otp")
REDACTED = "(changed)"


def _is_secret(field: str) -> bool:
    lowered = field.lower()
    return any(word in lowered for word in SECRET_WORDS)


def _plain(value: Any) -> Any:
    """A JSON-safe copy of a column value (datetimes as ISO text, enums as their value)."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, list | tuple | set | frozenset):
        return [_plain(item) for item in value]
    if isinstance(value, Mapping):
        return {str(key): _plain(item) for key, item in value.items()}
    return value


def diff(before: Mapping[str, Any] | None, after: Mapping[str, Any] | None) -> dict[str, list[Any]]:
    """``{field: [before, after]}`` for the fields whose value changed (secrets redacted).

    A field present on one side only is a change from or to null, so a created
    object lists what it was made with and a deleted one what it was.
    """
    old = dict(before or {})
    new = dict(after or {})
    changed: dict[str, list[Any]] = {}
    for field in sorted(old.keys() | new.keys()):
        was, now = _plain(old.get(field)), _plain(new.get(field))
        if was == now:
            continue
        changed[field] = [REDACTED, REDACTED] if _is_secret(field) else [was, now]
    return changed


def _in_transaction() -> bool:
    return engine().current_transaction.get() is not None


async def record(
    action: str,
    object_kind: str,
    object_id: int | str,
    *,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
    subject_id: int | None = None,
    details: Mapping[str, Any] | None = None,
    actor_id: int | None = None,
) -> None:
    """Append one row for ``action`` on (``object_kind``, ``object_id``), inside the change's transaction.

    ``details`` adds facts that are not field changes (how many rows an import
    matched, the reason given); its secret-looking keys are dropped. ``actor_id``
    names the actor where no request does (a command run for a person).
    """
    if not is_known(action):
        raise ValueError(f"unknown audit action {action!r}: add it to accounts.audit.actions")
    if not _in_transaction():
        raise RuntimeError(f"audit {action!r} written outside a transaction: record it inside the change's")
    changes: dict[str, Any] = diff(before, after)
    for key, value in (details or {}).items():
        if not _is_secret(key):
            changes[key] = _plain(value)
    context = request_context.current()
    await AuditEntry.insert(
        AuditEntry(
            actor_id=actor_id if actor_id is not None else (context.actor_id if context else None),
            role=context.role_used if context else "",
            action=action,
            object_kind=object_kind,
            object_id=str(object_id),
            subject_id=subject_id,
            changes=json.dumps(changes, sort_keys=True, default=str),
            client_address=context.client_address if context else "",
            user_agent=context.user_agent if context else "",
            request_id=context.request_id if context else "",
        )
    )
    if context is not None:
        context.pending.append(action)


async def record_export(
    action: str,
    object_kind: str,
    object_id: int | str,
    *,
    rows: int,
    subject_id: int | None = None,
    details: Mapping[str, Any] | None = None,
) -> None:
    """Record that personal data left the system (a CSV, a data-rights download): its own transaction."""
    async with write_transaction():
        await record(
            action, object_kind, object_id, subject_id=subject_id, details={"rows": rows, **(details or {})}
        )
