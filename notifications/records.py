"""The record of what was sent: to whom, which template, when, with what outcome.

Who sees which messages (recipients and subjects are personal data):

- admins see the whole outbox, every program's mail and the site-wide mail
  (accounts, the directory), and retry any failed message;
- program staff see, and retry, only the messages sent for the programs they
  run (``OutboxMessage.program_id``); anyone else's message is "not found" to
  them, so its existence is not revealed either;
- each person sees their own messages.

Nobody sees message bodies here (they may hold links that act for the
recipient). The mail log (the embedded default transport) holds whole
messages, bodies included, so it is readable by admins only.
"""

from __future__ import annotations

import json
from email import message_from_string
from email.message import Message
from pathlib import Path
from typing import Any

from jinja2 import TemplateError

from accounts.audit import trail as audit
from accounts.principal import Principal
from accounts.services.programs import programs_run_by
from grandrounds.db import write_transaction
from grandrounds.logs import redact_links
from notifications import errors
from notifications.dispatcher import requeue_failed
from notifications.message_status import MessageStatus
from notifications.outbox import REDACTED, SECRET_KEYS
from notifications.rendering import render_subject
from notifications.schemas import MessageOut, MessagePage, SentMail
from notifications.tables import OutboxMessage
from notifications.transports import MailLogTransport

STATUSES = tuple(status.value for status in MessageStatus)


def _subject(row: dict[str, Any]) -> str:
    context = row["context"]
    if isinstance(context, str):
        context = json.loads(context or "{}")
    try:
        return render_subject(row["template"], context)
    except (TemplateError, KeyError, ValueError):
        return f"({row['template']})"


def _out(row: dict[str, Any]) -> MessageOut:
    return MessageOut(
        id=row["id"],
        template=row["template"],
        recipient=row["recipient"],
        subject=_subject(row),
        status=row["status"],
        attempts=row["attempts"],
        created_at=row["created_at"],
        sent_at=row["sent_at"],
        not_before=row["not_before"],
        last_error=row["last_error"],
        program_id=row["program_id"],
    )


async def programs_seen_by(principal: Principal) -> list[int] | None:
    """The programs whose messages ``principal`` sees in the outbox: None for an admin (all of them,
    and the site-wide mail), else the programs they run (none for anyone else)."""
    if principal.is_admin:
        return None
    return await programs_run_by(principal)


def _of_programs(programs: list[int] | None) -> Any:
    """The condition keeping the messages of ``programs`` (None: every message)."""
    if programs is None:
        return OutboxMessage.id > 0
    if not programs:
        return OutboxMessage.id < 0
    return OutboxMessage.program_id.is_in(programs)


async def outbox(
    principal: Principal, status: str | None, template: str | None, limit: int, offset: int
) -> MessagePage:
    """The outbox as ``principal`` may see it: all of it for an admin, their programs' mail for staff."""
    return await list_messages(status, template, limit, offset, programs=await programs_seen_by(principal))


async def list_messages(
    status: str | None,
    template: str | None,
    limit: int,
    offset: int,
    person_id: int | None = None,
    *,
    programs: list[int] | None = None,
) -> MessagePage:
    """Messages newest first: one person's with ``person_id``; only those of ``programs`` when given."""
    condition: Any = _of_programs(programs)
    if status:
        if status not in STATUSES:
            raise errors.status_unknown()
        condition &= OutboxMessage.status == status
    if template:
        condition &= OutboxMessage.template == template
    if person_id is not None:
        condition &= OutboxMessage.person == person_id
    rows = (
        await OutboxMessage.select()
        .where(condition)
        .order_by(OutboxMessage.id, ascending=False)
        .limit(limit)
        .offset(offset)
    )
    total = await OutboxMessage.count().where(condition)
    return MessagePage(items=[_out(r) for r in rows], total=total, limit=limit, offset=offset)


async def retry(principal: Principal, message_id: int) -> MessageOut:
    """Send a failed message again. A message outside the caller's programs is not found, as if it
    did not exist; the retry leaves one audit row in its transaction."""
    condition = (OutboxMessage.id == message_id) & _of_programs(await programs_seen_by(principal))
    row = await OutboxMessage.select().where(condition).first()
    if row is None:
        raise errors.message_not_found()
    context = row["context"]
    if isinstance(context, str):
        context = json.loads(context or "{}")
    if any(context.get(key) == REDACTED for key in context.get(SECRET_KEYS) or []):
        raise errors.link_gone()
    async with write_transaction():
        if not await requeue_failed(message_id):
            raise errors.not_failed()
        await audit.record(
            "message.retry",
            "message",
            message_id,
            before={"status": row["status"], "attempts": row["attempts"]},
            after={"status": MessageStatus.PENDING, "attempts": 0},
            subject_id=row["person"],
            details={"template": row["template"], "program_id": row["program_id"]},
        )
    fresh = await OutboxMessage.select().where(OutboxMessage.id == message_id).first()
    assert fresh is not None
    return _out(fresh)


def _text_of(message: Message) -> str:
    for part in message.walk():
        if part.get_content_type() == "text/plain" and not part.get_filename():
            payload = part.get_payload(decode=True)
            if isinstance(payload, bytes):
                return payload.decode(part.get_content_charset() or "utf-8", "replace")
    return ""


def recent_mail(path: Path, limit: int = 30) -> list[SentMail]:
    """The newest messages in the mail log, newest first (reads only the file's tail).

    Secret links are blanked on the way out too: a log written before they were
    blanked at delivery still holds working ones.
    """
    if not path.is_file():
        return []
    size = path.stat().st_size
    with path.open("rb") as handle:
        handle.seek(max(size - 2_000_000, 0))
        text = handle.read().decode("utf-8", "replace")
    chunks = [c for c in text.split(MailLogTransport.SEPARATOR) if c.strip()]
    mails = []
    for chunk in reversed(chunks[-limit:]):
        message = message_from_string(chunk.lstrip("\n"))
        mails.append(
            SentMail(
                to=str(message.get("To", "")),
                subject=str(message.get("Subject", "")),
                date=str(message.get("Date", "")),
                text=redact_links(_text_of(message)),
                has_invite=any(p.get_content_type() == "text/calendar" for p in message.walk()),
            )
        )
    return mails
