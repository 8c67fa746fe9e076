"""Limits per client address and per account, counted in the database.

Failed sign-ins used to lock an account for everyone after ten wrong
passwords, the right one included: anyone could lock anyone out. Now a
failure slows down the client that made it:

- **per client address**: after ``sign_in_failures_per_client`` failures in
  an hour (on any accounts), each further try waits a delay that doubles with
  every failure (``FIRST_DELAY``, 2x, 4x ... at most ``longest_delay_seconds``)
  after the client's last failure;
- **per account**: after ``sign_in_failures_per_account`` failures on one
  account (from anyone), a client that has itself failed on that account waits
  the same kind of delay. A client that has not failed on it is not held back:
  the owner signing in from their own machine gets in while someone else guesses.

A throttled try is answered at once (429 ``auth.throttled`` with Retry-After),
never by sleeping, and checks no password, so it tells nothing. A correct
password forgives the client's earlier failures on that account.

Sign-ups and password-link requests are limited per client address
(``sign_ups_per_client_per_hour``, ``password_links_per_client_per_hour``).
Each limit is a setting (``GRANDROUNDS_THROTTLE_*``, grandrounds.settings.ThrottleLimits;
the defaults are 5, 10, 15 minutes, 10 and 10): a site behind one shared
address (a hospital's NAT) may need more room, a public one less.

Every count is rows of a table (``accounts_sign_in_failure``,
``accounts_client_attempt``), so the limits hold across processes and
machines. The address is kept only as a keyed hash. It is litestar's
``request.client.host``, which uvicorn sets from X-Forwarded-For only for the
proxies listed in ``FORWARDED_ALLOW_IPS`` (README, Production notes): without
that, everyone behind a proxy is one client.
"""

from __future__ import annotations

import hashlib
import hmac
import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from piccolo.query.functions.aggregate import Count, Max, Min

from accounts import errors
from accounts.tables import ClientAttempt, PasswordResetRequest, SignInFailure
from grandrounds.db import now, write_transaction
from grandrounds.errors import TooManyRequests
from grandrounds.settings import ThrottleLimits, get_settings

FAILURE_WINDOW = timedelta(hours=1)
FIRST_DELAY = timedelta(seconds=2)

QUOTA_WINDOW = timedelta(hours=1)
SIGN_UP = "sign_up"
PASSWORD_RESET = "password_reset"  # noqa: S105 - the name of an action, not a secret

# How long the rows behind the limits are kept (the chore forgets older ones).
KEPT_FOR = timedelta(days=1)


def client_key(address: str) -> str:
    """A keyed hash of the client address: enough to count, useless to anyone reading the table."""
    key = get_settings().secret_key.encode()
    return hmac.new(key, f"accounts-client:{address}".encode(), hashlib.sha256).hexdigest()


def limits() -> ThrottleLimits:
    """The limits in force (``GRANDROUNDS_THROTTLE_*``)."""
    return get_settings().throttle


def delay_after(failures: int, free: int) -> timedelta:
    """How long to wait after the last of ``failures`` when ``free`` cost nothing: doubling, capped."""
    if failures < free:
        return timedelta(0)
    doublings = min(failures - free, 30)  # 2 s * 2**30 is far past any sensible cap already
    delay: timedelta = FIRST_DELAY * (2**doublings)
    return min(delay, timedelta(seconds=limits().longest_delay_seconds))


def _instant(value: Any) -> datetime:
    """An aggregate's timestamp: SQLite hands MAX()/MIN() of a timestamptz back as text."""
    return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))


def _seconds_until(moment: datetime) -> int:
    return max(1, math.ceil((moment - now()).total_seconds()))


async def _failures(condition: Any) -> tuple[int, datetime | None]:
    """How many failed sign-ins match, and when the last one was."""
    row = (
        await SignInFailure.select(
            Count(SignInFailure.id).as_alias("n"), Max(SignInFailure.at).as_alias("last")
        )
        .where(condition)
        .first()
    )
    if row is None or not row["n"]:
        return 0, None
    return int(row["n"]), _instant(row["last"])


@dataclass(frozen=True, slots=True)
class SignInClearance:
    """A sign-in may go ahead; what its outcome must record or forgive."""

    email: str
    client: str  # the keyed hash of the client address
    own_failures: int  # this client's recent failures on this account


async def clear_sign_in(email: str, client_address: str) -> SignInClearance:
    """Raise ``auth.throttled`` (with Retry-After) when this client must wait before trying ``email``."""
    client = client_key(client_address)
    since = now() - FAILURE_WINDOW
    recent = SignInFailure.at > since
    waits: list[datetime] = []
    from_client, client_last = await _failures(recent & (SignInFailure.client_hash == client))
    if client_last is not None:
        waits.append(client_last + delay_after(from_client, limits().sign_in_failures_per_client))
    own, own_last = 0, None
    if from_client:
        own, own_last = await _failures(
            recent & (SignInFailure.client_hash == client) & (SignInFailure.email == email)
        )
    if own_last is not None:
        # The account's failures from everyone set the delay, but only for clients that failed on it.
        on_account, _ = await _failures(recent & (SignInFailure.email == email))
        waits.append(own_last + delay_after(on_account, limits().sign_in_failures_per_account))
    until = max(waits, default=None)
    if until is not None and until > now():
        raise errors.sign_in_throttled(_seconds_until(until))
    return SignInClearance(email=email, client=client, own_failures=own)


async def record_failure(clearance: SignInClearance) -> None:
    async with write_transaction():
        await SignInFailure.insert(SignInFailure(email=clearance.email, client_hash=clearance.client))


async def forgive(clearance: SignInClearance) -> None:
    """A correct password: this client's earlier failures on the account no longer count."""
    if not clearance.own_failures:
        return
    async with write_transaction():
        await SignInFailure.delete().where(
            (SignInFailure.email == clearance.email) & (SignInFailure.client_hash == clearance.client)
        )


async def check_quota(action: str, client: str, limit: int, refuse: Callable[[int], TooManyRequests]) -> None:
    """Raise ``refuse(retry_after)`` when ``client`` used up ``limit`` of ``action`` in the last hour."""
    since = now() - QUOTA_WINDOW
    row = (
        await ClientAttempt.select(
            Count(ClientAttempt.id).as_alias("n"), Min(ClientAttempt.at).as_alias("first")
        )
        .where(
            (ClientAttempt.client_hash == client)
            & (ClientAttempt.action == action)
            & (ClientAttempt.at > since)
        )
        .first()
    )
    if row is not None and row["n"] and int(row["n"]) >= limit:
        raise refuse(_seconds_until(_instant(row["first"]) + QUOTA_WINDOW))


async def count_attempt(action: str, client: str) -> None:
    """Count one ``action`` of ``client``; call inside the caller's write transaction."""
    await ClientAttempt.insert(ClientAttempt(action=action, client_hash=client))


async def spend(
    action: str, client_address: str, limit: int, refuse: Callable[[int], TooManyRequests]
) -> None:
    """Check the quota, then count this attempt in its own transaction (kept even if the action fails)."""
    client = client_key(client_address)
    await check_quota(action, client, limit, refuse)
    async with write_transaction():
        await count_attempt(action, client)


async def forget_old_records() -> int:
    """Delete the rows behind the limits once they no longer count (a chore); how many went."""
    cutoff = now() - KEPT_FOR
    async with write_transaction():
        failures = await SignInFailure.delete().where(SignInFailure.at < cutoff).returning(SignInFailure.id)
        attempts = await ClientAttempt.delete().where(ClientAttempt.at < cutoff).returning(ClientAttempt.id)
        requests = (
            await PasswordResetRequest.delete()
            .where(
                PasswordResetRequest.handled_at.is_not_null() & (PasswordResetRequest.requested_at < cutoff)
            )
            .returning(PasswordResetRequest.id)
        )
    return len(failures) + len(attempts) + len(requests)
