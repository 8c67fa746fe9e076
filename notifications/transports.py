"""Where email goes: an SMTP server (production), or the mail log under var/ (the embedded default).

Also how a message is put together: plain text and HTML alternatives, and,
when the outbox row carries a calendar invite, the iTIP part that calendar
clients act on plus the same file as an ``invite.ics`` attachment for those
that only look at attachments.
"""

from __future__ import annotations

import asyncio
from email.message import EmailMessage
from email.utils import formatdate
from pathlib import Path
from typing import Any, Protocol

import aiosmtplib

from grandrounds.settings import Settings


class MailTransport(Protocol):
    async def send(self, message: EmailMessage) -> None: ...


class MailLogTransport:
    """Appends each message to a file, so a newcomer can read what would have been sent."""

    SEPARATOR = "\n" + "=" * 72 + "\n"

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = asyncio.Lock()

    async def send(self, message: EmailMessage) -> None:
        async with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            data = message.as_string() + self.SEPARATOR
            await asyncio.to_thread(self._append, data)

    def _append(self, data: str) -> None:
        with self.path.open("a", encoding="utf-8") as handle:
            handle.write(data)


class SMTPTransport:
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
