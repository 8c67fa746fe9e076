"""The account pages: forms with CSRF protection, errors shown in place, safe redirects."""

from __future__ import annotations

from accounts.tables import Person
from grandrounds.web.auth import SESSION_COOKIE
from tests.builders.clients import csrf_from
from tests.builders.people import PASSWORD, make_actor

FORM = {
    "name": "Grace Hopper",
    "email": "grace@example.org",
    "password": "a sturdy passphrase",
    "time_zone": "UTC",
}


async def _post_form(client, path: str, form: dict[str, str]):
    form_page = {"/account/tokens": "/account", "/signout": "/account"}.get(path, path)
    page = await client.get(form_page)
    return await client.post(path, data={**form, "_csrf_token": csrf_from(page.text)})


async def test_sign_up_page_creates_account_and_lands_on_account_page(client) -> None:
    page = await client.get("/signup")
    assert page.status_code == 200
    assert '<label for="email">' in page.text
    response = await _post_form(client, "/signup", FORM)
    assert response.status_code in (302, 303), response.text
    assert response.headers["location"] == "/account"
    account = await client.get("/account")
    assert account.status_code == 200 and "grace@example.org" in account.text


async def test_form_without_csrf_token_is_refused_and_writes_nothing(client) -> None:
    await client.get("/signup")
    response = await client.post("/signup", data=FORM)
    assert response.status_code == 403
    assert "auth.csrf" in response.text
    assert await Person.count() == 0


async def test_sign_up_errors_are_shown_on_the_form_and_keep_input(client) -> None:
    response = await _post_form(client, "/signup", {**FORM, "password": "short"})
    assert response.status_code == 400
    assert "at least 10 characters" in response.text
    assert 'value="grace@example.org"' in response.text
    assert "short" not in response.text.split("<form")[1].split("</form>")[0].replace("password-hint", "")
    oversized = await _post_form(client, "/signup", {**FORM, "name": "x" * 5000})
    assert oversized.status_code == 400
    assert await Person.count() == 0


async def test_sign_in_page_redirects_only_within_the_site(client) -> None:
    me = await make_actor(email="me@example.org")
    ok = await _post_form(
        client, "/signin", {"email": me.email, "password": PASSWORD, "next": "//evil.example/x"}
    )
    assert ok.status_code in (302, 303)
    assert ok.headers["location"] == "/account"
    bad = await _post_form(client, "/signin", {"email": me.email, "password": "wrong-password"})
    assert bad.status_code == 401 and "not right" in bad.text


async def test_account_page_needs_sign_in_and_sign_out_ends_the_session(client) -> None:
    anonymous = await client.get("/account")
    assert anonymous.status_code in (302, 303) and anonymous.headers["location"].startswith("/signin")
    await _post_form(client, "/signup", FORM)
    cookie = client.cookies[SESSION_COOKIE]
    out = await _post_form(client, "/signout", {})
    assert out.status_code in (302, 303)
    client.cookies.set(SESSION_COOKIE, cookie)
    again = await client.get("/account")
    assert again.status_code in (302, 303)


async def test_token_created_on_account_page_is_shown_once(client) -> None:
    await _post_form(client, "/signup", FORM)
    created = await _post_form(client, "/account/tokens", {"name": "laptop"})
    assert created.status_code == 200
    assert 'id="new-token">grt_' in created.text
    again = await client.get("/account")
    assert "grt_" not in again.text.replace("<code>grt_", "")


async def test_cookie_authenticated_api_writes_need_the_csrf_header(client) -> None:
    await _post_form(client, "/signup", FORM)
    blocked = await client.patch("/api/v1/me/", json={"name": "Changed"})
    assert blocked.status_code == 403 and blocked.json()["code"] == "auth.csrf"
    csrf = client.cookies["csrftoken"]
    allowed = await client.patch("/api/v1/me/", json={"name": "Changed"}, headers={"x-csrftoken": csrf})
    assert allowed.status_code == 200 and allowed.json()["name"] == "Changed"


async def test_health_and_schema(client) -> None:
    assert (await client.get("/healthz")).json() == {"status": "ok"}
    assert (await client.get("/readyz")).json() == {"status": "ok"}
    schema = await client.get("/schema/openapi.json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert "/api/v1/auth/signup" in paths and "/api/v1/me/tokens" in paths
    assert not any(p.startswith("/account") for p in paths)


async def test_unknown_api_path_is_a_coded_404(client) -> None:
    response = await client.get("/api/v1/nothing-here")
    assert response.status_code == 404 and response.json()["code"] == "not_found"
