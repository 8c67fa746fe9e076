"""A password reset ends API tokens too, and the account page signs out of every session (finding 2)."""

from __future__ import annotations

import httpx

from accounts.principal import Role
from accounts.tables import ApiToken, SignInSession
from tests.builders.accounts import reset_token
from tests.builders.clients import csrf_from, sign_in
from tests.builders.people import make_actor

NEW_PASSWORD = "a brand new passphrase"


async def test_a_password_reset_revokes_the_person_s_api_tokens(client: httpx.AsyncClient) -> None:
    me, someone_else = await make_actor(Role.MEMBER), await make_actor(Role.MEMBER)
    assert (await client.get("/api/v1/me", headers=me.headers)).status_code == 200
    token = await reset_token(client, me.email)
    done = await client.post(
        "/api/v1/auth/password-reset/confirm", json={"token": token, "password": NEW_PASSWORD}
    )
    assert done.status_code == 204
    after = await client.get("/api/v1/me", headers=me.headers)
    assert after.status_code == 401 and after.json()["code"] == "auth.token_invalid"
    assert await ApiToken.count().where((ApiToken.person == me.id) & ApiToken.revoked_at.is_null()) == 0
    # Nobody else's token is touched.
    assert (await client.get("/api/v1/me", headers=someone_else.headers)).status_code == 200


async def test_the_reset_pages_say_tokens_are_revoked(client: httpx.AsyncClient) -> None:
    me = await make_actor(Role.MEMBER)
    token = await reset_token(client, me.email)
    form = await client.get(f"/password/reset/{token}")
    assert "API tokens" in form.text
    done = await client.post(
        f"/password/reset/{token}", data={"password": NEW_PASSWORD, "_csrf_token": csrf_from(form.text)}
    )
    assert done.status_code in (302, 303)
    landing = await client.get(done.headers["location"])
    assert "Your new password is set" in landing.text
    assert "API tokens" in landing.text and "signed out" in landing.text


async def test_sign_out_of_all_sessions_from_the_account_page(client: httpx.AsyncClient) -> None:
    me = await make_actor(Role.MEMBER)
    # Another browser of the same person.
    await sign_in(client, me)
    other_browser = dict(client.cookies)
    await sign_in(client, me)
    assert await SignInSession.count().where(SignInSession.revoked_at.is_null()) == 2

    page = await client.get("/account")
    assert 'id="sign-out-everywhere"' in page.text
    out = await client.post("/account/sessions/revoke", data={"_csrf_token": csrf_from(page.text)})
    assert out.status_code in (302, 303) and out.headers["location"].startswith("/signin")
    assert await SignInSession.count().where(SignInSession.revoked_at.is_null()) == 0
    assert (await client.get("/api/v1/me")).status_code == 401
    client.cookies.clear()
    for name, value in other_browser.items():
        client.cookies.set(name, value)
    assert (await client.get("/api/v1/me")).status_code == 401, "the other browser is signed out too"
    # API tokens are not sessions: they stay until revoked on their own.
    assert (await client.get("/api/v1/me", headers=me.headers)).status_code == 200
