"""Every finance route the app serves refuses people without the finance role.

The per-area matrices (test_finance_access.py, test_refunds_access.py) try
each route with real data. This test is the net under them: it walks the
app's own route table, so a finance route added later without a guard fails
here even if nobody wrote a matrix row for it.
"""

from __future__ import annotations

import re

import httpx
import pytest
from litestar import Litestar
from litestar.routes import HTTPRoute

from accounts.principal import Role
from billing.tables import LedgerEntry, RefundRequest
from tests.builders.clients import csrf_from
from tests.builders.finance import browse_as
from tests.builders.people import Actor, make_actor, make_staff

FINANCE_PREFIXES = ("/finance", "/api/v1/finance")
REFUND_PATH = re.compile(r"^/api/v1/registrations/\{[^}]+\}/refunds$")
PARAM = re.compile(r"\{[^}]+\}")


def finance_routes(app: Litestar) -> list[tuple[str, str]]:
    found = []
    for route in app.routes:
        if not isinstance(route, HTTPRoute):
            continue
        if not (route.path.startswith(FINANCE_PREFIXES) or REFUND_PATH.match(route.path)):
            continue
        for method in sorted(set(route.route_handler_map) - {"OPTIONS", "HEAD"}):
            found.append((method, route.path))
    return found


def test_the_walk_finds_the_finance_routes(app: Litestar) -> None:
    found = finance_routes(app)
    paths = {path for _, path in found}
    assert "/finance" in paths
    assert any(REFUND_PATH.match(p) for p in paths)
    assert any(p.startswith("/api/v1/finance") for p in paths)
    assert len(found) >= 20


@pytest.mark.parametrize("role", ["member", "speaker", "guest", "program staff"])
async def test_no_finance_route_answers_people_without_the_finance_role(
    app: Litestar, client: httpx.AsyncClient, role: str
) -> None:
    who: Actor = (
        await make_staff()
        if role == "program staff"
        else await make_actor({"member": Role.MEMBER, "speaker": Role.SPEAKER, "guest": Role.GUEST}[role])
    )
    await browse_as(client, who)
    # A valid CSRF token, so a refused POST is refused by the role check, not by the CSRF guard.
    token = csrf_from((await client.get("/account")).text)
    ledger_before, refunds_before = await LedgerEntry.count(), await RefundRequest.count()
    for method, path in finance_routes(app):
        url = PARAM.sub("1", path)
        # Cookie-signed-in pages and token-authenticated API alike must refuse.
        # The API takes JSON only (anything else is a 415 before any guard), pages take forms.
        if path.startswith("/api/"):
            response = await client.request(method, url, headers=who.headers, json={})
        else:
            response = await client.request(method, url, data={"_csrf_token": token})
        assert response.status_code in (401, 403), (method, path, response.status_code)
    assert (await LedgerEntry.count(), await RefundRequest.count()) == (ledger_before, refunds_before)
