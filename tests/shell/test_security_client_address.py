"""Which address the limits per client count (pentest finding 5, behind a proxy).

The limits count litestar's ``request.client.host``. uvicorn fills it from
X-Forwarded-For only for connections from the proxies in ``FORWARDED_ALLOW_IPS``;
``grandrounds serve`` passes that variable on (loopback by default), and the
application itself never reads the header, so a client cannot name its own address.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from litestar import Litestar

from accounts.principal import Role
from grandrounds.server import cli
from tests.builders.clients import client_from
from tests.builders.people import PASSWORD, make_actor


def _serve(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    import uvicorn

    seen: dict[str, Any] = {}
    monkeypatch.setattr(uvicorn, "run", lambda *args, **kwargs: seen.update(kwargs))
    monkeypatch.setattr(cli, "_migrate", lambda quiet=True: None)
    monkeypatch.setenv("GRANDROUNDS_BASE_URL", "http://127.0.0.1:8000")
    args = cli.build_parser().parse_args(["serve", "--host", "127.0.0.1", "--port", "8000", "--workers", "1"])
    assert cli.cmd_serve(args) == 0
    return seen


def test_serve_trusts_only_loopback_as_a_proxy_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FORWARDED_ALLOW_IPS", raising=False)
    seen = _serve(monkeypatch)
    assert seen["proxy_headers"] is True
    assert seen["forwarded_allow_ips"] == "127.0.0.1"


def test_serve_passes_the_proxies_named_in_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FORWARDED_ALLOW_IPS", "10.0.0.5,10.0.0.6")
    assert _serve(monkeypatch)["forwarded_allow_ips"] == "10.0.0.5,10.0.0.6"


async def test_a_client_cannot_escape_its_limits_by_naming_another_address(
    client: httpx.AsyncClient, app: Litestar
) -> None:
    me = await make_actor(Role.MEMBER)
    async with client_from(app, "198.51.100.99") as guesser:
        for i in range(12):
            await guesser.post(
                "/api/v1/auth/signin",
                json={"email": me.email, "password": "wrong guess number one"},
                headers={"x-forwarded-for": f"203.0.113.{i}"},
            )
        again = await guesser.post(
            "/api/v1/auth/signin",
            json={"email": me.email, "password": PASSWORD},
            headers={"x-forwarded-for": "203.0.113.200"},
        )
    assert again.status_code == 429 and again.json()["code"] == "auth.throttled"
