"""Two-factor sign-in: a TOTP authenticator (RFC 6238, through pyotp) and one-time recovery codes.

Enrolment is two steps so a mistyped secret never locks anyone out: ``start``
makes an unconfirmed authenticator and shows its secret (as a QR code and as
text); ``confirm`` turns it on once a code from the app proves the person holds
it, and hands out ten recovery codes, shown once and kept only as SHA-256.

A code is good once: the last accepted 30-second step is stored, so a code seen
over someone's shoulder cannot be replayed within its window. The shared secret
is sealed with Fernet (from the ``cryptography`` package), keyed from the site's
secret key, because it must be read back to check codes.

Sign-in with a second factor is two requests: the password opens a short-lived
challenge (five minutes, five tries, kept in the database so any process can
finish it), and the code closes it.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

import pyotp
import segno
from cryptography.fernet import Fernet, InvalidToken

from accounts import errors
from accounts.audit import trail as audit
from accounts.services import throttle
from accounts.tables import Person, RecoveryCode, SignInChallenge, TwoFactor
from grandrounds.db import now, write_transaction
from grandrounds.errors import DomainError
from grandrounds.settings import get_settings

ISSUER = "grandrounds"
RECOVERY_CODES = 10
CHALLENGE_TTL = timedelta(minutes=5)
CHALLENGE_ATTEMPTS = 5
STEP_SECONDS = 30


@dataclass(frozen=True, slots=True)
class Enrolment:
    secret: str  # base32, for typing into the app by hand
    uri: str  # otpauth://, what the QR code holds
    qr_svg: str  # the QR code as inline SVG markup


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _fernet() -> Fernet:
    key = hashlib.sha256(b"grandrounds two-factor\0" + get_settings().secret_key.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(key))


def _seal(secret: str) -> str:
    return _fernet().encrypt(secret.encode()).decode()


def _unseal(sealed: str) -> str:
    try:
        return _fernet().decrypt(sealed.encode()).decode()
    except InvalidToken:
        # The site's secret key changed since enrolment: the authenticator cannot be read.
        raise errors.two_factor_invalid() from None


def _normalize(code: str) -> str:
    return "".join(code.split()).replace("-", "").lower()[:64]


def _enrolment(email: str, secret: str) -> Enrolment:
    uri = pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=ISSUER)
    svg = segno.make(uri, error="m").svg_inline(scale=4, title="Two-factor set-up code")
    return Enrolment(secret=secret, uri=uri, qr_svg=svg)


async def is_enabled(person_id: int) -> bool:
    return await TwoFactor.exists().where(
        (TwoFactor.person == person_id) & TwoFactor.confirmed_at.is_not_null()
    )


async def start(person_id: int) -> Enrolment:
    """A new, unconfirmed authenticator (replacing an unconfirmed one); refused while one is on."""
    secret = pyotp.random_base32()
    async with write_transaction():
        if await is_enabled(person_id):
            raise errors.two_factor_already_on()
        person = await Person.select(Person.email).where(Person.id == person_id).first()
        if person is None:
            raise errors.person_not_found()
        await TwoFactor.delete().where(TwoFactor.person == person_id)
        await TwoFactor.insert(TwoFactor(person=person_id, secret_sealed=_seal(secret)))
    return _enrolment(person["email"], secret)


async def pending(person_id: int) -> Enrolment | None:
    """The started, not yet confirmed authenticator, shown again after a mistyped code."""
    row = (
        await TwoFactor.select(TwoFactor.secret_sealed, TwoFactor.person.email)
        .where((TwoFactor.person == person_id) & TwoFactor.confirmed_at.is_null())
        .first()
    )
    return None if row is None else _enrolment(row["person.email"], _unseal(row["secret_sealed"]))


async def _count_failure(person_id: int, client_address: str) -> None:
    """A wrong code counts as a failed sign-in of this client on the account (accounts.services.throttle)."""
    person = await Person.select(Person.email).where(Person.id == person_id).first()
    clearance = throttle.SignInClearance(
        email=person["email"] if person else "", client=throttle.client_key(client_address), own_failures=0
    )
    await throttle.record_failure(clearance)


async def verify_sign_in(person_id: int, code: str | None, client_address: str) -> None:
    """The second step of an API sign-in: a wrong code slows this client as a wrong password does."""
    if not code:
        raise errors.two_factor_required()
    try:
        async with write_transaction():
            await verify(person_id, code)
    except DomainError:
        await _count_failure(person_id, client_address)
        raise


async def _accept_totp(person_id: int, code: str, *, confirmed: bool) -> bool:
    """True when ``code`` is the authenticator's code for now (±1 step) and newer than the last used."""
    if not (code.isdigit() and len(code) == 6):
        return False
    state = TwoFactor.confirmed_at.is_not_null() if confirmed else TwoFactor.confirmed_at.is_null()
    row = (
        await TwoFactor.select(TwoFactor.id, TwoFactor.secret_sealed, TwoFactor.last_step)
        .where((TwoFactor.person == person_id) & state)
        .first()
    )
    if row is None:
        return False
    totp = pyotp.TOTP(_unseal(row["secret_sealed"]))
    current = int(now().timestamp()) // STEP_SECONDS
    for step in (current, current - 1, current + 1):
        if step > row["last_step"] and secrets.compare_digest(totp.at(step * STEP_SECONDS), code):
            # Conditional on the step: two requests racing with one code cannot both win.
            updated = (
                await TwoFactor.update({TwoFactor.last_step: step})
                .where((TwoFactor.id == row["id"]) & (TwoFactor.last_step < step))
                .returning(TwoFactor.id)
            )
            return bool(updated)
    return False


async def _new_recovery_codes(person_id: int) -> list[str]:
    await RecoveryCode.delete().where(RecoveryCode.person == person_id)
    codes = [f"{secrets.token_hex(4)}-{secrets.token_hex(4)}" for _ in range(RECOVERY_CODES)]
    await RecoveryCode.insert(
        *[RecoveryCode(person=person_id, code_hash=_digest(_normalize(code))) for code in codes]
    )
    return codes


async def confirm(person_id: int, code: str) -> list[str]:
    """Turn the started authenticator on with a code from it; the recovery codes, shown once."""
    code = _normalize(code)
    async with write_transaction():
        if not await TwoFactor.exists().where(
            (TwoFactor.person == person_id) & TwoFactor.confirmed_at.is_null()
        ):
            raise errors.two_factor_not_started()
        if not await _accept_totp(person_id, code, confirmed=False):
            raise errors.two_factor_invalid()
        await TwoFactor.update({TwoFactor.confirmed_at: now()}).where(TwoFactor.person == person_id)
        codes = await _new_recovery_codes(person_id)
        await audit.record(
            "two_factor.enable",
            "person",
            person_id,
            subject_id=person_id,
            details={"codes_made": len(codes)},
        )
    return codes


async def verify(person_id: int, code: str) -> None:
    """Accept the authenticator's current code, or spend one recovery code; refuse anything else.

    Called inside the caller's write transaction when there is one, so a spent
    recovery code and the sign-in it allowed are one change.
    """
    code = _normalize(code)
    if await _accept_totp(person_id, code, confirmed=True):
        return
    spent = (
        await RecoveryCode.update({RecoveryCode.used_at: now()})
        .where(
            (RecoveryCode.person == person_id)
            & (RecoveryCode.code_hash == _digest(code))
            & RecoveryCode.used_at.is_null()
        )
        .returning(RecoveryCode.id)
    )
    if not spent:
        raise errors.two_factor_invalid()
    left = await RecoveryCode.count().where(
        (RecoveryCode.person == person_id) & RecoveryCode.used_at.is_null()
    )
    await audit.record(
        "two_factor.recovery_used", "person", person_id, subject_id=person_id, details={"codes_left": left}
    )


async def disable(person_id: int, code: str) -> None:
    """Turn two-factor sign-in off; a current code (or a recovery code) proves it is the owner asking."""
    async with write_transaction():
        if not await is_enabled(person_id):
            raise errors.two_factor_off()
        await verify(person_id, code)
        await TwoFactor.delete().where(TwoFactor.person == person_id)
        await RecoveryCode.delete().where(RecoveryCode.person == person_id)
        await audit.record("two_factor.disable", "person", person_id, subject_id=person_id)


async def renew_recovery_codes(person_id: int, code: str) -> list[str]:
    """Ten fresh recovery codes (the old ones stop working), after a current code."""
    async with write_transaction():
        if not await is_enabled(person_id):
            raise errors.two_factor_off()
        await verify(person_id, code)
        codes = await _new_recovery_codes(person_id)
        await audit.record("two_factor.recovery_codes", "person", person_id, subject_id=person_id)
    return codes


async def recovery_codes_left(person_id: int) -> int:
    left: int = await RecoveryCode.count().where(
        (RecoveryCode.person == person_id) & RecoveryCode.used_at.is_null()
    )
    return left


async def open_challenge(person_id: int) -> str:
    """After a correct password: the secret of a challenge the second factor must close."""
    secret = secrets.token_urlsafe(32)
    async with write_transaction():
        await SignInChallenge.delete().where(SignInChallenge.expires_at < now())
        await SignInChallenge.insert(
            SignInChallenge(person=person_id, token_hash=_digest(secret), expires_at=now() + CHALLENGE_TTL)
        )
    return secret


async def close_challenge(secret: str, code: str, client_address: str) -> int:
    """The person id once ``code`` is right; a wrong code spends one of the challenge's tries."""
    async with write_transaction():
        row = (
            await SignInChallenge.select(SignInChallenge.id, SignInChallenge.person, SignInChallenge.attempts)
            .where((SignInChallenge.token_hash == _digest(secret)) & (SignInChallenge.expires_at > now()))
            .first()
        )
        if row is None or row["attempts"] >= CHALLENGE_ATTEMPTS:
            raise errors.sign_in_challenge_expired()
        try:
            await verify(row["person"], code)
        except DomainError:
            # A wrong code wrote nothing; the spent try is kept.
            await SignInChallenge.update({SignInChallenge.attempts: SignInChallenge.attempts + 1}).where(
                SignInChallenge.id == row["id"]
            )
            failed = True
        else:
            await SignInChallenge.delete().where(SignInChallenge.id == row["id"])
            failed = False
    if failed:
        await _count_failure(row["person"], client_address)
        raise errors.two_factor_invalid()
    person_id: int = row["person"]
    return person_id
