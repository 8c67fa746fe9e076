"""Totals per event, program and membership tier; exports by payment date or event date; money as
minor units and as people read it; formula-safe CSV; the pages finance uses, without JavaScript."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from accounts.principal import Role
from billing.finance.totals import display
from billing.tables import BillingAlert
from tests.builders.clients import csrf_from
from tests.builders.finance import browse_as, ledger_row, membership, program_event, registration, utc
from tests.builders.people import Actor, make_actor, make_program


@dataclass
class Books:
    program_a: int
    program_b: int
    october_event: int  # program A, starts 2026-10-20
    december_event: int  # program A, starts 2026-12-05
    program_b_event: int  # program B, starts 2026-10-25
    individual: int
    organization: int


async def charge(
    stripe_id: str,
    amount: int,
    when: tuple[int, ...],
    *,
    currency: str = "USD",
    registration_id: int | None = None,
    membership_id: int | None = None,
    fee: int = 0,
    refund: int = 0,
) -> None:
    """A charge in the ledger with, optionally, its fee and a refund, all at ``when``."""
    common = {
        "currency": currency,
        "occurred_at": utc(*when),
        "registration_id": registration_id,
        "membership_id": membership_id,
        "stripe_charge_id": stripe_id,
    }
    await ledger_row(kind="charge", amount=amount, stripe_id=stripe_id, **common)
    if fee:
        await ledger_row(kind="fee", amount=-fee, stripe_id=f"txn_{stripe_id}", **common)
    if refund:
        await ledger_row(kind="refund", amount=-refund, stripe_id=f"re_{stripe_id}", **common)


async def keep_books() -> Books:
    program_a = await make_program(slug="residency")
    program_b = await make_program(slug="webinars")
    _, october = await program_event(
        '=HYPERLINK("http://evil.example","Grand Rounds")', utc(2026, 10, 20, 14), program_a
    )
    _, december = await program_event("Winter symposium", utc(2026, 12, 5, 15), program_a)
    _, b_event = await program_event("Crisis webinar", utc(2026, 10, 25, 16), program_b)
    books = Books(
        program_a,
        program_b,
        october,
        december,
        b_event,
        await membership("individual"),
        await membership("organization"),
    )
    # For the October event: paid in September (early) and in October; one refunded in part.
    await charge(
        "ch_oct_sep",
        1999,
        (2026, 9, 25, 10),
        registration_id=await registration(october, "+cmd|calc"),
        fee=88,
    )
    await charge(
        "ch_oct_oct",
        1999,
        (2026, 10, 10, 10),
        registration_id=await registration(october),
        fee=88,
        refund=500,
    )
    # For the December event, paid in October: JPY, never added to USD.
    await charge(
        "ch_dec_oct",
        1000,
        (2026, 10, 5, 10),
        currency="JPY",
        registration_id=await registration(december),
        fee=59,
    )
    # Program B's event, paid in October, then lost to a dispute.
    b_registration = await registration(b_event)
    await charge("ch_b_oct", 5000, (2026, 10, 12, 10), registration_id=b_registration, fee=175)
    await ledger_row(
        kind="dispute",
        amount=-5000,
        currency="USD",
        stripe_id="txn_dp_b",
        occurred_at=utc(2026, 10, 30),
        stripe_charge_id="ch_b_oct",
        registration_id=b_registration,
    )
    # Membership dues in October, and a payout (not part of any total).
    await charge("ch_ind", 12000, (2026, 10, 2, 9), membership_id=books.individual, fee=378)
    await charge("ch_org", 400000, (2026, 10, 3, 9), membership_id=books.organization, fee=11630)
    await ledger_row(
        kind="payout", amount=-100000, currency="USD", stripe_id="po_1", occurred_at=utc(2026, 10, 31)
    )
    return books


async def finance() -> Actor:
    return await make_actor(Role.FINANCE)


def rows_of(totals: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    return {(r["key"], r["currency"]): r for r in totals["rows"]}


@pytest.mark.parametrize(
    ("minor", "currency", "shown"),
    [(1999, "USD", "19.99"), (1000, "JPY", "1000"), (-1999, "USD", "-19.99"), (5, "USD", "0.05")],
)
def test_money_is_minor_units_and_shown_as_people_read_it(minor: int, currency: str, shown: str) -> None:
    assert display(minor, currency) == shown


async def test_totals_per_event_program_and_tier_never_add_currencies(client: httpx.AsyncClient) -> None:
    books = await keep_books()
    who = await finance()

    by_event = rows_of((await client.get("/api/v1/finance/totals?by=event", headers=who.headers)).json())
    october = by_event[(str(books.october_event), "USD")]
    assert (october["charges"], october["refunds"], october["fees"], october["disputes"]) == (
        3998,
        -500,
        -176,
        0,
    )
    assert (october["net"], october["net_display"]) == (3322, "33.22")
    december = by_event[(str(books.december_event), "JPY")]
    assert (december["charges"], december["net"], december["net_display"]) == (1000, 941, "941")
    assert (str(books.december_event), "USD") not in by_event
    b_event = by_event[(str(books.program_b_event), "USD")]
    assert (b_event["disputes"], b_event["net"]) == (-5000, -175)
    dues = by_event[("", "USD")]
    assert (dues["charges"], dues["fees"]) == (412000, -12008)  # no payout in any total

    by_program = rows_of((await client.get("/api/v1/finance/totals?by=program", headers=who.headers)).json())
    assert by_program[(str(books.program_a), "USD")]["net"] == 3322
    assert by_program[(str(books.program_a), "JPY")]["net"] == 941
    assert by_program[(str(books.program_b), "USD")]["net"] == -175
    assert by_program[("", "USD")]["label"] == "No program"

    by_tier = rows_of((await client.get("/api/v1/finance/totals?by=tier", headers=who.headers)).json())
    assert by_tier[("individual", "USD")]["net"] == 12000 - 378
    assert by_tier[("organization", "USD")]["net"] == 400000 - 11630
    assert by_tier[("organization", "USD")]["label"] == "Organization"
    assert by_tier[("", "USD")]["charges"] == 1999 + 1999 + 5000
    assert by_tier[("", "JPY")]["charges"] == 1000

    # A period: only what moved in September.
    september = rows_of(
        (
            await client.get(
                "/api/v1/finance/totals?by=event&from=2026-09-01&to=2026-10-01", headers=who.headers
            )
        ).json()
    )
    assert list(september) == [(str(books.october_event), "USD")]
    assert september[(str(books.october_event), "USD")]["net"] == 1999 - 88


async def payments(client: httpx.AsyncClient, who: Actor, basis: str) -> list[str]:
    url = f"/api/v1/finance/payments?basis={basis}&from=2026-10-01&to=2026-11-01"
    response = await client.get(url, headers=who.headers)
    assert response.status_code == 200, response.text
    return [p["charge_id"] for p in response.json()["items"]]


async def test_payment_date_and_event_date_select_different_rows(client: httpx.AsyncClient) -> None:
    await keep_books()
    who = await finance()
    # Paid in October: the October event's second payment, the December event's, program B's, the dues.
    assert await payments(client, who, "payment") == [
        "ch_ind",
        "ch_org",
        "ch_dec_oct",
        "ch_oct_oct",
        "ch_b_oct",
    ]
    # Events in October: both payments of the October event (one made in September) and program B's.
    assert await payments(client, who, "event") == ["ch_oct_sep", "ch_oct_oct", "ch_b_oct"]

    ledger = await client.get(
        "/api/v1/finance/ledger?basis=event&from=2026-12-01&to=2027-01-01", headers=who.headers
    )
    assert [(r["kind"], r["amount"], r["currency"]) for r in ledger.json()["items"]] == [
        ("charge", 1000, "JPY"),
        ("fee", -59, "JPY"),
    ]
    payout_month = await client.get(
        "/api/v1/finance/ledger?from=2026-10-31&to=2026-11-01", headers=who.headers
    )
    assert [(r["kind"], r["amount_display"]) for r in payout_month.json()["items"]] == [
        ("payout", "-1000.00")
    ]


def read_csv(response: httpx.Response) -> list[dict[str, str]]:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    assert response.headers["content-disposition"].startswith("attachment;")
    assert response.text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(response.text.lstrip("\ufeff"))))


async def test_csv_exports_are_formula_safe_with_minor_units_and_formatted_amounts(
    client: httpx.AsyncClient,
) -> None:
    books = await keep_books()
    who = await finance()
    rows = read_csv(
        await client.get(
            "/api/v1/finance/payments?format=csv&basis=event&from=2026-10-01&to=2026-11-01",
            headers=who.headers,
        )
    )
    assert [r["charge_id"] for r in rows] == ["ch_oct_sep", "ch_oct_oct", "ch_b_oct"]
    early = rows[0]
    assert early["event_title"] == "'" + '=HYPERLINK("http://evil.example","Grand Rounds")'
    assert early["payer_name"] == "'+cmd|calc"
    assert (early["amount_minor"], early["amount"], early["currency"]) == ("1999", "19.99", "USD")
    assert (early["fees_minor"], early["net_minor"], early["net"]) == ("88", "1911", "19.11")
    assert early["event_id"] == str(books.october_event) and early["program"] == "Residency"
    assert rows[1]["refunded_minor"] == "500" and rows[1]["net"] == "14.11"

    ledger = read_csv(
        await client.get(
            "/api/v1/finance/ledger?format=csv&from=2026-10-05&to=2026-10-06", headers=who.headers
        )
    )
    assert [(r["kind"], r["currency"], r["amount_minor"], r["amount"]) for r in ledger] == [
        ("charge", "JPY", "1000", "1000"),
        ("fee", "JPY", "-59", "-59"),
    ]
    assert ledger[0]["event_starts_at_utc"] == "2026-12-05T15:00:00+00:00"

    # The page's download links give the same file.
    await browse_as(client, who)
    page = read_csv(
        await client.get("/finance/exports/payments.csv?basis=event&from=2026-10-01&to=2026-11-01")
    )
    assert page == rows


@pytest.mark.parametrize(
    ("query", "field"),
    [("from=2026-10-01", "to"), ("from=soon&to=2026-10-01", "from"), ("from=2026-10-02&to=2026-10-01", "to")],
)
async def test_bad_filters_are_a_clear_400(client: httpx.AsyncClient, query: str, field: str) -> None:
    who = await finance()
    for path in ("/api/v1/finance/payments", "/api/v1/finance/ledger", "/api/v1/finance/totals"):
        response = await client.get(f"{path}?{query}", headers=who.headers)
        assert response.status_code == 400, (path, response.text)
        assert response.json()["code"] == "finance.period_invalid"
        assert response.json()["details"]["field"] == field
    bad_basis = await client.get("/api/v1/finance/payments?basis=refund_date", headers=who.headers)
    assert bad_basis.status_code == 400
    await browse_as(client, who)
    page = await client.get(f"/finance/exports?{query}")
    assert page.status_code == 400 and 'role="alert"' in page.text


async def test_the_finance_pages_show_totals_reports_and_alerts(client: httpx.AsyncClient) -> None:
    books = await keep_books()
    who = await finance()
    await browse_as(client, who)
    index = await client.get("/finance?from=2026-10-01&to=2026-11-01")
    assert index.status_code == 200
    assert "33.22 USD" not in index.text  # the September payment is outside the period
    assert "14.11 USD" in index.text and "941 JPY" in index.text and "Organization" in index.text
    assert "Per membership tier" in index.text and str(books.program_b_event) in index.text

    exports = await client.get("/finance/exports?basis=event&from=2026-10-01&to=2026-11-01")
    assert exports.status_code == 200 and "3 payments" in exports.text
    assert "/finance/exports/payments.csv?basis=event&amp;from=2026-10-01&amp;to=2026-11-01" in exports.text

    rows = await BillingAlert.insert(
        BillingAlert(
            kind="amount_mismatch",
            stripe_id="cs_test_1",
            message="Stripe took 10.00 USD, we asked 19.99 USD.",
        )
    ).returning(BillingAlert.id)
    alert_id = rows[0]["id"]
    alerts = await client.get("/finance/alerts")
    assert "we asked 19.99 USD" in alerts.text
    resolved = await client.post(
        f"/finance/alerts/{alert_id}/resolve",
        data={"resolution": "Refunded the difference", "_csrf_token": csrf_from(alerts.text)},
    )
    assert resolved.status_code == 303
    row = await BillingAlert.select().where(BillingAlert.id == alert_id).first()
    assert row is not None and row["resolved_by"] == who.id and row["resolution"] == "Refunded the difference"
    assert "we asked 19.99 USD" not in (await client.get("/finance/alerts")).text
    assert "Refunded the difference" in (await client.get("/finance/alerts?show=resolved")).text
    again = await client.post(
        f"/api/v1/finance/alerts/{alert_id}/resolve", json={"resolution": "twice"}, headers=who.headers
    )
    assert again.status_code == 409 and again.json()["code"] == "alert.already_resolved"
    missing = await client.post("/api/v1/finance/alerts/999999/resolve", json={}, headers=who.headers)
    assert missing.status_code == 404 and missing.json()["code"] == "alert.not_found"
