"""Reconciliation over a seeded month reports exactly the planted discrepancies, and nothing else.

October 2026 is seeded in the fake Stripe and the ledger: many charges,
a partial refund, a JPY charge and a paid payout that all match, money just
outside the month on both sides, and four planted discrepancies: a charge
missing from the ledger, a ledger row Stripe does not have, an amount that
differs, and a fee Stripe took on its own.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from litestar import Litestar

from accounts.principal import Role
from billing.finance import reconciliation
from billing.payments.charges import import_charge
from billing.tables import LedgerEntry, ReconciliationFinding, ReconciliationRun
from tests.builders.clients import csrf_from
from tests.builders.finance import (
    account_of,
    at_moment,
    browse_as,
    charge_at,
    imported_charge,
    ledger_row,
    utc,
)
from tests.builders.people import Actor, make_actor
from tests.builders.stripe import WEBHOOK_SECRET
from tests.stripe_server import Account, deliver
from tests.stripe_server.payouts import create_payout, fail_payout, pay_payout, stripe_fee

OCTOBER = {"from": "2026-10-01", "to": "2026-11-01"}


@dataclass
class Planted:
    missing_charge: str
    ghost_charge: str
    differing_charge: str
    differing_txn: str
    unexplained_fee_txn: str
    late_charge: str


async def seed_october(app: Litestar, client: httpx.AsyncClient, stripe: Account) -> Planted:
    # Matching money, including the very first second of the month.
    await imported_charge(app, stripe, utc(2026, 10, 1, 0, 0, 0), 1999)
    for day in range(2, 14):
        await imported_charge(app, stripe, utc(2026, 10, day, 15, 30), 1000 + day * 100)
    refunded = await imported_charge(app, stripe, utc(2026, 10, 14, 9), 5000)
    at_moment(stripe, utc(2026, 10, 16, 10))
    stripe.refund({"charge": refunded["id"], "amount": "1500"})
    await import_charge(account_of(app), refunded["id"])
    await imported_charge(app, stripe, utc(2026, 10, 17, 3), 1000, "jpy")

    # Planted: a charge Stripe made that the ledger never heard of.
    missing = charge_at(stripe, utc(2026, 10, 15, 12), 4200)
    # Planted: a ledger row for a charge Stripe does not have.
    ghost = "ch_test_ghost"
    await ledger_row(
        kind="charge",
        amount=2500,
        currency="USD",
        stripe_id=ghost,
        occurred_at=utc(2026, 10, 20, 8),
        stripe_charge_id=ghost,
        stripe_balance_transaction_id="txn_test_ghost",
    )
    # Planted: the ledger has 1899 where Stripe charged 1999 (its fee is right).
    differing = charge_at(stripe, utc(2026, 10, 21, 11), 1999)
    txn = stripe.objects[differing["balance_transaction"]]
    await ledger_row(
        kind="charge",
        amount=1899,
        currency="USD",
        stripe_id=differing["id"],
        occurred_at=utc(2026, 10, 21, 11),
        stripe_charge_id=differing["id"],
        stripe_balance_transaction_id=txn["id"],
    )
    await ledger_row(
        kind="fee",
        amount=-txn["fee"],
        currency="USD",
        stripe_id=txn["id"],
        occurred_at=utc(2026, 10, 21, 11),
        stripe_charge_id=differing["id"],
        stripe_balance_transaction_id=txn["id"],
    )
    # Planted: a fee Stripe took with no charge of ours behind it.
    at_moment(stripe, utc(2026, 10, 22, 0))
    fee = stripe_fee(stripe, 500, "usd", "Radar screening")

    # A payout of the month's USD, paid, and mirrored through its webhook.
    at_moment(stripe, utc(2026, 10, 28, 6))
    payout = create_payout(stripe, "usd")
    paid = pay_payout(stripe, payout["id"])
    assert (await deliver(client, paid, WEBHOOK_SECRET)).json()["outcome"] == "imported"

    # Just outside the month, on both sides: none of it is October's business.
    await imported_charge(app, stripe, utc(2026, 9, 30, 23, 59, 59), 3000)
    charge_at(stripe, utc(2026, 9, 15), 7777)  # missing from the ledger, but September's
    late = charge_at(stripe, utc(2026, 11, 1, 0, 0, 0), 8888)  # missing, but November's
    await ledger_row(
        kind="charge",
        amount=999,
        currency="USD",
        stripe_id="ch_test_november_ghost",
        occurred_at=utc(2026, 11, 1),
    )
    stripe.clock_offset = 0
    return Planted(missing["id"], ghost, differing["id"], txn["id"], fee["id"], late["id"])


async def finance() -> Actor:
    return await make_actor(Role.FINANCE)


async def reconcile(
    client: httpx.AsyncClient, who: Actor, period: dict[str, str] = OCTOBER
) -> dict[str, Any]:
    response = await client.post("/api/v1/finance/reconciliations", json=period, headers=who.headers)
    assert response.status_code == 200, response.text
    return dict(response.json())


def summary(run: dict[str, Any]) -> set[tuple[str, str]]:
    return {(f["kind"], f["stripe_source"] or f["stripe_balance_transaction_id"]) for f in run["findings"]}


async def test_a_seeded_month_reports_exactly_the_planted_discrepancies(
    app: Litestar, client: httpx.AsyncClient, stripe_account: Account, monkeypatch: pytest.MonkeyPatch
) -> None:
    planted = await seed_october(app, client, stripe_account)
    monkeypatch.setattr(reconciliation, "PAGE", 7)  # several pages, so paging is exercised
    stripe_account.requests.clear()
    run = await reconcile(client, await finance())

    by_kind = {f["kind"]: f for f in run["findings"]}
    assert len(run["findings"]) == 4, run["findings"]
    assert set(by_kind) == {"missing_in_ledger", "missing_in_stripe", "amount_differs", "unexplained_fee"}

    missing = by_kind["missing_in_ledger"]
    assert (missing["stripe_type"], missing["stripe_source"]) == ("charge", planted.missing_charge)
    assert (missing["stripe_amount"], missing["stripe_currency"], missing["ledger_amount"]) == (
        4200,
        "USD",
        None,
    )
    assert missing["recordable"] is True

    ghost = by_kind["missing_in_stripe"]
    assert ghost["ledger_amount"] == 2500 and ghost["stripe_amount"] is None
    assert ghost["ledger_entry_id"] is not None and ghost["recordable"] is False
    assert planted.ghost_charge in ghost["message"]

    differs = by_kind["amount_differs"]
    assert differs["stripe_source"] == planted.differing_charge
    assert (differs["stripe_amount"], differs["ledger_amount"], differs["stripe_currency"]) == (
        1999,
        1899,
        "USD",
    )
    assert differs["recordable"] is False

    fee = by_kind["unexplained_fee"]
    assert fee["stripe_balance_transaction_id"] == planted.unexplained_fee_txn
    assert (fee["stripe_type"], fee["stripe_amount"]) == ("stripe_fee", -500)

    # Every October transaction was listed (13 + 1 charges, refund, JPY, missing, differing, fee, payout).
    october = [
        t
        for t in stripe_account.of_kind("balance_transaction")
        if utc(2026, 10, 1).timestamp() <= t["created"] < utc(2026, 11, 1).timestamp()
    ]
    assert run["stripe_transactions"] == len(october) == 20
    assert run["matched"] == 17  # all but the missing charge, the differing one and the fee
    pages = [p for m, path, p in stripe_account.requests if path == "/v1/balance_transactions" and m == "GET"]
    assert len(pages) == 3 and "starting_after" in pages[1] and "starting_after" in pages[2]
    assert pages[0]["created"] == {
        "gte": str(int(utc(2026, 10, 1).timestamp())),
        "lt": str(int(utc(2026, 11, 1).timestamp())),
    }


async def test_a_run_writes_no_money_and_running_again_changes_nothing(
    app: Litestar, client: httpx.AsyncClient, stripe_account: Account
) -> None:
    await seed_october(app, client, stripe_account)
    who = await finance()
    ledger_before = await LedgerEntry.count()
    first = await reconcile(client, who)
    second = await reconcile(client, who)
    assert await LedgerEntry.count() == ledger_before  # finance sees the discrepancy first
    assert second["id"] == first["id"] and await ReconciliationRun.count() == 1
    assert summary(second) == summary(first) and await ReconciliationFinding.count() == 4
    listed = await client.get("/api/v1/finance/reconciliations", headers=who.headers)
    assert [r["findings"] for r in listed.json()] == [4]


async def test_record_missing_imports_from_stripe_and_the_next_run_agrees(
    app: Litestar, client: httpx.AsyncClient, stripe_account: Account
) -> None:
    planted = await seed_october(app, client, stripe_account)
    who = await finance()
    run = await reconcile(client, who)
    recorded = await client.post(
        f"/api/v1/finance/reconciliations/{run['id']}/record-missing", json={}, headers=who.headers
    )
    assert recorded.status_code == 200, recorded.text
    outcome = recorded.json()
    assert len(outcome["recorded"]) == 2 and len(outcome["skipped"]) == 2
    assert outcome["ledger_entries_added"] == 3  # the charge, its fee, the stand-alone fee
    charge = await LedgerEntry.select().where(LedgerEntry.stripe_id == planted.missing_charge).first()
    assert charge is not None and (charge["kind"], charge["amount"], charge["currency"]) == (
        "charge",
        4200,
        "USD",
    )
    fee = await LedgerEntry.select().where(LedgerEntry.stripe_id == planted.unexplained_fee_txn).first()
    assert fee is not None and (fee["kind"], fee["amount"]) == ("fee", -500)

    again = await client.post(
        f"/api/v1/finance/reconciliations/{run['id']}/record-missing", json={}, headers=who.headers
    )
    assert again.json()["recorded"] == [] and again.json()["ledger_entries_added"] == 0

    rerun = await reconcile(client, who)
    assert summary(rerun) == {
        ("missing_in_stripe", ""),
        ("amount_differs", planted.differing_charge),
    }
    assert rerun["matched"] == 19


async def test_one_finding_can_be_recorded_alone(
    app: Litestar, client: httpx.AsyncClient, stripe_account: Account
) -> None:
    planted = await seed_october(app, client, stripe_account)
    who = await finance()
    run = await reconcile(client, who)
    fee = next(f for f in run["findings"] if f["kind"] == "unexplained_fee")
    ghost = next(f for f in run["findings"] if f["kind"] == "missing_in_stripe")
    response = await client.post(
        f"/api/v1/finance/reconciliations/{run['id']}/record-missing",
        json={"finding_ids": [fee["id"], ghost["id"], 999999]},
        headers=who.headers,
    )
    assert response.json()["recorded"] == [fee["id"]]
    assert sorted(response.json()["skipped"]) == sorted([ghost["id"], 999999])
    assert not await LedgerEntry.exists().where(LedgerEntry.stripe_id == planted.missing_charge)


async def test_a_ledger_row_whose_transaction_fell_in_the_next_period_is_not_missing(
    app: Litestar, client: httpx.AsyncClient, stripe_account: Account
) -> None:
    """Timing, not a discrepancy: the ledger dated it in October, Stripe's transaction is November's."""
    charge = charge_at(stripe_account, utc(2026, 11, 1, 0, 0, 5), 1234)
    txn = stripe_account.objects[charge["balance_transaction"]]
    for kind, amount, stripe_id in (("charge", 1234, charge["id"]), ("fee", -txn["fee"], txn["id"])):
        await ledger_row(
            kind=kind,
            amount=amount,
            currency="USD",
            stripe_id=stripe_id,
            occurred_at=utc(2026, 10, 31, 23, 59, 59),
            stripe_charge_id=charge["id"],
            stripe_balance_transaction_id=txn["id"],
        )
    stripe_account.clock_offset = 0
    run = await reconcile(client, await finance())
    assert run["findings"] == [] and run["ledger_entries"] == 2


@pytest.mark.parametrize(
    ("period", "field"),
    [
        ({"from": "2026-11-01", "to": "2026-10-01"}, "to"),
        ({"from": "2026-10-01", "to": "2026-10-01"}, "to"),
        ({"from": "yesterday", "to": "2026-10-01"}, "from"),
        ({"from": "2026-13-01", "to": "2026-10-01"}, "from"),
        ({"from": "2020-01-01", "to": "2026-10-01"}, "to"),
        ({"from": "", "to": "2026-10-01"}, "from"),
    ],
)
async def test_a_bad_period_is_a_clear_400_and_runs_nothing(
    client: httpx.AsyncClient, stripe_account: Account, period: dict[str, str], field: str
) -> None:
    response = await client.post(
        "/api/v1/finance/reconciliations", json=period, headers=(await finance()).headers
    )
    assert response.status_code == 400, response.text
    body = response.json()
    assert body["code"] == "finance.period_invalid" and body["details"]["field"] == field and body["message"]
    assert await ReconciliationRun.count() == 0 and stripe_account.requests == []


async def test_payout_paid_and_failed_are_mirrored_once_and_reconcile(
    app: Litestar, client: httpx.AsyncClient, stripe_account: Account
) -> None:
    await imported_charge(app, stripe_account, utc(2026, 10, 3, 10), 10000)
    await imported_charge(app, stripe_account, utc(2026, 10, 4, 10), 2000)
    at_moment(stripe_account, utc(2026, 10, 10))
    paid_payout = create_payout(stripe_account, "usd")
    paid_event = pay_payout(stripe_account, paid_payout["id"])
    await imported_charge(app, stripe_account, utc(2026, 10, 12, 10), 3000)
    at_moment(stripe_account, utc(2026, 10, 20))
    failed_payout = create_payout(stripe_account, "usd")
    failed_event = pay_payout(stripe_account, failed_payout["id"])
    at_moment(stripe_account, utc(2026, 10, 23))
    failed_event = fail_payout(stripe_account, failed_payout["id"])
    stripe_account.clock_offset = 0

    # The SDK lists what a payout swept, the way Stripe does.
    swept = await account_of(app).client.v1.balance_transactions.list_async({"payout": paid_payout["id"]})
    assert sorted(t["type"] for t in swept.data) == ["charge", "charge", "payout"]
    assert sum(t["net"] for t in swept.data) == 0

    for event in (paid_event, paid_event, failed_event, failed_event):
        assert (await deliver(client, event, WEBHOOK_SECRET)).status_code == 200
    payouts = await LedgerEntry.select().where(LedgerEntry.kind == "payout").order_by(LedgerEntry.occurred_at)
    net_first = 10000 - (290 + 30) + 2000 - (58 + 30)
    assert [(p["stripe_id"], p["amount"]) for p in payouts] == [
        (paid_payout["id"], -net_first),
        (failed_payout["id"], -(3000 - (87 + 30))),
        (failed_payout["failure_balance_transaction"], 3000 - (87 + 30)),
    ]
    assert payouts[0]["occurred_at"] == utc(2026, 10, 10)

    run = await reconcile(client, await finance())
    assert run["findings"] == [] and run["matched"] == run["stripe_transactions"] == 6


async def test_finance_reconciles_and_records_through_the_pages(
    app: Litestar, client: httpx.AsyncClient, stripe_account: Account
) -> None:
    planted = await seed_october(app, client, stripe_account)
    who = await finance()
    await browse_as(client, who)
    form_page = await client.get("/finance/reconciliation")
    assert form_page.status_code == 200 and "No period has been reconciled yet." in form_page.text
    token = csrf_from(form_page.text)

    bad = await client.post(
        "/finance/reconciliation", data={"from": "2026-11-01", "to": "2026-10-01", "_csrf_token": token}
    )
    assert bad.status_code == 400 and 'role="alert"' in bad.text and await ReconciliationRun.count() == 0

    ran = await client.post("/finance/reconciliation", data={**OCTOBER, "_csrf_token": token})
    assert ran.status_code == 303
    report = await client.get(ran.headers["location"])
    assert report.status_code == 200
    kinds = re.findall(r'<tr id="finding-\d+" data-kind="([a-z_]+)"', report.text)
    assert sorted(kinds) == ["amount_differs", "missing_in_ledger", "missing_in_stripe", "unexplained_fee"]
    assert planted.missing_charge in report.text and "42.00 USD" in report.text
    assert "19.99 USD" in report.text and "18.99 USD" in report.text
    assert report.text.count("Record from Stripe") == 2 and "Record all 2 missing from Stripe" in report.text

    recorded = await client.post(
        f"{ran.headers['location']}/record-missing", data={"_csrf_token": csrf_from(report.text)}
    )
    assert recorded.status_code == 303 and recorded.headers["location"].endswith("?recorded=2")
    after = await client.get(recorded.headers["location"])
    assert "2 findings recorded in the ledger" in after.text and "Record from Stripe" not in after.text
    assert await LedgerEntry.exists().where(LedgerEntry.stripe_id == planted.missing_charge)

    again = await client.post("/finance/reconciliation", data={**OCTOBER, "_csrf_token": token})
    assert again.headers["location"] == ran.headers["location"]  # the same run, refreshed
    refreshed = await client.get(again.headers["location"])
    assert sorted(re.findall(r'data-kind="([a-z_]+)"', refreshed.text)) == [
        "amount_differs",
        "missing_in_stripe",
    ]


async def test_a_payout_in_transit_is_shown_and_not_recorded_until_it_settles(
    app: Litestar, client: httpx.AsyncClient, stripe_account: Account
) -> None:
    await imported_charge(app, stripe_account, utc(2026, 10, 3, 10), 10000)
    at_moment(stripe_account, utc(2026, 10, 30))
    payout = create_payout(stripe_account, "usd")
    stripe_account.clock_offset = 0
    who = await finance()
    run = await reconcile(client, who)
    [finding] = run["findings"]
    assert (finding["kind"], finding["stripe_source"], finding["stripe_amount"]) == (
        "missing_in_ledger",
        payout["id"],
        -(10000 - 320),
    )
    assert "in transit" in finding["message"]
    held = await client.post(
        f"/api/v1/finance/reconciliations/{run['id']}/record-missing", json={}, headers=who.headers
    )
    assert held.json()["recorded"] == [] and held.json()["skipped"] == [finding["id"]]
    assert not await LedgerEntry.exists().where(LedgerEntry.kind == "payout")

    await deliver(client, pay_payout(stripe_account, payout["id"]), WEBHOOK_SECRET)
    assert (await reconcile(client, who))["findings"] == []


async def test_two_runs_of_one_period_at_once_leave_one_run(
    app: Litestar, client: httpx.AsyncClient, stripe_account: Account
) -> None:
    await imported_charge(app, stripe_account, utc(2026, 10, 3, 10), 10000)
    charge_at(stripe_account, utc(2026, 10, 4, 10), 2500)
    stripe_account.clock_offset = 0
    who = await finance()
    first, second = await asyncio.gather(reconcile(client, who), reconcile(client, who))
    assert first["id"] == second["id"] and await ReconciliationRun.count() == 1
    assert await ReconciliationFinding.count() == 1
