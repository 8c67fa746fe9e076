"""Putting messages in the outbox.

Call :func:`enqueue_email` inside the service's write transaction: the row
commits with the change that caused it, or not at all, so a rolled-back
registration never sends a confirmation and a committed one is never forgotten.

Context values that act for the recipient (a password reset link, a
speaker's answer link) are named in ``secret_keys``: the row keeps them only
until the message is delivered or given up, then the dispatcher blanks them,
so the record of what was sent does not hold a working link.

Mail sent for a program (an event's or a cohort's) names it in ``program_id``:
that program's staff see the message in the outbox and may retry it; mail
that belongs to no program (accounts, the directory) is for admins alone.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from grandrounds.db import now, unique_violation
from notifications.tables import OutboxMessage

SECRET_KEYS = "_secret_keys"  # noqa: S105 - the name of a context entry, not a secret
REDACTED = "[redacted]"


async def enqueue_email(
    template: str,
    recipient: str,
    context: dict[str, Any],
    *,
    person_id: int | None = None,
    program_id: int | None = None,
    dedupe_key: str | None = None,
    not_before: datetime | None = None,
    secret_keys: tuple[str, ...] = (),
) -> bool:
    """Queue one email; False when ``dedupe_key`` was queued before (nothing is added).

    ``secret_keys`` name context values to blank once the message is sent or given up;
    ``program_id`` the program the message is sent for (its staff see it in the outbox).
    """
    missing = [key for key in secret_keys if key not in context]
    if missing:
        raise ValueError(f"secret keys not in the context: {missing}")
    if secret_keys:
        context = {**context, SECRET_KEYS: list(secret_keys)}
    if dedupe_key is not None and await OutboxMessage.exists().where(OutboxMessage.dedupe_key == dedupe_key):
        return False
    # Only dedupe_key is unique here (NULLs never collide): a clash is the same message queued twice.
    with unique_violation() as clash:
        await OutboxMessage.insert(
            OutboxMessage(
                template=template,
                recipient=recipient,
                person=person_id,
                program_id=program_id,
                context=context,
                dedupe_key=dedupe_key,
                not_before=not_before or now(),
            )
        )
    return not clash


def redacted(context: dict[str, Any]) -> dict[str, Any] | None:
    """The context with its secret values blanked, or None when it names none."""
    keys = context.get(SECRET_KEYS) or []
    if not keys:
        return None
    return {k: (REDACTED if k in keys else v) for k, v in context.items()}
