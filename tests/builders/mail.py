"""Mail: a real SMTP server on loopback (aiosmtpd) that keeps what it receives, and reading what came.

``smtp_server`` is a fixture; a conftest (or test module) that wants it imports it from here.
"""

from __future__ import annotations

import asyncio
import dataclasses
import socket
import threading
from collections.abc import Iterator
from email import message_from_bytes
from email.message import Message
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from icalendar import Calendar

from grandrounds.settings import get_settings
from notifications.dispatcher import Dispatcher, new_worker_id
from notifications.transports import SMTPTransport


class Inbox:
    def __init__(self) -> None:
        self.messages: list[Message] = []
        # Set once a message is in: a test waits on it (with a timeout) instead of polling.
        self.received = threading.Event()

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
        self.messages.append(message_from_bytes(envelope.original_content or envelope.content))
        self.received.set()
        return "250 OK"


class GatedInbox(Inbox):
    """An inbox that holds the first message's answer until the test says so: a worker is then
    caught in the middle of sending (``arrived`` set, its 250 not yet given)."""

    def __init__(self) -> None:
        super().__init__()
        self.arrived = threading.Event()
        self.gate = threading.Event()

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
        self.arrived.set()
        await asyncio.to_thread(self.gate.wait, 60)
        return await super().handle_DATA(server, session, envelope)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def smtp_server() -> Iterator[tuple[Inbox, int]]:
    inbox = Inbox()
    port = _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


@pytest.fixture
def gated_smtp_server() -> Iterator[tuple[GatedInbox, int]]:
    inbox = GatedInbox()
    port = _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        inbox.gate.set()
        controller.stop()


class MailServer:
    """A loopback SMTP server with its own inbox, outside pytest (the bench scripts)."""

    def __init__(self) -> None:
        self.inbox = Inbox()
        self.port = _free_port()
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)

    def __enter__(self) -> MailServer:
        self.controller.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.controller.stop()


def smtp_env(port: int) -> dict[str, str]:
    """The environment that sends a `grandrounds` process's mail to the test server on ``port``."""
    return {"SMTP_HOST": HOST, "SMTP_PORT": str(port), "SMTP_SECURITY": "none"}


def per_message(inbox: Inbox) -> dict[str, int]:
    """How many times each Message-ID arrived (one outbox row is one Message-ID)."""
    counts: dict[str, int] = {}
    for message in inbox.messages:
        counts[str(message["Message-ID"])] = counts.get(str(message["Message-ID"]), 0) + 1
    return counts


def smtp_dispatcher(port: int) -> Dispatcher:
    settings = dataclasses.replace(
        get_settings(), smtp_host="127.0.0.1", smtp_port=port, smtp_security="none"
    )
    return Dispatcher(SMTPTransport(settings), settings, new_worker_id())


HOST = "127.0.0.1"  # the host of the tests' BASE_URL


async def deliver(port: int) -> int:
    settings = dataclasses.replace(get_settings(), smtp_host=HOST, smtp_port=port, smtp_security="none")
    return await Dispatcher(SMTPTransport(settings), settings, new_worker_id()).run_once()


def leaves(message: Message) -> list[Message]:
    return [p for p in message.walk() if not p.is_multipart()]


def texts(message: Message) -> str:
    return "\n".join(p.get_payload(decode=True).decode() for p in leaves(message))


def calendar_of(message: Message) -> Calendar:
    """The iTIP part, checked for the shape calendar clients expect."""
    assert message.get_content_type() == "multipart/mixed"
    alternative, attachment = message.get_payload()
    assert alternative.get_content_type() == "multipart/alternative"
    kinds = [p.get_content_type() for p in alternative.get_payload()]
    assert kinds == ["text/plain", "text/html", "text/calendar"]
    part = alternative.get_payload()[2]
    raw = part.get_payload(decode=True)
    assert b"\r\n" in raw, "iCalendar lines end in CRLF"
    calendar = Calendar.from_ical(raw)
    assert part.get_param("method") == str(calendar["METHOD"]), "method param must match METHOD"
    assert part.get_content_charset() == "utf-8"
    assert attachment.get_filename() == "invite.ics"
    assert attachment.get_payload(decode=True) == raw
    return calendar


def vevent(calendar: Calendar) -> Any:
    [event] = calendar.events
    return event


def to(inbox, address: str) -> list[Message]:
    return [m for m in inbox.messages if m["To"] == address]
