"""Accounts: what the outbox queued for an address, and the links people get by email."""

from __future__ import annotations

import json
from typing import Any

import httpx

from accounts.services.password_reset import deliver_requested_links
from notifications.tables import OutboxMessage


async def queued_context(template: str, recipient: str) -> dict[str, Any]:
    """The context of the newest message of ``template`` queued for ``recipient``."""
    row = (
        await OutboxMessage.select(OutboxMessage.context)
        .where((OutboxMessage.template == template) & (OutboxMessage.recipient == recipient))
        .order_by(OutboxMessage.id, ascending=False)
        .first()
    )
    assert row is not None, f"no {template} queued for {recipient}"
    context = row["context"]
    return dict(json.loads(context) if isinstance(context, str) else context)


async def reset_token(client: httpx.AsyncClient, email: str) -> str:
    """Ask for a password link as the forgot-password form does, let the dispatcher's chore make it
    (links are made off the request path), and read its token from the queued mail."""
    asked = await client.post("/api/v1/auth/password-reset", json={"email": email})
    assert asked.status_code == 202, asked.text
    await deliver_requested_links()
    return str((await queued_context("password_reset", email))["reset_url"]).rsplit("/", 1)[1]
