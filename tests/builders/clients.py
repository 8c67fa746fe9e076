"""Clients: signing in as a browser does, the CSRF field of a form, posting a form, running a coroutine.

There is one way to sign in (``sign_in``): through the form, as a browser does.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from asgi_lifespan import LifespanManager
from litestar import Litestar
from piccolo.utils.sync import run_sync

from tests.builders.people import PASSWORD, Actor

CSRF_FIELD = re.compile(r'name="_csrf_token" value="([^"]+)"')


def csrf_from(html: str) -> str:
    match = CSRF_FIELD.search(html)
    assert match, "page has no CSRF field"
    return match.group(1)


def run(coro):  # type: ignore[no-untyped-def]
    """Run a coroutine from a synchronous test."""
    return run_sync(coro)


async def sign_in(client: httpx.AsyncClient, who: Actor | str) -> None:
    """Browse as ``who`` (an Actor, or the e-mail of someone made with ``PASSWORD``).

    Through the sign-in form with its CSRF field, as a browser would, after emptying the
    cookie jar so that switching people mid-test never mixes two sessions.
    """
    client.cookies.clear()
    email = who.email if isinstance(who, Actor) else who
    form = await client.get("/signin")
    response = await client.post(
        "/signin", data={"email": email, "password": PASSWORD, "_csrf_token": csrf_from(form.text)}
    )
    assert response.status_code in (302, 303), response.text


async def csrf_headers(client: httpx.AsyncClient) -> dict[str, str]:
    """The ``x-csrftoken`` header a cookie-authenticated API write echoes, as a browser's script would:
    the signed token of the site's CSRF cookie, set by any page."""
    if "csrftoken" not in client.cookies:
        await client.get("/signin")
    return {"x-csrftoken": client.cookies["csrftoken"]}


@asynccontextmanager
async def client_for(app: Litestar) -> AsyncIterator[httpx.AsyncClient]:
    """A client of an app other than the test's own (e.g. one without payments), its lifespan running."""
    async with LifespanManager(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver.local") as client:
            yield client


@asynccontextmanager
async def client_from(app: Litestar, address: str) -> AsyncIterator[httpx.AsyncClient]:
    """Another browser of the test's app, calling from ``address`` (the app's lifespan is already running)."""
    transport = httpx.ASGITransport(app=app, client=(address, 50_000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver.local") as client:
        yield client
