"""Shapes of the messages API."""

from __future__ import annotations

from datetime import datetime

import msgspec


class MessageOut(msgspec.Struct):
    id: int
    template: str
    recipient: str
    subject: str
    status: str
    attempts: int
    created_at: datetime
    sent_at: datetime | None
    not_before: datetime
    last_error: str
    # The program the message was sent for; null for site-wide mail (accounts, the directory).
    program_id: int | None = None


class MessagePage(msgspec.Struct):
    items: list[MessageOut]
    total: int
    limit: int
    offset: int


class SentMail(msgspec.Struct):
    to: str
    subject: str
    date: str
    text: str
    has_invite: bool


class TemplateOut(msgspec.Struct):
    name: str
    description: str
    context: dict[str, str]
