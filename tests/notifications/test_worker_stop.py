"""`grandrounds worker` stops on SIGTERM the safe way: the message it is sending goes out once,
the rest of its batch is handed back at once, and it exits 0."""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path

from grandrounds.db import write_transaction
from notifications.outbox import enqueue_email
from notifications.tables import OutboxMessage
from tests.builders.mail import GatedInbox, gated_smtp_server, per_message, smtp_env
from tests.builders.processes import AppProcess

__all__ = ["gated_smtp_server"]


async def test_sigterm_lets_the_worker_finish_the_message_it_is_sending(
    run_dir: Path, gated_smtp_server: tuple[GatedInbox, int]
) -> None:
    inbox, port = gated_smtp_server
    async with write_transaction():
        for n in range(3):
            await enqueue_email("welcome", f"stop{n}@example.org", {"name": f"Stop {n}", "account_url": "u"})
    worker = AppProcess.worker(run_dir, smtp_env(port), name="worker-sigterm")
    await worker.start()
    try:
        # The worker has handed the first message to the SMTP server, which has not answered yet.
        assert await asyncio.to_thread(inbox.arrived.wait, 60), "the worker never started sending"
        worker.signal(signal.SIGTERM)
        inbox.gate.set()
        assert await worker.wait(within=30) == 0
    finally:
        await worker.stop()

    assert list(per_message(inbox).values()) == [1]
    rows = await OutboxMessage.select().order_by(OutboxMessage.id)
    sent = [r for r in rows if r["status"] == "sent"]
    assert [r["recipient"] for r in sent] == [inbox.messages[0]["To"]] == ["stop0@example.org"]
    # The other two were claimed with the first, and are free again: no lease to wait out,
    # and the claim's attempt is given back since they were never tried.
    waiting = [r for r in rows if r["status"] == "pending"]
    assert [(r["claimed_by"], r["claimed_until"], r["attempts"]) for r in waiting] == [(None, None, 0)] * 2

    again = AppProcess(["worker", "--once"], smtp_env(port), run_dir / "worker-once.log")
    await again.start()
    assert await again.wait(within=60) == 0
    assert sorted(per_message(inbox).values()) == [1, 1, 1]
    assert await OutboxMessage.count().where(OutboxMessage.status == "sent") == 3
