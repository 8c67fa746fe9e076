"""Kill -9 the worker mid-batch, start it again: every message arrives exactly once.

The SMTP server (aiosmtpd on loopback) takes a moment over each message, as a
real one does; a message counts as received only once the server has answered
250. Workers are real ``grandrounds worker`` processes on the suite's database.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from email import message_from_bytes
from email.message import Message

import pytest
from aiosmtpd.controller import Controller

from grandrounds.db import write_transaction
from notifications.outbox import enqueue_email
from notifications.tables import OutboxMessage

MESSAGES = 12
SMTP_DELAY = 0.3


class SlowInbox:
    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
        # A client killed during this pause never gets its 250: the message is not received.
        await asyncio.sleep(SMTP_DELAY)
        self.messages.append(message_from_bytes(envelope.original_content or envelope.content))
        return "250 OK"


@pytest.fixture
def slow_smtp() -> Iterator[tuple[SlowInbox, int]]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    inbox = SlowInbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


def _start_worker(port: int) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(port),
        "SMTP_SECURITY": "none",
        "GRANDROUNDS_OUTBOX_LEASE_SECONDS": "2",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "grandrounds.server.cli", "worker"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


async def _wait_for(predicate, seconds: float) -> None:  # type: ignore[no-untyped-def]
    for _ in range(int(seconds / 0.05)):
        if predicate():
            return
        await asyncio.sleep(0.05)


async def _crash_and_recover(inbox: SlowInbox, port: int, workers: int) -> None:
    async with write_transaction():
        for n in range(MESSAGES):
            await enqueue_email("welcome", f"p{n}@example.org", {"name": f"P{n}", "account_url": "u"})
    first = [_start_worker(port) for _ in range(workers)]
    try:
        await _wait_for(lambda: len(inbox.messages) >= 3, 60)
        assert len(inbox.messages) >= 3, "the workers never delivered"
        # Half-way through the next message's SMTP exchange, not in the instant after a 250.
        await asyncio.sleep(SMTP_DELAY / 2)
        for process in first:
            process.send_signal(signal.SIGKILL)
            process.wait()
    finally:
        for process in first:
            if process.poll() is None:
                process.kill()
    received_at_crash = len(inbox.messages)
    assert received_at_crash < MESSAGES, "the crash must land mid-batch"
    second = [_start_worker(port) for _ in range(workers)]
    try:
        await _wait_for(lambda: len(inbox.messages) >= MESSAGES, 90)
        await asyncio.sleep(3 * SMTP_DELAY)  # room for a duplicate to show up, if any were coming
    finally:
        for process in second:
            process.terminate()
            process.wait(timeout=10)
    recipients = [m["To"] for m in inbox.messages]
    assert sorted(recipients) == sorted(f"p{n}@example.org" for n in range(MESSAGES)), "each exactly once"
    statuses = await OutboxMessage.select(OutboxMessage.status)
    assert {row["status"] for row in statuses} == {"sent"}


async def test_killed_worker_restarted_delivers_exactly_once(slow_smtp) -> None:
    inbox, port = slow_smtp
    await _crash_and_recover(inbox, port, workers=1)


async def test_two_killed_postgres_workers_restarted_deliver_exactly_once(slow_smtp) -> None:
    if not os.environ["DATABASE_URL"].startswith("postgres"):
        pytest.skip("several workers share one queue on PostgreSQL; SQLite runs one worker (test above)")
    inbox, port = slow_smtp
    await _crash_and_recover(inbox, port, workers=2)
