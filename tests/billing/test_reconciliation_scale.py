"""A month with thousands of discrepancies is still one run with every finding, on both engines.

A first reconciliation of an account whose ledger was never filled finds one
"missing in the ledger" per Stripe transaction. Each finding is a row of
about fourteen values, so a few thousand of them written in one statement
would pass PostgreSQL's limit of 32,767 bound values (SQLite's depends on how
it was built) and lose the run.
"""

from __future__ import annotations

import httpx
from litestar import Litestar

from accounts.principal import Role
from billing.tables import LedgerEntry, ReconciliationFinding
from tests.builders.finance import charge_at, utc
from tests.builders.people import make_actor
from tests.stripe_server import Account

CHARGES = 2_600  # x 14 values per finding > 32,767


async def test_thousands_of_charges_missing_from_the_ledger_are_all_reported(
    app: Litestar, client: httpx.AsyncClient, stripe_account: Account
) -> None:
    for n in range(CHARGES):
        charge_at(stripe_account, utc(2026, 8, 1 + n % 28, n % 24, n % 60), 1000 + n)
    stripe_account.clock_offset = 0
    finance = await make_actor(Role.FINANCE)
    response = await client.post(
        "/api/v1/finance/reconciliations",
        json={"from": "2026-08-01", "to": "2026-09-01"},
        headers=finance.headers,
    )
    assert response.status_code == 200, response.text[:500]
    run = response.json()
    assert run["stripe_transactions"] == CHARGES and run["matched"] == 0
    assert len(run["findings"]) == CHARGES
    assert {f["kind"] for f in run["findings"]} == {"missing_in_ledger"}
    assert await ReconciliationFinding.count() == CHARGES
    assert await LedgerEntry.count() == 0  # a run writes findings, never money
