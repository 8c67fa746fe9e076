"""Every kind of response carries the security headers a penetration test found missing."""

from __future__ import annotations

from dataclasses import replace

import httpx
import pytest
from litestar import Litestar

from accounts.principal import Role
from grandrounds.server.app import create_app
from grandrounds.settings import get_settings
from tests.builders.clients import client_for, csrf_from, sign_in
from tests.builders.events import published_event
from tests.builders.people import make_actor

COMMON = {
    "x-frame-options": "DENY",
    "x-content-type-options": "nosniff",
}


def assert_hardened(response: httpx.Response, referrer: str = "same-origin") -> None:
    for name, value in COMMON.items():
        assert response.headers.get(name) == value, (response.request.url, name)
    assert response.headers.get("referrer-policy") == referrer
    policy = response.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in policy
    script_src = next(part for part in policy.split("; ") if part.startswith("script-src"))
    assert "'unsafe-inline'" not in script_src and "http" not in script_src
    assert "strict-transport-security" not in response.headers  # the test site is http


async def test_pages_api_errors_redirects_and_downloads_carry_the_headers(client: httpx.AsyncClient) -> None:
    event_id = await published_event(client)
    responses = {
        "page": await client.get("/events"),
        "json": await client.get("/api/v1/events"),
        "api 404": await client.get("/api/v1/no-such-thing"),
        "page 404": await client.get("/no-such-page"),
        "redirect": await client.get("/account"),
        "csv": await client.get("/api/v1/directory/listings", params={"format": "csv"}),
        "ics": await client.get(f"/events/{event_id}/calendar.ics"),
        "schema": await client.get("/schema/openapi.json"),
    }
    assert responses["page 404"].status_code == 404 and responses["api 404"].status_code == 404
    assert responses["redirect"].status_code in (302, 303)
    assert responses["ics"].status_code == 200, responses["ics"].text
    for kind, response in responses.items():
        # Calendar files share their response with the secret feed, which keeps no-referrer.
        assert_hardened(response, referrer="no-referrer" if kind == "ics" else "same-origin")


async def test_a_bad_request_carries_the_headers(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/api/v1/auth/signin", content=b"{", headers={"content-type": "application/json"}
    )
    assert response.status_code == 400
    assert_hardened(response)


async def test_a_secret_link_page_keeps_its_own_referrer_policy(client: httpx.AsyncClient) -> None:
    member = await make_actor(Role.MEMBER)
    reset = await client.post("/api/v1/me/feed/reset", headers=member.headers)
    feed = await client.get("/feeds/" + reset.json()["url"].rsplit("/feeds/", 1)[1])
    assert feed.status_code == 200, feed.text
    assert_hardened(feed, referrer="no-referrer")


async def test_a_secret_shown_once_is_not_stored(client: httpx.AsyncClient) -> None:
    member = await make_actor(Role.MEMBER)
    api_token = await client.post("/api/v1/me/tokens", json={"name": "script"}, headers=member.headers)
    feed = await client.post("/api/v1/me/feed/reset", headers=member.headers)
    await sign_in(client, member)
    account = await client.get("/account")
    page_token = await client.post(
        "/account/tokens", data={"name": "laptop", "_csrf_token": csrf_from(account.text)}
    )
    calendar = await client.get("/account/calendar")
    page_feed = await client.post("/account/calendar/reset", data={"_csrf_token": csrf_from(calendar.text)})
    for response in (api_token, feed, page_token, page_feed):
        assert response.status_code in (200, 201), response.text
        assert response.headers["cache-control"] == "no-store"
        assert_hardened(response)
    assert "no-store" not in account.headers.get("cache-control", "")


async def test_https_sites_send_strict_transport_security() -> None:
    app = create_app(replace(get_settings(), base_url="https://grandrounds.example.org"))
    async with client_for(app) as https_client:
        response = await https_client.get("/api/v1/events")
    assert response.headers["strict-transport-security"].startswith("max-age=")


@pytest.mark.parametrize("browser", ["/schema", "/schema/swagger"])
async def test_the_cdn_api_browsers_are_off_unless_enabled(app: Litestar, browser: str) -> None:
    async with client_for(app) as default_client:
        page = await default_client.get(browser)
        # Nothing there, or the JSON document itself: no HTML page loading a CDN's scripts.
        assert page.status_code == 404 or page.headers["content-type"].startswith("application/")
        assert "cdn.jsdelivr.net" not in page.text
    enabled = create_app(replace(get_settings(), api_browsers=True))
    async with client_for(enabled) as browsing_client:
        page = await browsing_client.get(browser)
        assert page.status_code == 200 and "cdn.jsdelivr.net" in page.text
        assert "cdn.jsdelivr.net" in page.headers["content-security-policy"]
