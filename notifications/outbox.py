"""Putting messages in the outbox.

Call :func:`enqueue_email` inside the service's write transaction: the row
commits with the change that caused it, or not at all, so a rolled-back
registration never sends a confirmation and a committed one is never forgotten.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from grandrounds.db import is_unique_violation, now
from notifications.tables import OutboxMessage


async def enqueue_email(
    template: str,
    recipient: str,
    context: dict[str, Any],
    *,
    person_id: int | None = None,
    dedupe_key: str | None = None,
    not_before: datetime | None = None,
) -> bool:
    """Queue one email; False when ``dedupe_key`` was queued before (nothing is added)."""
    if dedupe_key is not None and await OutboxMessage.exists().where(OutboxMessage.dedupe_key == dedupe_key):
        return False
    try:
        await OutboxMessage.insert(
            OutboxMessage(
                template=template,
                recipient=recipient,
                person=person_id,
                context=context,
                dedupe_key=dedupe_key,
                not_before=not_before or now(),
            )
        )
    except Exception as exc:
        if dedupe_key is not None and is_unique_violation(exc):
            return False
        raise
    return True
