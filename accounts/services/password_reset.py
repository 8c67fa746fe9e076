"""Forgotten passwords: a one-time link by email, valid for an hour.

Asking for a link answers the same whether or not the address has an
account, so the form cannot be used to find out who is a member. The link's
token is random (256 bits) and only its SHA-256 is stored; using it sets the
new password, burns every other open link, and signs the person out
everywhere, since whoever forgot the password may not be the only one who
knew it.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from accounts import errors
from accounts.passwords import check_strength, hash_password
from accounts.services.people import normalize_email
from accounts.tables import PasswordReset, Person, SignInSession
from grandrounds.db import now, write_transaction
from grandrounds.errors import DomainError
from grandrounds.settings import get_settings
from notifications.outbox import enqueue_email

LINK_LIFETIME = timedelta(hours=1)
MAX_LINKS_PER_HOUR = 3


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def request_reset(raw_email: str) -> None:
    """Queue a reset link if the address has an active account; silent either way."""
    try:
        email = normalize_email(raw_email)
    except DomainError:
        return
    person = (
        await Person.select(Person.id, Person.name, Person.is_active).where(Person.email == email).first()
    )
    if person is None or not person["is_active"]:
        return
    token = secrets.token_urlsafe(32)
    async with write_transaction():
        recent = await PasswordReset.count().where(
            (PasswordReset.person == person["id"]) & (PasswordReset.created_at > now() - timedelta(hours=1))
        )
        if recent >= MAX_LINKS_PER_HOUR:
            return  # enough links are on their way; more would only help someone flood the inbox
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
    """Set the new password; the person's id. Every session and open link of theirs ends."""
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
    return person_id
