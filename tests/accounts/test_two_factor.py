"""Two-factor sign-in: TOTP (RFC 6238) with one-time recovery codes, and staff held to it."""

from __future__ import annotations

import time
from dataclasses import replace

import pyotp

from accounts.principal import Role
from accounts.tables import RecoveryCode, SignInChallenge, TwoFactor
from grandrounds.server.app import create_app
from grandrounds.settings import get_settings
from tests.builders.audit import audit_rows
from tests.builders.clients import client_for, csrf_from
from tests.builders.people import PASSWORD, make_actor, make_staff


def code_at(secret: str, steps_ahead: int = 0) -> str:
    return pyotp.TOTP(secret).at(time.time() + 30 * steps_ahead)


async def enrol(client, actor) -> tuple[str, list[str]]:  # type: ignore[no-untyped-def]
    started = await client.post("/api/v1/me/two-factor/", headers=actor.headers)
    assert started.status_code == 201 and started.headers["cache-control"] == "no-store"
    secret = started.json()["secret"]
    assert started.json()["uri"].startswith("otpauth://totp/grandrounds:")
    confirmed = await client.post(
        "/api/v1/me/two-factor/confirm", json={"code": code_at(secret)}, headers=actor.headers
    )
    assert confirmed.status_code == 200, confirmed.text
    return secret, confirmed.json()["recovery_codes"]


async def test_enrolment_then_the_api_sign_in_needs_a_fresh_code(client) -> None:
    person = await make_actor(Role.MEMBER)
    secret, codes = await enrol(client, person)
    assert len(codes) == 10 and len(set(codes)) == 10
    body = {"email": person.email, "password": PASSWORD}
    missing = await client.post("/api/v1/auth/signin", json=body)
    assert missing.status_code == 401 and missing.json()["code"] == "auth.two_factor_required"
    wrong = await client.post("/api/v1/auth/signin", json={**body, "code": "000000"})
    assert wrong.status_code == 401 and wrong.json()["code"] == "auth.two_factor_invalid"
    replayed = await client.post("/api/v1/auth/signin", json={**body, "code": code_at(secret)})
    assert replayed.status_code == 401, "the code that confirmed the set-up is spent"
    fresh = await client.post("/api/v1/auth/signin", json={**body, "code": code_at(secret, 1)})
    assert fresh.status_code == 200 and "gr_session" in fresh.cookies
    [enabled] = await audit_rows("two_factor.enable")
    assert enabled["actor_id"] == person.id and enabled["changes"] == {"codes_made": 10}


async def test_the_secret_is_sealed_and_recovery_codes_are_hashed(client) -> None:
    person = await make_actor(Role.MEMBER)
    secret, codes = await enrol(client, person)
    stored = await TwoFactor.select().first()
    assert stored is not None and secret not in stored["secret_sealed"]
    hashes = {row["code_hash"] for row in await RecoveryCode.select(RecoveryCode.code_hash)}
    assert len(hashes) == 10 and not hashes & set(codes)


async def test_a_recovery_code_signs_in_once(client) -> None:
    person = await make_actor(Role.MEMBER)
    _, codes = await enrol(client, person)
    body = {"email": person.email, "password": PASSWORD, "code": codes[0].upper()}
    assert (await client.post("/api/v1/auth/signin", json=body)).status_code == 200
    again = await client.post("/api/v1/auth/signin", json=body)
    assert again.status_code == 401 and again.json()["code"] == "auth.two_factor_invalid"
    status = await client.get("/api/v1/me/two-factor/", headers=person.headers)
    assert status.json() == {"enabled": True, "recovery_codes_left": 9}
    [used] = await audit_rows("two_factor.recovery_used")
    assert used["changes"] == {"codes_left": 9}


async def test_the_page_sign_in_asks_for_the_code_before_any_session(client) -> None:
    person = await make_actor(Role.MEMBER)
    secret, _ = await enrol(client, person)
    form = await client.get("/signin")
    first = await client.post(
        "/signin",
        data={
            "email": person.email,
            "password": PASSWORD,
            "next": "/registrations",
            "_csrf_token": csrf_from(form.text),
        },
    )
    assert first.status_code in (302, 303) and first.headers["location"].startswith("/signin/code")
    assert "gr_session" not in first.cookies and await SignInChallenge.count() == 1
    page = await client.get(first.headers["location"])
    assert "authenticator app" in page.text
    wrong = await client.post(
        "/signin/code", data={"code": "123456", "next": "/registrations", "_csrf_token": csrf_from(page.text)}
    )
    assert wrong.status_code == 401 and "not right" in wrong.text and "gr_session" not in client.cookies
    done = await client.post(
        "/signin/code",
        data={"code": code_at(secret, 1), "next": "/registrations", "_csrf_token": csrf_from(page.text)},
    )
    assert done.status_code in (302, 303) and done.headers["location"] == "/registrations"
    assert "gr_session" in client.cookies and await SignInChallenge.count() == 0
    assert (await client.get("/account")).status_code == 200


async def test_five_wrong_codes_end_the_challenge(client) -> None:
    person = await make_actor(Role.MEMBER)
    secret, _ = await enrol(client, person)
    form = await client.get("/signin")
    csrf = csrf_from(form.text)
    await client.post("/signin", data={"email": person.email, "password": PASSWORD, "_csrf_token": csrf})
    for _ in range(5):
        await client.post("/signin/code", data={"code": "999999", "_csrf_token": csrf})
    late = await client.post("/signin/code", data={"code": code_at(secret, 1), "_csrf_token": csrf})
    assert late.status_code == 401 and "sign in again" in late.text and "gr_session" not in client.cookies


async def test_turning_it_off_needs_a_code_and_is_audited(client) -> None:
    person = await make_actor(Role.MEMBER)
    secret, _ = await enrol(client, person)
    refused = await client.post(
        "/api/v1/me/two-factor/disable", json={"code": "000000"}, headers=person.headers
    )
    assert refused.status_code == 401 and await TwoFactor.count() == 1
    off = await client.post(
        "/api/v1/me/two-factor/disable", json={"code": code_at(secret, 1)}, headers=person.headers
    )
    assert off.status_code == 204 and await TwoFactor.count() == 0 and await RecoveryCode.count() == 0
    assert [row["action"] for row in await audit_rows()] == ["two_factor.enable", "two_factor.disable"]
    plain = await client.post("/api/v1/auth/signin", json={"email": person.email, "password": PASSWORD})
    assert plain.status_code == 200


async def test_confirming_with_a_wrong_code_keeps_it_off(client) -> None:
    person = await make_actor(Role.MEMBER)
    not_started = await client.post(
        "/api/v1/me/two-factor/confirm", json={"code": "123456"}, headers=person.headers
    )
    assert not_started.status_code == 409 and not_started.json()["code"] == "auth.two_factor_not_started"
    await client.post("/api/v1/me/two-factor/", headers=person.headers)
    wrong = await client.post(
        "/api/v1/me/two-factor/confirm", json={"code": "123456"}, headers=person.headers
    )
    assert wrong.status_code == 401
    status = await client.get("/api/v1/me/two-factor/", headers=person.headers)
    assert status.json()["enabled"] is False and await audit_rows() == []


async def test_staff_roles_need_a_second_factor_when_the_site_requires_it(client) -> None:
    strict = create_app(replace(get_settings(), require_2fa_for_staff=True))
    admin, staff, member = await make_actor(Role.ADMIN), await make_staff(), await make_actor(Role.MEMBER)
    async with client_for(strict) as site:
        blocked = await site.get("/api/v1/people", headers=admin.headers)
        assert blocked.status_code == 403 and blocked.json()["code"] == "auth.two_factor_setup_required"
        staff_page = await site.get("/staff/events", headers=staff.headers)
        assert staff_page.status_code == 403
        # Members are not asked: their own pages need no second factor.
        assert (await site.get("/api/v1/me/", headers=member.headers)).status_code == 200
        await enrol(site, admin)
        assert (await site.get("/api/v1/people", headers=admin.headers)).status_code == 200
        # Signing in through the form, staff without a second factor are sent to set one up.
        form = await site.get("/signin")
        signed = await site.post(
            "/signin", data={"email": staff.email, "password": PASSWORD, "_csrf_token": csrf_from(form.text)}
        )
        assert signed.headers["location"] == "/account/two-factor?required=1"
        setup = await site.get("/account/two-factor?required=1")
        assert "staff role needs two-factor" in setup.text
