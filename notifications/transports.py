"""Where email goes: an SMTP server (production), or the mail log under var/ (the embedded default).

The mail log is a record people read (admins on ``/staff/mail``, anyone with
the file), not a mailbox: its messages are rendered with their secret links
blanked (``blanks_secrets``), as the outbox blanks them once a row is sent,
and the file is created readable by its owner only. To follow a reset or
invitation link on a development machine, point ``SMTP_HOST`` at a local mail
catcher instead.

Also how a message is put together: plain text and HTML alternatives, and,
when the outbox row carries a calendar invite, the iTIP part that calendar
clients act on plus the same file as an ``invite.ics`` attachment for those
that only look at attachments.
"""

from __future__ import annotations

import asyncio
import os
from email.message import EmailMessage
from email.utils import formatdate
from pathlib import Path
from typing import Any, Protocol

import aiosmtplib

from grandrounds.settings import PRIVATE_FILE_MODE, Settings, private_dir


class MailTransport(Protocol):
    # True when what the transport writes is a record others read rather than the recipient's
    # mailbox: the dispatcher then renders the message with its secret links blanked.
    blanks_secrets: bool

    async def send(self, message: EmailMessage) -> None: ...


class MailLogTransport:
    """Appends each message to a file, so a newcomer can read what would have been sent."""

    SEPARATOR = "\n" + "=" * 72 + "\n"
    blanks_secrets = True

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = asyncio.Lock()

    async def send(self, message: EmailMessage) -> None:
        async with self._lock:
            data = message.as_string() + self.SEPARATOR
            await asyncio.to_thread(self._append, data)

    def _append(self, data: str) -> None:
        private_dir(self.path.parent)
        descriptor = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, PRIVATE_FILE_MODE)
        os.fchmod(descriptor, PRIVATE_FILE_MODE)  # a log made before by hand or by an older version too
        with os.fdopen(descriptor, "a", encoding="utf-8") as handle:
            handle.write(data)


class SMTPTransport:
    blanks_secrets = False

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    async def send(self, message: EmailMessage) -> None:
        s = self.settings
        await aiosmtplib.send(
            message,
            hostname=s.smtp_host,
            port=s.smtp_port,
            username=s.smtp_username or None,
            password=s.smtp_password or None,
            use_tls=s.smtp_security == "tls",
            start_tls=True if s.smtp_security == "starttls" else False,
            timeout=30,
        )


def transport_for(settings: Settings) -> MailTransport:
    if settings.smtp_host:
        return SMTPTransport(settings)
    return MailLogTransport(settings.mail_log)


def new_message(sender: str, recipient: str, subject: str, message_id: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = recipient
    message["Subject"] = subject
    message["Date"] = formatdate(usegmt=True)
    # Stable per outbox row: a re-delivery after a crash is recognisable as the same message.
    message["Message-ID"] = message_id
    return message


CALENDAR_METHODS = frozenset({"REQUEST", "CANCEL"})


def fill_body(message: EmailMessage, text: str, html: str, context: dict[str, Any]) -> None:
    """Write the body; with ``context["ics"]`` the message becomes

    multipart/mixed { multipart/alternative { text/plain, text/html,
    text/calendar; method=M }, invite.ics }. The calendar goes in as bytes so
    its CRLF line ends survive, and ``method`` must repeat the METHOD line,
    or clients treat the invite as a plain file.
    """
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    ics = context.get("ics")
    if not ics:
        return
    method = str(context.get("ics_method", "")).upper()
    if method not in CALENDAR_METHODS or f"\r\nMETHOD:{method}\r\n" not in ics:
        raise ValueError(f"calendar method {method!r} does not match the invite's METHOD line")
    data = ics.encode("utf-8")
    message.add_alternative(
        data, maintype="text", subtype="calendar", params={"method": method, "charset": "utf-8"}
    )
    message.add_attachment(data, maintype="application", subtype="ics", filename="invite.ics")
