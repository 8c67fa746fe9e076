"""Throttling instead of lockout (pentest finding 5).

Ten wrong passwords from anyone used to lock an account for everyone, the right
password included, and sign-up and password reset had no limit per client. Now
failures slow down the client that made them (per client address, and per
account for the clients that failed on it) with growing delays answered as 429
``auth.throttled`` with Retry-After, never by sleeping; a correct password from
another client goes through; sign-up, reset and directory submissions are
limited per client address. Every count is a database row, so the limits hold
across processes.
"""

from __future__ import annotations

from datetime import timedelta

import httpx
from litestar import Litestar

from accounts.principal import Role
from accounts.tables import Person, SignInFailure
from directory.tables import Submission
from tests.builders.clients import client_from
from tests.builders.directory import API as DIRECTORY
from tests.builders.directory import org
from tests.builders.people import PASSWORD, make_actor

WRONG = "not the password at all"


async def _sign_in(client: httpx.AsyncClient, email: str, password: str) -> httpx.Response:
    return await client.post("/api/v1/auth/signin", json={"email": email, "password": password})


def _throttled(response: httpx.Response) -> int:
    assert response.status_code == 429, response.text
    assert response.json()["code"] == "auth.throttled"
    retry_after = int(response.headers["retry-after"])
    assert retry_after >= 1
    return retry_after


async def _age_failures(by: timedelta) -> None:
    rows = await SignInFailure.select(SignInFailure.id, SignInFailure.at)
    for row in rows:
        await SignInFailure.update({SignInFailure.at: row["at"] - by}).where(SignInFailure.id == row["id"])


async def test_failures_from_one_client_do_not_lock_out_another(
    client: httpx.AsyncClient, app: Litestar
) -> None:
    me = await make_actor(Role.MEMBER)
    async with client_from(app, "198.51.100.66") as attacker:
        answers = [(await _sign_in(attacker, me.email, WRONG)).status_code for _ in range(12)]
        assert answers[0] == 401 and answers[-1] == 429
        # While throttled, the attacker learns nothing: not even the right password is checked.
        _throttled(await _sign_in(attacker, me.email, PASSWORD))
    async with client_from(app, "203.0.113.10") as owner:
        mine = await _sign_in(owner, me.email, PASSWORD)
    assert mine.status_code == 200, mine.text


async def test_delays_grow_with_each_failure_and_nobody_sleeps(client: httpx.AsyncClient) -> None:
    from accounts.services.throttle import limits

    free = limits().sign_in_failures_per_account
    me = await make_actor(Role.MEMBER)
    for _ in range(free):
        assert (await _sign_in(client, me.email, WRONG)).status_code == 401
    first = _throttled(await _sign_in(client, me.email, WRONG))
    assert await SignInFailure.count() == free, "a throttled attempt is not counted"

    await _age_failures(timedelta(seconds=first))
    assert (await _sign_in(client, me.email, WRONG)).status_code == 401
    second = _throttled(await _sign_in(client, me.email, PASSWORD))
    assert second > first

    await _age_failures(timedelta(seconds=second))
    assert (await _sign_in(client, me.email, PASSWORD)).status_code == 200
    # The right password from this client forgives its earlier failures on the account.
    assert await SignInFailure.count() == 0


async def test_one_client_guessing_across_accounts_is_slowed(
    client: httpx.AsyncClient, app: Litestar
) -> None:
    me = await make_actor(Role.MEMBER)
    async with client_from(app, "198.51.100.7") as sprayer:
        answers = [(await _sign_in(sprayer, f"someone{i}@example.org", WRONG)).status_code for i in range(12)]
        assert answers[0] == 401 and 429 in answers
        _throttled(await _sign_in(sprayer, me.email, PASSWORD))
    assert (await _sign_in(client, me.email, PASSWORD)).status_code == 200


async def test_the_sign_in_page_answers_429_with_retry_after(client: httpx.AsyncClient) -> None:
    from tests.builders.clients import csrf_from

    me = await make_actor(Role.MEMBER)
    for _ in range(12):
        await _sign_in(client, me.email, WRONG)
    form = await client.get("/signin")
    page = await client.post(
        "/signin", data={"email": me.email, "password": PASSWORD, "_csrf_token": csrf_from(form.text)}
    )
    assert page.status_code == 429
    assert int(page.headers["retry-after"]) >= 1
    assert 'role="alert"' in page.text


async def test_sign_ups_are_limited_per_client_address(client: httpx.AsyncClient, app: Litestar) -> None:
    async with client_from(app, "198.51.100.20") as farm:
        for i in range(10):
            made = await farm.post(
                "/api/v1/auth/signup",
                json={"email": f"bot{i}@example.org", "password": "a sturdy passphrase", "name": f"Bot {i}"},
            )
            assert made.status_code == 201, made.text
        refused = await farm.post(
            "/api/v1/auth/signup",
            json={"email": "bot10@example.org", "password": "a sturdy passphrase", "name": "Bot 10"},
        )
        _throttled(refused)
    assert await Person.count() == 10
    elsewhere = await client.post(
        "/api/v1/auth/signup",
        json={"email": "grace@example.org", "password": "a sturdy passphrase", "name": "Grace"},
    )
    assert elsewhere.status_code == 201


async def test_reset_requests_are_limited_per_client_address(
    client: httpx.AsyncClient, app: Litestar
) -> None:
    async with client_from(app, "198.51.100.30") as flooder:
        for i in range(10):
            asked = await flooder.post(
                "/api/v1/auth/password-reset", json={"email": f"victim{i}@example.org"}
            )
            assert asked.status_code == 202
        _throttled(await flooder.post("/api/v1/auth/password-reset", json={"email": "victim@example.org"}))
    assert (
        await client.post("/api/v1/auth/password-reset", json={"email": "x@example.org"})
    ).status_code == 202


async def test_the_limits_are_settings(client: httpx.AsyncClient, app: Litestar, monkeypatch) -> None:
    """GRANDROUNDS_THROTTLE_*: a site behind one shared address can give it more room, or less."""
    from dataclasses import replace

    import grandrounds.settings
    from grandrounds.settings import ThrottleLimits, get_settings

    tight = ThrottleLimits(sign_in_failures_per_account=2, sign_ups_per_client_per_hour=1)
    monkeypatch.setattr(grandrounds.settings, "_cached", replace(get_settings(), throttle=tight))
    me = await make_actor(Role.MEMBER)
    assert [(await _sign_in(client, me.email, WRONG)).status_code for _ in range(2)] == [401, 401]
    _throttled(await _sign_in(client, me.email, PASSWORD))
    async with client_from(app, "198.51.100.21") as one:
        made = await one.post(
            "/api/v1/auth/signup",
            json={"email": "one@example.org", "password": "a sturdy passphrase", "name": "One"},
        )
        assert made.status_code == 201, made.text
        _throttled(
            await one.post(
                "/api/v1/auth/signup",
                json={"email": "two@example.org", "password": "a sturdy passphrase", "name": "Two"},
            )
        )


async def test_directory_submissions_are_limited_per_address_signed_in_or_not(
    client: httpx.AsyncClient, app: Litestar, monkeypatch
) -> None:
    from directory.services import submissions

    monkeypatch.setattr(submissions, "PER_ADDRESS_PER_HOUR", 3)
    first, second = await make_actor(Role.MEMBER), await make_actor(Role.MEMBER)
    async with client_from(app, "198.51.100.40") as office:
        for person in (first, second, first):
            sent = await office.post(
                f"{DIRECTORY}/submissions", json=org(contact_email=""), headers=person.headers
            )
            assert sent.status_code == 201, sent.text
        refused = await office.post(
            f"{DIRECTORY}/submissions", json=org(contact_email=""), headers=second.headers
        )
        assert refused.status_code == 429 and refused.json()["code"] == "directory.too_many_submissions"
    assert await Submission.count() == 3
    other = await client.post(f"{DIRECTORY}/submissions", json=org(contact_email=""), headers=second.headers)
    assert other.status_code == 201
