"""Password hashing (argon2id) and the strength rule applied at sign-up.

Hashing is deliberately slow, so it runs in a worker thread and never blocks
the event loop that serves everyone else.
"""

from __future__ import annotations

import asyncio
import functools

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from argon2.profiles import CHEAPEST, RFC_9106_LOW_MEMORY

from accounts import errors

MIN_LENGTH = 10
MAX_LENGTH = 128

# A few of the most common choices; length rules out most of the rest.
_COMMON = {
    "password123",
    "1234567890",
    "qwertyuiop",
    "password1234",
    "iloveyou123",
    "letmein1234",
    "welcome123",
    "administrator",
    "passw0rd123",
    "abcdefghij",
}


@functools.cache
def _hasher(profile: str) -> PasswordHasher:
    # "cheap" exists for the test suite only, where hundreds of sign-ups run.
    params = CHEAPEST if profile == "cheap" else RFC_9106_LOW_MEMORY
    return PasswordHasher.from_parameters(params)


def _profile() -> str:
    from grandrounds.settings import get_settings

    return get_settings().password_hash_profile


def check_strength(password: str, email: str) -> None:
    if len(password) < MIN_LENGTH:
        raise errors.password_weak(f"use at least {MIN_LENGTH} characters")
    if len(password) > MAX_LENGTH:
        raise errors.password_weak(f"use at most {MAX_LENGTH} characters")
    if len(set(password)) < 4:
        raise errors.password_weak("use more different characters")
    lowered = password.lower()
    if lowered in _COMMON or lowered == email.lower() or lowered == email.split("@")[0].lower():
        raise errors.password_weak("it is too easy to guess")


async def hash_password(password: str) -> str:
    return await asyncio.to_thread(_hasher(_profile()).hash, password)


async def verify_password(password_hash: str, password: str) -> bool:
    def verify() -> bool:
        try:
            return _hasher(_profile()).verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            return False

    return await asyncio.to_thread(verify)


# Verified against when the email is unknown, so timing does not reveal which emails exist.
_DUMMY_HASH: dict[str, str] = {}


async def burn_time(password: str) -> None:
    profile = _profile()
    if profile not in _DUMMY_HASH:
        _DUMMY_HASH[profile] = await asyncio.to_thread(_hasher(profile).hash, "not-a-real-password")
    await verify_password(_DUMMY_HASH[profile], password)
