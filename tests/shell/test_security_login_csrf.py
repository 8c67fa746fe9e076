"""Login CSRF and the API's CSRF check (pentest finding 4).

A cross-site page could POST a ``text/plain`` or form body to
``/api/v1/auth/signin``: it was parsed as JSON and the browser got the
attacker's session cookie. The JSON API now takes only JSON bodies (415
otherwise), the credential routes refuse cross-site requests, and the API's
CSRF header check verifies the token's signature as Litestar does for pages.
"""

from __future__ import annotations

import json

import httpx
import pytest

from accounts.principal import Role
from accounts.tables import ApiToken, Person
from grandrounds.web.auth import SESSION_COOKIE
from tests.builders.clients import sign_in
from tests.builders.people import PASSWORD, make_actor

SIGNUP = {"email": "grace@example.org", "password": "a sturdy passphrase", "name": "Grace Hopper"}


def _use_csrf(client: httpx.AsyncClient, value: str) -> None:
    client.cookies.delete("csrftoken")
    client.cookies.set("csrftoken", value)


def _unsupported(response: httpx.Response) -> None:
    assert response.status_code == 415, response.text
    assert response.json()["code"] == "request.unsupported_media_type"
    assert SESSION_COOKIE not in response.cookies


@pytest.mark.parametrize(
    "content_type",
    ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", None],
)
async def test_sign_in_takes_only_json(client: httpx.AsyncClient, content_type: str | None) -> None:
    me = await make_actor(Role.MEMBER)
    headers = {"content-type": content_type} if content_type else {}
    body = json.dumps({"email": me.email, "password": PASSWORD}).encode()
    response = await client.post("/api/v1/auth/signin", content=body, headers=headers)
    _unsupported(response)


async def test_sign_up_takes_only_json(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/api/v1/auth/signup", content=json.dumps(SIGNUP).encode(), headers={"content-type": "text/plain"}
    )
    _unsupported(response)
    assert await Person.count() == 0


async def test_every_api_route_with_a_body_takes_only_json(client: httpx.AsyncClient) -> None:
    me = await make_actor(Role.MEMBER)
    before = await ApiToken.count()
    response = await client.post(
        "/api/v1/me/tokens", content=b'{"name": "x"}', headers={**me.headers, "content-type": "text/plain"}
    )
    _unsupported(response)
    assert await ApiToken.count() == before
    # A route that takes no body still answers a bodiless POST.
    resend = await client.post("/api/v1/me/verify-email/resend", headers=me.headers)
    assert resend.status_code == 202
    # JSON with a charset parameter is JSON.
    made = await client.post(
        "/api/v1/me/tokens",
        content=b'{"name": "y"}',
        headers={**me.headers, "content-type": "application/json; charset=utf-8"},
    )
    assert made.status_code == 201


async def test_the_stripe_webhook_is_not_held_to_json(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/api/v1/billing/stripe/webhook", content=b"x", headers={"content-type": "text/plain"}
    )
    assert response.status_code != 415


@pytest.mark.parametrize(
    "headers",
    [
        {"origin": "https://evil.example"},
        {"origin": "null"},
        {"sec-fetch-site": "cross-site"},
        {"origin": "http://testserver.local", "sec-fetch-site": "cross-site"},
    ],
    ids=["foreign origin", "opaque origin", "fetch metadata", "fetch metadata wins"],
)
@pytest.mark.parametrize("path", ["/api/v1/auth/signin", "/api/v1/auth/signup"])
async def test_credential_routes_refuse_cross_site_requests(
    client: httpx.AsyncClient, headers: dict[str, str], path: str
) -> None:
    me = await make_actor(Role.MEMBER)
    body = {"email": me.email, "password": PASSWORD} if path.endswith("signin") else SIGNUP
    response = await client.post(path, json=body, headers=headers)
    assert response.status_code == 403, response.text
    assert response.json()["code"] == "auth.cross_site"
    assert SESSION_COOKIE not in response.cookies


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"origin": "http://testserver.local"},
        {"sec-fetch-site": "same-origin"},
        {"sec-fetch-site": "none"},
    ],
    ids=["no headers (curl)", "same origin", "same-origin fetch", "typed address"],
)
async def test_same_site_and_headerless_sign_ins_work(
    client: httpx.AsyncClient, headers: dict[str, str]
) -> None:
    me = await make_actor(Role.MEMBER)
    response = await client.post(
        "/api/v1/auth/signin", json={"email": me.email, "password": PASSWORD}, headers=headers
    )
    assert response.status_code == 200, response.text


async def test_the_api_csrf_check_verifies_the_token_s_signature(client: httpx.AsyncClient) -> None:
    me = await make_actor(Role.MEMBER)
    await sign_in(client, me)
    genuine = client.cookies["csrftoken"]

    _use_csrf(client, "forged")
    forged = await client.patch("/api/v1/me/", json={"name": "Forged"}, headers={"x-csrftoken": "forged"})
    assert forged.status_code == 403 and forged.json()["code"] == "auth.csrf"
    # A well-formed token signed with another key is just as forged.
    other = "a" * 64 + "b" * 64
    _use_csrf(client, other)
    assert (
        await client.patch("/api/v1/me/", json={"name": "X"}, headers={"x-csrftoken": other})
    ).status_code == 403

    _use_csrf(client, genuine)
    allowed = await client.patch("/api/v1/me/", json={"name": "Changed"}, headers={"x-csrftoken": genuine})
    assert allowed.status_code == 200, allowed.text
    assert allowed.json()["name"] == "Changed"
