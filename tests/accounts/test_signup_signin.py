"""Sign-up, sign-in and sign-out through the JSON API, and what bad input gets."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from accounts.services.throttle import limits
from accounts.tables import Person, RoleGrant, SignInSession
from grandrounds.web.auth import SESSION_COOKIE
from tests.builders.clients import csrf_headers

GOOD = {"email": "Grace.Hopper@Example.org", "password": "a sturdy passphrase", "name": "Grace Hopper"}


async def test_sign_up_creates_a_signed_in_guest(client) -> None:
    response = await client.post(
        "/api/v1/auth/signup", json={**GOOD, "degree": "MD", "time_zone": "America/Chicago"}
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["email"] == "grace.hopper@example.org"
    assert body["roles"] == ["guest"]
    assert body["time_zone"] == "America/Chicago"
    assert "password" not in response.text
    assert SESSION_COOKIE in response.cookies
    cookie_header = response.headers["set-cookie"].lower()
    assert "httponly" in cookie_header and "samesite=lax" in cookie_header
    me = await client.get("/api/v1/me/")
    assert me.status_code == 200 and me.json()["id"] == body["id"]


async def test_password_is_stored_as_argon2_hash(client) -> None:
    await client.post("/api/v1/auth/signup", json=GOOD)
    row = await Person.select(Person.password_hash).first()
    assert row["password_hash"].startswith("$argon2id$")
    assert GOOD["password"] not in row["password_hash"]


async def test_sign_in_and_sign_out_refuses_the_old_cookie(client) -> None:
    await client.post("/api/v1/auth/signup", json=GOOD)
    client.cookies.clear()
    signin = await client.post(
        "/api/v1/auth/signin", json={"email": "GRACE.hopper@example.org", "password": GOOD["password"]}
    )
    assert signin.status_code == 200
    old_cookie = signin.cookies[SESSION_COOKIE]
    stored = await SignInSession.select(SignInSession.token_hash).run()
    assert all(old_cookie not in row["token_hash"] for row in stored), "session secret stored in clear"

    out = await client.post("/api/v1/auth/signout", headers=await csrf_headers(client))
    assert out.status_code == 204
    client.cookies.clear()
    client.cookies.set(SESSION_COOKIE, old_cookie)
    again = await client.get("/api/v1/me/")
    assert again.status_code == 401
    assert again.json()["code"] == "auth.required"


async def test_wrong_password_and_unknown_email_look_the_same(client) -> None:
    await client.post("/api/v1/auth/signup", json=GOOD)
    wrong = await client.post(
        "/api/v1/auth/signin", json={"email": GOOD["email"], "password": "not the password"}
    )
    unknown = await client.post(
        "/api/v1/auth/signin", json={"email": "nobody@example.org", "password": "whatever123"}
    )
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json()
    assert wrong.json()["code"] == "auth.invalid_credentials"


async def test_repeated_failed_sign_ins_are_slowed(client) -> None:
    await client.post("/api/v1/auth/signup", json=GOOD)
    for _ in range(limits().sign_in_failures_per_account):
        r = await client.post(
            "/api/v1/auth/signin", json={"email": GOOD["email"], "password": "guess-guess-guess"}
        )
        assert r.status_code == 401
    blocked = await client.post(
        "/api/v1/auth/signin", json={"email": GOOD["email"], "password": GOOD["password"]}
    )
    assert blocked.status_code == 429
    assert blocked.json()["code"] == "auth.throttled"
    assert int(blocked.headers["retry-after"]) >= 1


BAD_SIGNUPS: list[tuple[str, Any, int, str]] = [
    ("malformed email", {**GOOD, "email": "not-an-email"}, 400, "account.email_invalid"),
    ("email with spaces", {**GOOD, "email": "a b@example.org"}, 400, "account.email_invalid"),
    ("email without domain dot", {**GOOD, "email": "a@localhost"}, 400, "account.email_invalid"),
    ("short password", {**GOOD, "password": "short"}, 400, "account.password_weak"),
    ("repetitive password", {**GOOD, "password": "aaaaaaaaaaaa"}, 400, "account.password_weak"),
    ("common password", {**GOOD, "password": "password123"}, 400, "account.password_weak"),
    ("password is the email", {**GOOD, "password": "grace.hopper@example.org"}, 400, "account.password_weak"),
    ("oversized name", {**GOOD, "name": "x" * 201}, 400, "request.invalid"),
    ("oversized email", {**GOOD, "email": "x" * 250 + "@example.org"}, 400, "request.invalid"),
    ("oversized password", {**GOOD, "password": "Ab1!" * 40}, 400, "request.invalid"),
    ("blank name", {**GOOD, "name": "   "}, 400, "account.name_blank"),
    ("unknown zone", {**GOOD, "time_zone": "Mars/Olympus"}, 400, "account.time_zone_unknown"),
    ("unknown degree", {**GOOD, "degree": "Wizard"}, 400, "account.degree_unknown"),
    ("number as email", {**GOOD, "email": 42}, 400, "request.invalid"),
    ("list as name", {**GOOD, "name": ["a"]}, 400, "request.invalid"),
    ("null password", {**GOOD, "password": None}, 400, "request.invalid"),
    ("unknown field", {**GOOD, "is_admin": True}, 400, "request.invalid"),
    ("missing field", {"email": GOOD["email"]}, 400, "request.invalid"),
    ("array body", [GOOD], 400, "request.invalid"),
]


@pytest.mark.parametrize(("case", "payload", "status", "code"), BAD_SIGNUPS, ids=[c[0] for c in BAD_SIGNUPS])
async def test_bad_sign_up_gets_a_coded_4xx_and_writes_nothing(client, case, payload, status, code) -> None:
    response = await client.post("/api/v1/auth/signup", json=payload)
    assert response.status_code == status, response.text
    body = response.json()
    assert body["code"] == code
    assert body["message"]
    assert set(body) == {"code", "message", "details"}
    assert await Person.count() == 0
    assert await RoleGrant.count() == 0


@pytest.mark.parametrize(
    ("content", "content_type"),
    [(b"", "application/json"), (b"{not json", "application/json"), (b"\xff\xfe", "application/json")],
    ids=["missing body", "broken json", "not utf-8"],
)
async def test_unparseable_bodies_get_400(client, content, content_type) -> None:
    for path in ("/api/v1/auth/signup", "/api/v1/auth/signin"):
        response = await client.post(path, content=content, headers={"content-type": content_type})
        assert response.status_code == 400, (path, response.text)
        assert response.json()["code"] == "request.invalid"
    assert await Person.count() == 0


async def test_duplicate_email_in_another_case_is_refused(client) -> None:
    assert (await client.post("/api/v1/auth/signup", json=GOOD)).status_code == 201
    again = await client.post("/api/v1/auth/signup", json={**GOOD, "email": GOOD["email"].upper()})
    assert again.status_code == 409
    assert again.json()["code"] == "account.email_taken"
    assert await Person.count() == 1


async def test_concurrent_sign_ups_with_one_email_make_one_account(client) -> None:
    variants = [GOOD["email"].upper(), GOOD["email"].lower(), GOOD["email"]] * 4
    responses = await asyncio.gather(
        *(client.post("/api/v1/auth/signup", json={**GOOD, "email": e}) for e in variants)
    )
    statuses = sorted(r.status_code for r in responses)
    assert statuses.count(201) == 1
    assert all(s == 409 for s in statuses if s != 201), statuses
    assert await Person.count() == 1


@pytest.mark.parametrize(
    "payload",
    [
        {"email": 1, "password": "x"},
        {"email": "a@example.org"},
        {"email": "a@example.org", "password": "p" * 129},
    ],
    ids=["wrong type", "missing password", "oversized password"],
)
async def test_bad_sign_in_gets_400(client, payload) -> None:
    response = await client.post("/api/v1/auth/signin", json=payload)
    assert response.status_code == 400
    assert response.json()["code"] == "request.invalid"


async def test_malformed_email_on_sign_in_is_just_wrong_credentials(client) -> None:
    response = await client.post("/api/v1/auth/signin", json={"email": "nope", "password": "whatever123"})
    assert response.status_code == 401
    assert response.json()["code"] == "auth.invalid_credentials"
