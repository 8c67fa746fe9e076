"""Links that act for the recipient leave the outbox record once the message is out.

The delivered email carries the link; the row keeps "[redacted]" in its place
from the moment it is marked sent or given up. A delivery that will be tried
again keeps it, or the retry would send a dead link.
"""

from __future__ import annotations

import dataclasses
import json
import re
from typing import Any

import pytest

from accounts.principal import Role
from accounts.services.password_reset import deliver_requested_links
from events.tables import Session
from grandrounds.db import write_transaction
from grandrounds.settings import get_settings
from notifications.dispatcher import Dispatcher, new_worker_id
from notifications.outbox import REDACTED, enqueue_email
from notifications.tables import OutboxMessage
from notifications.transports import SMTPTransport
from tests.builders.events import new_event, the_session
from tests.builders.mail import deliver, texts, to
from tests.builders.people import make_actor

RESPOND = re.compile(r"/speaking/respond/([A-Za-z0-9_-]+)")


async def _context(template: str) -> dict[str, Any]:
    row = await OutboxMessage.select(OutboxMessage.context).where(OutboxMessage.template == template).first()
    assert row is not None
    return row["context"] if isinstance(row["context"], dict) else json.loads(row["context"])


async def _invite_speaker(client) -> tuple[int, str]:
    event_id, staff = await new_event(client)
    session = await the_session(event_id)
    added = await client.post(
        f"/api/v1/sessions/{session['id']}/speakers",
        json={"email": "speaker@example.org", "name": "Sam Speaker"},
        headers=staff.headers,
    )
    assert added.status_code == 201, added.text
    match = RESPOND.search((await _context("speaker_invitation"))["respond_url"])
    assert match
    return session["id"], match.group(1)


async def test_a_speakers_answer_link_is_delivered_then_blanked(client, smtp_server) -> None:
    inbox, port = smtp_server
    _, token = await _invite_speaker(client)
    await deliver(port)
    [email] = to(inbox, "speaker@example.org")
    assert token in texts(email)
    row = await OutboxMessage.select().where(OutboxMessage.template == "speaker_invitation").first()
    assert row["status"] == "sent" and token not in str(row["context"])
    assert (await _context("speaker_invitation"))["respond_url"] == REDACTED
    assert (await client.get(f"/speaking/respond/{token}")).status_code == 200, "the link itself still works"


async def test_a_password_reset_link_is_delivered_then_blanked(client, smtp_server) -> None:
    inbox, port = smtp_server
    me = await make_actor(Role.MEMBER)
    await client.post("/api/v1/auth/password-reset", json={"email": me.email})
    await deliver_requested_links()  # the dispatcher's chore makes the link, off the request path
    link = (await _context("password_reset"))["reset_url"]
    assert "/password/reset/" in link
    await deliver(port)
    [email] = [m for m in to(inbox, me.email) if m["Subject"] and "password" in m["Subject"].lower()]
    assert link in texts(email)
    row = await OutboxMessage.select().where(OutboxMessage.template == "password_reset").first()
    assert row["status"] == "sent" and link.rsplit("/", 1)[1] not in str(row["context"])
    assert (await _context("password_reset"))["reset_url"] == REDACTED


async def test_given_up_is_blanked_and_a_retry_later_keeps_the_link(client, smtp_server) -> None:
    _, port = smtp_server
    session_id, token = await _invite_speaker(client)
    settings = dataclasses.replace(get_settings(), smtp_host="127.0.0.1", smtp_port=1, smtp_security="none")
    await Dispatcher(SMTPTransport(settings), settings, new_worker_id()).run_once()  # nothing listens on 1
    row = await OutboxMessage.select().where(OutboxMessage.template == "speaker_invitation").first()
    assert row["status"] == "pending" and token in str(row["context"]), "kept for the next attempt"

    await OutboxMessage.update({OutboxMessage.not_before: row["created_at"]}).where(
        OutboxMessage.id == row["id"]
    )
    await Session.delete().where(Session.id == session_id)
    await deliver(port)
    row = await OutboxMessage.select().where(OutboxMessage.template == "speaker_invitation").first()
    assert row["status"] == "failed" and "no longer exists" in row["last_error"]
    assert token not in str(row["context"])


async def test_a_secret_key_must_name_a_context_value(client) -> None:
    with pytest.raises(ValueError, match="secret keys"):
        async with write_transaction():
            await enqueue_email("password_reset", "x@example.org", {"name": "X"}, secret_keys=("reset_url",))
    assert await OutboxMessage.count() == 0
