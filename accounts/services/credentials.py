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

from accounts import errors
from accounts.passwords import burn_time, verify_password
from accounts.principal import STAFF_ROLES, Principal
from accounts.schemas import TokenCreated, TokenOut
from accounts.services import throttle, two_factor
from accounts.services.people import normalize_email, roles_of
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


async def _principal(person_id: int, via: str, credential_id: int) -> Principal | None:
    person = (
        await Person.select(Person.email, Person.name, Person.is_active).where(Person.id == person_id).first()
    )
    if person is None or not person["is_active"]:
        return None
    roles = await roles_of(person_id)
    return Principal(
        person_id=person_id,
        email=person["email"],
        name=person["name"],
        roles=roles,
        via=via,
        credential_id=credential_id,
        second_factor=bool(roles & STAFF_ROLES) and await two_factor.is_enabled(person_id),
    )


async def principal_from_session(secret: str) -> Principal | None:
    row = (
        await SignInSession.select(SignInSession.id, SignInSession.person)
        .where(
            (SignInSession.token_hash == _digest(secret))
            & SignInSession.revoked_at.is_null()
            & (SignInSession.expires_at > now())
        )
        .first()
    )
    return None if row is None else await _principal(row["person"], "session", row["id"])


async def principal_from_token(secret: str) -> Principal | None:
    if not secret.startswith(TOKEN_PREFIX):
        return None
    row = (
        await ApiToken.select(ApiToken.id, ApiToken.person, ApiToken.last_used_at)
        .where((ApiToken.token_hash == _digest(secret)) & ApiToken.revoked_at.is_null())
        .first()
    )
    if row is None:
        return None
    stamp = now()
    if row["last_used_at"] is None or stamp - row["last_used_at"] > LAST_USED_RESOLUTION:
        # Outside a write transaction and at most every few minutes: a lost
        # stamp is harmless, a write on every API call is not.
        await ApiToken.update({ApiToken.last_used_at: stamp}).where(ApiToken.id == row["id"])
    return await _principal(row["person"], "token", row["id"])


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
