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

A chore that queues many messages at once (reminders) asks :func:`queued_keys`
which are already in, then hands the rest to :func:`enqueue_emails`: one
statement per thousand messages instead of two per message.

A row queued while serving a request keeps that request's id (``request_id``),
and the dispatcher's log lines about the row carry it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from grandrounds import request_context
from grandrounds.db import now, unique_violation
from notifications.message_status import MessageStatus
from notifications.tables import OutboxMessage

# Rows per statement in the bulk helpers: 15 columns a row stays well under SQLite's 32,766 parameters.
CHUNK = 1000
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
    serving = request_context.current()
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
                request_id=serving.request_id if serving else None,
            )
        )
    return not clash


@dataclass(frozen=True)
class Email:
    """One message for :func:`enqueue_emails` (the arguments of :func:`enqueue_email` as a value)."""

    template: str
    recipient: str
    context: dict[str, Any]
    person_id: int | None = None
    program_id: int | None = None
    dedupe_key: str | None = None
    not_before: datetime | None = None


def _chunks(items: Sequence[Any]) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]


async def queued_keys(keys: Iterable[str]) -> set[str]:
    """Which of ``keys`` are already queued (or sent): a read, so a run with nothing new writes nothing."""
    wanted = sorted(set(keys))
    found: set[str] = set()
    for chunk in _chunks(wanted):
        rows = await OutboxMessage.select(OutboxMessage.dedupe_key).where(
            OutboxMessage.dedupe_key.is_in(list(chunk))
        )
        found.update(row["dedupe_key"] for row in rows)
    return found


async def enqueue_emails(emails: Sequence[Email]) -> int:
    """Queue many emails inside the caller's write transaction; how many were added.

    Same rule as :func:`enqueue_email`: a ``dedupe_key`` is queued once. Here the
    unique index decides (``ON CONFLICT (dedupe_key) DO NOTHING``, on both engines),
    so a key queued meanwhile by another process is skipped, not an error that
    would roll back the batch. Secret context values are not supported here.
    """
    unique: dict[str | None, Email] = {}
    anonymous: list[Email] = []
    for email in emails:
        if email.dedupe_key is None:
            anonymous.append(email)
        else:
            unique.setdefault(email.dedupe_key, email)
    batch = [*unique.values(), *anonymous]
    moment = now()
    added = 0
    for chunk in _chunks(batch):
        rows = await (
            OutboxMessage.insert(
                *[
                    OutboxMessage(
                        template=email.template,
                        recipient=email.recipient,
                        person=email.person_id,
                        program_id=email.program_id,
                        context=email.context,
                        dedupe_key=email.dedupe_key,
                        not_before=email.not_before or moment,
                    )
                    for email in chunk
                ]
            )
            .on_conflict(target=OutboxMessage.dedupe_key, action="DO NOTHING")
            .returning(OutboxMessage.id)
        )
        added += len(rows)
    return added


def redacted(context: dict[str, Any]) -> dict[str, Any] | None:
    """The context with its secret values blanked, or None when it names none."""
    keys = context.get(SECRET_KEYS) or []
    if not keys:
        return None
    return {k: (REDACTED if k in keys else v) for k, v in context.items()}


async def depth() -> tuple[int, datetime | None]:
    """How many messages are pending, and when the oldest one waiting to go out was queued.

    "Waiting" leaves out mail scheduled for later (a reminder queued days ahead) until its
    time comes, but keeps a message being retried: that one is late.
    """
    pending = OutboxMessage.status == MessageStatus.PENDING
    count = await OutboxMessage.count().where(pending)
    oldest = (
        await OutboxMessage.select(OutboxMessage.created_at)
        .where(pending & ((OutboxMessage.not_before <= now()) | (OutboxMessage.attempts > 0)))
        .order_by(OutboxMessage.created_at)
        .first()
    )
    return int(count), (oldest["created_at"] if oldest else None)
