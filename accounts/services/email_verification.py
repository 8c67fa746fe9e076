"""Proving an address: a signed link in the welcome email, valid for a week.

Sign-up does not prove that someone owns the address they typed, so anything
matched by email (a speaker invitation waiting for its speaker, for one)
waits until the person has followed this link, reset their password by
email, or been created by an admin. The link is stateless: an HMAC over the
person, the address and an expiry, keyed by the instance's secret key; it
stops working if the address changes.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time

from accounts import errors
from accounts.tables import Person
from grandrounds.db import now, write_transaction
from grandrounds.settings import get_settings
from notifications.outbox import enqueue_email

LIFETIME_SECONDS = 7 * 24 * 3600


def _sign(payload: str) -> str:
    key = get_settings().secret_key.encode()
    return hmac.new(key, f"verify-email:{payload}".encode(), hashlib.sha256).hexdigest()[:32]


def make_token(person_id: int, email: str, at: float | None = None) -> str:
    expires = int((at or time.time()) + LIFETIME_SECONDS)
    payload = f"{person_id}:{expires}"
    encoded = base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=")
    return f"{encoded}.{_sign(f'{payload}:{email}')}"


def verify_url(person_id: int, email: str) -> str:
    return f"{get_settings().base_url}/account/verify/{make_token(person_id, email)}"


async def confirm(token: str, at: float | None = None) -> int:
    """Mark the address verified; the person's id. Raises for a forged, stale or changed-address link."""
    try:
        encoded, signature = token.split(".", 1)
        payload = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)).decode()
        person_text, expires_text = payload.split(":", 1)
        person_id, expires = int(person_text), int(expires_text)
    except (ValueError, UnicodeDecodeError):
        raise errors.verification_link_invalid() from None
    row = await Person.select(Person.email, Person.email_verified_at).where(Person.id == person_id).first()
    expected = _sign(f"{payload}:{row['email']}") if row else ""
    if row is None or not hmac.compare_digest(expected, signature) or expires < (at or time.time()):
        raise errors.verification_link_invalid()
    if row["email_verified_at"] is None:
        await mark_verified(person_id)
    return person_id


async def mark_verified(person_id: int) -> None:
    async with write_transaction():
        await Person.update({Person.email_verified_at: now()}).where(
            (Person.id == person_id) & Person.email_verified_at.is_null()
        )


async def is_verified(person_id: int) -> bool:
    row = await Person.select(Person.email_verified_at).where(Person.id == person_id).first()
    return bool(row and row["email_verified_at"] is not None)


async def resend(person_id: int) -> bool:
    """Queue the link again (at most once every ten minutes); False when verified already or too soon."""
    row = (
        await Person.select(Person.email, Person.name, Person.email_verified_at)
        .where(Person.id == person_id)
        .first()
    )
    if row is None or row["email_verified_at"] is not None:
        return False
    window = int(time.time() // 600)
    async with write_transaction():
        return await enqueue_email(
            "verify_email",
            row["email"],
            {"name": row["name"], "verify_url": verify_url(person_id, row["email"])},
            person_id=person_id,
            dedupe_key=f"verify-email:{person_id}:{window}",
            secret_keys=("verify_url",),  # a working confirmation link is not kept once sent
        )
