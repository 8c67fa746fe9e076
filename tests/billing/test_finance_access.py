"""Who may use the finance routes: finance and admins; everyone else is refused and changes nothing.

Every route of the finance API and pages is listed (a test checks the list
against the handlers), and tried by nobody, a guest attendee, a member, a
speaker, program staff, finance and an admin.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass

import httpx
import pytest

from accounts.principal import Role
from billing.controllers import finance as finance_api
from billing.pages import finance as finance_pages
from billing.tables import BillingAlert, ReconciliationRun
from tests.builders.clients import csrf_from
from tests.builders.finance import browse_as, utc
from tests.builders.people import Actor, make_actor, make_staff

ROLES = ("nobody", "guest", "member", "speaker", "program staff", "finance", "admin")
ALLOWED = {"finance", "admin"}


@dataclass
class World:
    run_id: int

    alerts: int = 0

    async def alert(self) -> int:
        """A fresh open alert (one per (kind, Stripe id), so each gets its own id)."""
        self.alerts += 1
        rows = await BillingAlert.insert(
            BillingAlert(kind="amount_mismatch", stripe_id=f"cs_test_{self.alerts}", message="Paid 1 USD")
        ).returning(BillingAlert.id)
        return int(rows[0]["id"])


async def world() -> World:
    rows = await ReconciliationRun.insert(
        ReconciliationRun(period_start=utc(2026, 9, 1), period_end=utc(2026, 10, 1))
    ).returning(ReconciliationRun.id)
    return World(int(rows[0]["id"]))


async def actor(role: str) -> Actor | None:
    if role == "nobody":
        return None
    if role == "program staff":
        return await make_staff()
    return await make_actor(
        {
            "guest": Role.GUEST,
            "member": Role.MEMBER,
            "speaker": Role.SPEAKER,
            "finance": Role.FINANCE,
            "admin": Role.ADMIN,
        }[role]
    )


Call = Callable[[httpx.AsyncClient, Actor | None, World], Awaitable[httpx.Response]]


def api_get(path: str) -> Call:
    async def call(client: httpx.AsyncClient, who: Actor | None, w: World) -> httpx.Response:
        return await client.get(path.format(run=w.run_id), headers=who.headers if who else {})

    return call


def api_post(path: str, body: Mapping[str, object], needs_alert: bool = False) -> Call:
    async def call(client: httpx.AsyncClient, who: Actor | None, w: World) -> httpx.Response:
        alert = await w.alert() if needs_alert else 0
        url = path.format(run=w.run_id, alert=alert)
        return await client.post(url, json=dict(body), headers=who.headers if who else {})

    return call


def page_get(path: str) -> Call:
    async def call(client: httpx.AsyncClient, who: Actor | None, w: World) -> httpx.Response:
        await browse_as(client, who)
        return await client.get(path.format(run=w.run_id))

    return call


def page_post(path: str, form: dict[str, str], needs_alert: bool = False) -> Call:
    async def call(client: httpx.AsyncClient, who: Actor | None, w: World) -> httpx.Response:
        await browse_as(client, who)
        home = await client.get("/signin" if who is None else "/")
        token = csrf_from(home.text)
        alert = await w.alert() if needs_alert else 0
        return await client.post(path.format(run=w.run_id, alert=alert), data={**form, "_csrf_token": token})

    return call


OCTOBER = {"from": "2026-10-01", "to": "2026-11-01"}
ROUTES: dict[str, Call] = {
    "GET /api/v1/finance/totals": api_get("/api/v1/finance/totals?by=program"),
    "GET /api/v1/finance/reconciliations": api_get("/api/v1/finance/reconciliations"),
    "POST /api/v1/finance/reconciliations": api_post("/api/v1/finance/reconciliations", OCTOBER),
    "GET /api/v1/finance/reconciliations/{run_id:int}": api_get("/api/v1/finance/reconciliations/{run}"),
    "POST /api/v1/finance/reconciliations/{run_id:int}/record-missing": api_post(
        "/api/v1/finance/reconciliations/{run}/record-missing", {}
    ),
    "GET /api/v1/finance/ledger": api_get("/api/v1/finance/ledger?format=csv"),
    "GET /api/v1/finance/payments": api_get("/api/v1/finance/payments?basis=event"),
    "GET /api/v1/finance/alerts": api_get("/api/v1/finance/alerts?show=all"),
    "POST /api/v1/finance/alerts/{alert_id:int}/resolve": api_post(
        "/api/v1/finance/alerts/{alert}/resolve", {"resolution": "refunded"}, needs_alert=True
    ),
    "GET /finance": page_get("/finance"),
    "GET /finance/reconciliation": page_get("/finance/reconciliation"),
    "POST /finance/reconciliation": page_post("/finance/reconciliation", OCTOBER),
    "GET /finance/reconciliation/{run_id:int}": page_get("/finance/reconciliation/{run}"),
    "POST /finance/reconciliation/{run_id:int}/record-missing": page_post(
        "/finance/reconciliation/{run}/record-missing", {}
    ),
    "GET /finance/exports": page_get("/finance/exports?basis=event"),
    "GET /finance/exports/ledger.csv": page_get("/finance/exports/ledger.csv"),
    "GET /finance/exports/payments.csv": page_get(
        "/finance/exports/payments.csv?from=2026-10-01&to=2026-11-01"
    ),
    "GET /finance/alerts": page_get("/finance/alerts"),
    "POST /finance/alerts/{alert_id:int}/resolve": page_post(
        "/finance/alerts/{alert}/resolve", {"resolution": "done"}, needs_alert=True
    ),
}


def test_the_matrix_covers_every_finance_route() -> None:
    handlers = [*finance_api.CONTROLLERS, *finance_pages.CONTROLLERS]
    declared = {f"{method} {path}" for h in handlers for path in h.paths for method in h.http_methods}
    assert declared == set(ROUTES)


@pytest.mark.parametrize("role", ROLES)
async def test_only_finance_and_admins_reach_finance_routes(
    client: httpx.AsyncClient, stripe_account: object, role: str
) -> None:
    w = await world()
    who = await actor(role)
    for name, call in ROUTES.items():
        runs, open_alerts = (
            await ReconciliationRun.count(),
            await BillingAlert.count().where(BillingAlert.resolved_at.is_null()),
        )
        response = await call(client, who, w)
        method, path = name.split(" ", 1)
        is_page = not path.startswith("/api/")
        if role in ALLOWED:
            assert response.status_code in ((303,) if is_page and method == "POST" else (200,)), (
                name,
                response.status_code,
                response.text[:300],
            )
            continue
        if role == "nobody" and is_page:
            assert response.status_code in (302, 303), name
            assert response.headers["location"].startswith("/signin?next="), name
        elif role == "nobody":
            assert response.status_code == 401, (name, response.status_code)
        else:
            assert response.status_code == 403, (name, response.status_code)
        if path.startswith("/api/"):
            assert response.json()["code"] in ("auth.required", "auth.forbidden"), name
        else:
            assert "text/csv" not in response.headers.get("content-type", ""), name
        # Refused means nothing changed: no run, no alert resolved.
        assert await ReconciliationRun.count() == runs, name
        still_open = await BillingAlert.count().where(BillingAlert.resolved_at.is_null())
        assert still_open == open_alerts + (1 if name.endswith("resolve") else 0), name
