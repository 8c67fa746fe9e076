"""The outbox: written with the change, delivered after commit, once, with retries."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from grandrounds.db import now, write_transaction
from grandrounds.settings import get_settings
from notifications.dispatcher import MAX_ATTEMPTS, Dispatcher, claim_batch, new_worker_id, retry_failed
from notifications.outbox import Email, enqueue_email, enqueue_emails, queued_keys
from notifications.tables import OutboxMessage
from notifications.transports import MailLogTransport
from tests.builders.mail import smtp_dispatcher


async def test_sign_up_sends_a_welcome_email_over_smtp(client, smtp_server) -> None:
    inbox, port = smtp_server
    response = await client.post(
        "/api/v1/auth/signup",
        json={"email": "ada@example.org", "password": "a sturdy passphrase", "name": "Ada <b>Lovelace</b>"},
    )
    assert response.status_code == 201
    assert await smtp_dispatcher(port).run_once() == 1
    [message] = inbox.messages
    assert message["To"] == "ada@example.org"
    assert message["Subject"] == "Welcome to grandrounds, Ada <b>Lovelace</b>"
    parts = {
        part.get_content_type(): part.get_payload(decode=True).decode()
        for part in message.walk()
        if not part.is_multipart()
    }
    assert "Ada <b>Lovelace</b>" in parts["text/plain"], "plain text must not be HTML-escaped"
    assert "Ada &lt;b&gt;Lovelace&lt;/b&gt;" in parts["text/html"], "HTML must be escaped"
    row = await OutboxMessage.select().first()
    assert row["status"] == "sent" and row["sent_at"] is not None
    assert await smtp_dispatcher(port).run_once() == 0, "a sent message is not sent again"


async def test_a_rolled_back_change_sends_nothing(smtp_server) -> None:
    inbox, port = smtp_server
    with pytest.raises(RuntimeError):
        async with write_transaction():
            await enqueue_email("welcome", "x@example.org", {"name": "X", "account_url": "u"})
            raise RuntimeError("the registration failed after the outbox row was written")
    assert await OutboxMessage.count() == 0
    assert await smtp_dispatcher(port).run_once() == 0
    assert inbox.messages == []


async def test_failed_delivery_retries_with_backoff_then_gives_up(smtp_server) -> None:
    inbox, port = smtp_server
    async with write_transaction():
        await enqueue_email("welcome", "y@example.org", {"name": "Y", "account_url": "u"})
    broken = smtp_dispatcher(1)  # nothing listens on port 1
    assert await broken.run_once() == 0
    row = await OutboxMessage.select().first()
    assert row["status"] == "pending" and row["attempts"] == 1 and row["not_before"] > now()
    assert "send:" in row["last_error"]
    for _attempt in range(2, MAX_ATTEMPTS + 1):
        await OutboxMessage.update({OutboxMessage.not_before: now() - timedelta(seconds=1)}).where(
            OutboxMessage.id == row["id"]
        )
        await broken.run_once()
    row = await OutboxMessage.select().first()
    assert row["status"] == "failed" and row["attempts"] == MAX_ATTEMPTS
    assert await retry_failed(row["id"]) is True
    assert await smtp_dispatcher(port).run_once() == 1
    assert len(inbox.messages) == 1


async def test_dedupe_key_queues_once() -> None:
    async with write_transaction():
        assert await enqueue_email(
            "welcome", "z@example.org", {"name": "Z", "account_url": "u"}, dedupe_key="k1"
        )
        assert not await enqueue_email(
            "welcome", "z@example.org", {"name": "Z", "account_url": "u"}, dedupe_key="k1"
        )
    assert await OutboxMessage.count() == 1


async def test_two_workers_deliver_each_message_exactly_once(smtp_server) -> None:
    inbox, port = smtp_server
    async with write_transaction():
        for i in range(40):
            await enqueue_email("welcome", f"p{i}@example.org", {"name": f"P{i}", "account_url": "u"})
    first, second = smtp_dispatcher(port), smtp_dispatcher(port)
    counts = await asyncio.gather(first.run_once(), second.run_once())
    assert sum(counts) == 40
    recipients = sorted(m["To"] for m in inbox.messages)
    assert recipients == sorted(f"p{i}@example.org" for i in range(40))
    assert await OutboxMessage.count().where(OutboxMessage.status == "sent") == 40


async def test_a_dead_workers_lease_expires_and_another_takes_over(smtp_server) -> None:
    inbox, port = smtp_server
    async with write_transaction():
        for i in range(3):
            await enqueue_email("welcome", f"q{i}@example.org", {"name": "Q", "account_url": "u"})
    # A worker claims the batch and dies before delivering anything.
    claimed = await claim_batch("dead-worker")
    assert len(claimed) == 3
    assert await smtp_dispatcher(port).run_once() == 0, "leased rows are not taken while the lease runs"
    await OutboxMessage.update({OutboxMessage.claimed_until: now() - timedelta(seconds=1)}).where(
        OutboxMessage.claimed_by == "dead-worker"
    )
    assert await smtp_dispatcher(port).run_once() == 3
    assert len(inbox.messages) == 3


async def test_mail_log_is_the_embedded_default(tmp_path) -> None:
    async with write_transaction():
        await enqueue_email("welcome", "log@example.org", {"name": "Log", "account_url": "u"})
    settings = get_settings()
    dispatcher = Dispatcher(MailLogTransport(tmp_path / "mail.log"), settings, new_worker_id())
    assert await dispatcher.run_once() == 1
    logged = (tmp_path / "mail.log").read_text()
    assert "To: log@example.org" in logged and "Welcome to grandrounds, Log" in logged


async def test_unknown_template_fails_permanently_without_retry() -> None:
    async with write_transaction():
        await enqueue_email("no-such-template", "t@example.org", {})
    dispatcher = Dispatcher(
        MailLogTransport(get_settings().var_dir / "unused.log"), get_settings(), new_worker_id()
    )
    assert await dispatcher.run_once() == 0
    row = await OutboxMessage.select().first()
    assert row["status"] == "failed" and row["last_error"].startswith("render:")


async def test_a_bulk_enqueue_keeps_each_dedupe_key_once() -> None:
    def welcome(n: int) -> Email:
        return Email(
            "welcome", f"bulk{n}@example.org", {"name": f"B{n}", "account_url": "u"}, dedupe_key=f"bulk:{n}"
        )

    async with write_transaction():
        assert await enqueue_email(
            "welcome", "bulk0@example.org", {"name": "B0", "account_url": "u"}, dedupe_key="bulk:0"
        )
    assert await queued_keys(["bulk:0", "bulk:1"]) == {"bulk:0"}
    async with write_transaction():
        # bulk:0 is queued already and bulk:1 comes twice in the batch: two rows are added.
        assert await enqueue_emails([welcome(0), welcome(1), welcome(1), welcome(2)]) == 2
    assert await OutboxMessage.count() == 3
    async with write_transaction():
        assert await enqueue_emails([welcome(2)]) == 0
