"""Forgotten passwords: a one-time link by email, valid for an hour.

Asking for a link answers the same whether or not the address has an
account, and does the same work: the request only records that a link was
asked for (and counts it against the client's hourly quota). The dispatcher's
chore, :func:`deliver_requested_links`, looks the address up, makes the link
and queues the mail, off the request path, so neither the answer nor its
timing tells who is a member. The link's token is random (256 bits) and only
its SHA-256 is stored; using it sets the new password, burns every other open
link, signs the person out everywhere and revokes their API tokens, since
whoever forgot the password may not be the only one who knew it.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from accounts import errors
from accounts.passwords import check_strength, hash_password
from accounts.services import throttle
from accounts.services.people import normalize_email
from accounts.tables import ApiToken, PasswordReset, PasswordResetRequest, Person, SignInSession
from grandrounds.db import now, write_transaction
from grandrounds.errors import DomainError
from grandrounds.settings import get_settings
from notifications.outbox import enqueue_email

LINK_LIFETIME = timedelta(hours=1)
MAX_LINKS_PER_HOUR = 3
BATCH = 50


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def request_reset(raw_email: str, client_address: str = "") -> None:
    """Record that a link was asked for; the same statements whether or not the address has an account.

    Refused with ``auth.throttled`` when this client asked too often this hour.
    """
    client = throttle.client_key(client_address)
    await throttle.check_quota(
        throttle.PASSWORD_RESET,
        client,
        throttle.limits().password_links_per_client_per_hour,
        errors.reset_throttled,
    )
    try:
        email = normalize_email(raw_email)
    except DomainError:
        email = ""  # counted like any other request, never looked up
    async with write_transaction():
        await throttle.count_attempt(throttle.PASSWORD_RESET, client)
        await PasswordResetRequest.insert(
            PasswordResetRequest(email=email, handled_at=None if email else now())
        )


async def deliver_requested_links(limit: int = BATCH) -> int:
    """The dispatcher's chore: answer waiting requests; how many links were queued.

    Each request is claimed by a conditional UPDATE (handled, address blanked), so
    two workers never answer one twice; the link and its mail are written in the
    same transaction. An address without an active account, or whose account
    got ``MAX_LINKS_PER_HOUR`` links this hour already, gets nothing.
    """
    waiting = (
        await PasswordResetRequest.select(PasswordResetRequest.id, PasswordResetRequest.email)
        .where(PasswordResetRequest.handled_at.is_null())
        .order_by(PasswordResetRequest.id)
        .limit(limit)
    )
    queued = 0
    for request in waiting:
        queued += await _answer(int(request["id"]), str(request["email"]))
    return queued


async def _answer(request_id: int, email: str) -> int:
    person = (
        await Person.select(Person.id, Person.name, Person.is_active).where(Person.email == email).first()
        if email
        else None
    )
    token = secrets.token_urlsafe(32)
    async with write_transaction():
        claimed = (
            await PasswordResetRequest.update(
                {PasswordResetRequest.handled_at: now(), PasswordResetRequest.email: ""}
            )
            .where((PasswordResetRequest.id == request_id) & PasswordResetRequest.handled_at.is_null())
            .returning(PasswordResetRequest.id)
        )
        if not claimed or person is None or not person["is_active"]:
            return 0
        recent = await PasswordReset.count().where(
            (PasswordReset.person == person["id"]) & (PasswordReset.created_at > now() - timedelta(hours=1))
        )
        if recent >= MAX_LINKS_PER_HOUR:
            return 0  # enough links are on their way; more would only help someone flood the inbox
        await PasswordReset.insert(
            PasswordReset(person=person["id"], token_hash=_digest(token), expires_at=now() + LINK_LIFETIME)
        )
        await enqueue_email(
            "password_reset",
            email,
            {
                "name": person["name"],
                "reset_url": f"{get_settings().base_url}/password/reset/{token}",
                "valid_minutes": int(LINK_LIFETIME.total_seconds() // 60),
            },
            person_id=person["id"],
            secret_keys=("reset_url",),  # the outbox record keeps no working link once sent
        )
    return 1


async def _open_link(token: str) -> dict[str, object]:
    if not token or len(token) > 100:
        raise errors.reset_link_invalid()
    row = await PasswordReset.select().where(PasswordReset.token_hash == _digest(token)).first()
    if row is None or row["used_at"] is not None or row["expires_at"] <= now():
        raise errors.reset_link_invalid()
    return row


async def check_link(token: str) -> None:
    await _open_link(token)


async def complete_reset(token: str, new_password: str) -> int:
    """Set the new password; the person's id. Every session, API token and open link of theirs ends."""
    link = await _open_link(token)
    person_id = int(str(link["person"]))
    email = await Person.select(Person.email).where(Person.id == person_id).first()
    check_strength(new_password, email["email"] if email else "")
    password_hash = await hash_password(new_password)
    moment = now()
    async with write_transaction():
        # Re-check inside the transaction: two tabs racing on one link get one success.
        used = (
            await PasswordReset.update({PasswordReset.used_at: moment})
            .where((PasswordReset.id == link["id"]) & PasswordReset.used_at.is_null())
            .returning(PasswordReset.id)
        )
        if not used:
            raise errors.reset_link_invalid()
        await PasswordReset.update({PasswordReset.used_at: moment}).where(
            (PasswordReset.person == person_id) & PasswordReset.used_at.is_null()
        )
        # Following the emailed link proves the mailbox too.
        await Person.update({Person.password_hash: password_hash}).where(Person.id == person_id)
        await Person.update({Person.email_verified_at: moment}).where(
            (Person.id == person_id) & Person.email_verified_at.is_null()
        )
        await SignInSession.update({SignInSession.revoked_at: moment}).where(
            (SignInSession.person == person_id) & SignInSession.revoked_at.is_null()
        )
        # A token made by whoever knew the old password would outlive the reset otherwise.
        await ApiToken.update({ApiToken.revoked_at: moment}).where(
            (ApiToken.person == person_id) & ApiToken.revoked_at.is_null()
        )
    return person_id
