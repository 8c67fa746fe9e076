"""Sign-in sessions and personal API tokens.

Both are random secrets handed to the client once; the database keeps only
their SHA-256, so a leaked backup cannot be replayed. Sessions live in the
database rather than in process memory so that several API processes share them.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from accounts import errors
from accounts.passwords import burn_time, verify_password
from accounts.principal import STAFF_ROLES, Principal, Role
from accounts.schemas import TokenCreated, TokenOut
from accounts.services import throttle
from accounts.services.people import normalize_email
from accounts.services.standing import with_derived
from accounts.tables import ApiToken, Person, SignInSession
from grandrounds.db import now, write_transaction

TOKEN_PREFIX = "grt_"  # noqa: S105 - a public marker, not a secret
LAST_USED_RESOLUTION = timedelta(minutes=5)


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class OpenedSession:
    person_id: int
    secret: str  # goes into the cookie; never stored


async def authenticate(email: str, password: str, client_address: str = "") -> int:
    """The person id for a correct email and password; a uniform error otherwise.

    A client that failed too often recently is told to wait (accounts.services.throttle)
    before any password is checked; others, the account's owner among them, go ahead.
    """
    try:
        email = normalize_email(email)
    except Exception:
        await burn_time(password)
        raise errors.invalid_credentials() from None
    clearance = await throttle.clear_sign_in(email, client_address)
    row = (
        await Person.select(Person.id, Person.password_hash, Person.is_active)
        .where(Person.email == email)
        .first()
    )
    if row is None:
        await burn_time(password)
        ok = False
    else:
        ok = await verify_password(row["password_hash"], password) and row["is_active"]
    if not ok or row is None:
        await throttle.record_failure(clearance)
        raise errors.invalid_credentials()
    await throttle.forgive(clearance)
    return int(row["id"])


async def open_session(person_id: int, ttl_hours: int) -> OpenedSession:
    secret = secrets.token_urlsafe(32)
    async with write_transaction():
        await SignInSession.insert(
            SignInSession(
                person=person_id,
                token_hash=_digest(secret),
                expires_at=now() + timedelta(hours=ttl_hours),
            )
        )
    return OpenedSession(person_id=person_id, secret=secret)


async def close_session(secret: str) -> None:
    async with write_transaction():
        await SignInSession.update({SignInSession.revoked_at: now()}).where(
            (SignInSession.token_hash == _digest(secret)) & SignInSession.revoked_at.is_null()
        )


async def close_every_session(person_id: int) -> int:
    """Sign the person out everywhere (every browser, this one too); how many sessions ended."""
    async with write_transaction():
        ended = (
            await SignInSession.update({SignInSession.revoked_at: now()})
            .where((SignInSession.person == person_id) & SignInSession.revoked_at.is_null())
            .returning(SignInSession.id)
        )
    return len(ended)


# Who is calling, in one indexed query per request: the credential by its hash (unique index),
# its person, their open role grants (one row each, so a person with none still gets one row) and
# whether their second factor is on. Nothing is cached, so a revoked token, an ended session, a
# deactivated person or a revoked grant counts from the very next request.
_CALLER = """
SELECT c.id AS credential_id, c.person AS person_id, %s AS last_used_at, p.email, p.name, g.role,
  EXISTS (SELECT 1 FROM accounts_two_factor f
          WHERE f.person = p.id AND f.confirmed_at IS NOT NULL) AS second_factor
FROM %s c
JOIN accounts_person p ON p.id = c.person AND p.is_active
LEFT JOIN accounts_role_grant g ON g.person = p.id AND g.revoked_at IS NULL
WHERE c.token_hash = {} AND c.revoked_at IS NULL %s
"""
_CALLER_BY_TOKEN = _CALLER % ("c.last_used_at", "accounts_api_token", "")
_CALLER_BY_SESSION = _CALLER % ("NULL", "accounts_session", "AND c.expires_at > {}")


async def _principal(rows: list[dict[str, Any]], via: str) -> Principal | None:
    """The principal the caller query's rows describe, with the roles the role sources derive."""
    if not rows:
        return None
    first = rows[0]
    known = set(Role.__members__.values())
    granted = {Role(r["role"]) for r in rows if r["role"] in known}
    person_id = int(first["person_id"])
    roles = (await with_derived({person_id: granted}))[person_id]
    return Principal(
        person_id=person_id,
        email=first["email"],
        name=first["name"],
        roles=roles,
        via=via,
        credential_id=int(first["credential_id"]),
        second_factor=bool(roles & STAFF_ROLES) and bool(first["second_factor"]),
    )


async def principal_from_session(secret: str) -> Principal | None:
    rows = await SignInSession.raw(_CALLER_BY_SESSION, _digest(secret), now())
    return await _principal(rows, "session")


async def principal_from_token(secret: str) -> Principal | None:
    if not secret.startswith(TOKEN_PREFIX):
        return None
    rows = await ApiToken.raw(_CALLER_BY_TOKEN, _digest(secret))
    if not rows:
        return None
    stamp, last_used = now(), rows[0]["last_used_at"]
    if last_used is None or stamp - last_used > LAST_USED_RESOLUTION:
        # Outside a write transaction and at most every few minutes: a lost
        # stamp is harmless, a write on every API call is not.
        await ApiToken.update({ApiToken.last_used_at: stamp}).where(ApiToken.id == rows[0]["credential_id"])
    return await _principal(rows, "token")


async def create_token(person_id: int, name: str) -> TokenCreated:
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    prefix = secret[: len(TOKEN_PREFIX) + 6]
    async with write_transaction():
        row = (
            await ApiToken.insert(
                ApiToken(
                    person=person_id, name=name.strip() or "token", prefix=prefix, token_hash=_digest(secret)
                )
            ).returning(ApiToken.id)
        )[0]
    return TokenCreated(id=row["id"], name=name, prefix=prefix, token=secret)


async def list_tokens(person_id: int) -> list[TokenOut]:
    rows = await ApiToken.select().where(ApiToken.person == person_id).order_by(ApiToken.id)
    return [
        TokenOut(
            id=r["id"],
            name=r["name"],
            prefix=r["prefix"],
            created_at=r["created_at"],
            last_used_at=r["last_used_at"],
            revoked_at=r["revoked_at"],
        )
        for r in rows
    ]


async def revoke_token(person_id: int, token_id: int) -> None:
    """Only the token's owner may revoke it; someone else's id looks like no token at all."""
    async with write_transaction():
        owned = await ApiToken.exists().where((ApiToken.id == token_id) & (ApiToken.person == person_id))
        if not owned:
            raise errors.token_not_found()
        await ApiToken.update({ApiToken.revoked_at: now()}).where(
            (ApiToken.id == token_id) & ApiToken.revoked_at.is_null()
        )
