"""Finance's actions and exports leave one audit row per request: refunds, reconciliation, alerts,
and every download of the ledger or of payments (CSV or JSON pages); refusals leave none."""

from __future__ import annotations

import httpx
import pytest
from litestar import Litestar

from accounts.principal import Role
from billing.tables import BillingAlert
from tests.builders.audit import audit_rows
from tests.builders.clients import csrf_from
from tests.builders.finance import (
    browse_as,
    charge_at,
    imported_charge,
    ledger_row,
    program_event,
    registration,
    utc,
)
from tests.builders.people import make_actor
from tests.builders.places import Shop
from tests.builders.refunds import finance, paid_place, refund
from tests.stripe_server import Account


async def test_a_refund_names_the_registrant_amount_currency_and_reason(shop: Shop) -> None:
    await shop.open_event()
    person, reg = await paid_place(shop)
    money = await finance()
    over = await refund(shop.client, money, reg["id"], amount=100_000)
    assert over.status_code == 409
    stale = await refund(shop.client, money, reg["id"], amount=100, expected_refunded=300)
    assert stale.status_code == 409
    assert await audit_rows("refund.create") == [], "a refused refund is not on the trail"

    made = await refund(shop.client, money, reg["id"], amount=700, expected_refunded=0, reason="Left early")
    assert made.status_code == 201, made.text
    [row] = await audit_rows("refund.create")
    assert (row["object_kind"], row["object_id"]) == ("refund_request", str(made.json()["id"]))
    assert (row["actor_id"], row["role"], row["subject_id"]) == (money.id, "finance", person.id)
    assert row["changes"]["amount"] == 700 and row["changes"]["currency"] == "USD"
    assert row["changes"]["reason"] == "Left early" and row["changes"]["registration_id"] == reg["id"]
    assert row["changes"]["amount_refunded"] == [0, 700]

    # The same form again lands on the same refund: the trail shows it, as a replay, not a refund.
    again = await refund(shop.client, money, reg["id"], amount=700, expected_refunded=0, reason="Left early")
    assert again.status_code == 201 and again.json()["id"] == made.json()["id"]
    assert len(await audit_rows("refund.create")) == 1
    [replay] = await audit_rows("refund.replay")
    assert replay["object_id"] == row["object_id"] and replay["subject_id"] == person.id
    assert replay["changes"]["status"] == "succeeded" and replay["changes"]["amount"] == 700
    assert len(shop.stripe.of_kind("refund")) == 1


async def test_the_refund_form_is_audited_too(shop: Shop) -> None:
    await shop.open_event()
    person, reg = await paid_place(shop)
    money = await finance()
    path = f"/finance/registrations/{reg['id']}"
    page = await shop.client.get(path, headers=money.headers)
    hidden = page.text.split('name="expected_refunded" value="')[1].split('"')[0]
    data = {"_csrf_token": csrf_from(page.text), "expected_refunded": hidden, "reason": "Duplicate booking"}
    refused = await shop.client.post(
        f"{path}/refunds", data={**data, "amount": "99.00"}, headers=money.headers
    )
    assert refused.status_code == 409
    sent = await shop.client.post(f"{path}/refunds", data={**data, "amount": "5.00"}, headers=money.headers)
    assert sent.status_code == 303
    [row] = await audit_rows("refund.create")
    assert row["subject_id"] == person.id and row["changes"]["amount"] == 500
    assert row["changes"]["reason"] == "Duplicate booking"


async def test_reconciling_and_recording_what_is_missing(
    app: Litestar, client: httpx.AsyncClient, stripe_account: Account
) -> None:
    await imported_charge(app, stripe_account, utc(2026, 10, 2, 9), 1999)
    missing = charge_at(stripe_account, utc(2026, 10, 15, 12), 4200)
    stripe_account.clock_offset = 0
    who = await finance()
    october = {"from": "2026-10-01", "to": "2026-11-01"}
    ran = await client.post("/api/v1/finance/reconciliations", json=october, headers=who.headers)
    assert ran.status_code == 200, ran.text
    run = ran.json()
    [first] = await audit_rows("reconciliation.run")
    assert (first["object_kind"], first["object_id"], first["actor_id"]) == (
        "reconciliation_run",
        str(run["id"]),
        who.id,
    )
    assert first["changes"]["findings"] == [None, 1] and first["changes"]["matched"] == [None, run["matched"]]
    assert first["changes"]["period_start"].startswith("2026-10-01")

    bad = await client.post(
        "/api/v1/finance/reconciliations",
        json={"from": "2026-10-02", "to": "2026-10-01"},
        headers=who.headers,
    )
    assert bad.status_code == 400

    recorded = await client.post(
        f"/api/v1/finance/reconciliations/{run['id']}/record-missing", json={}, headers=who.headers
    )
    assert recorded.status_code == 200 and len(recorded.json()["recorded"]) == 1
    [row] = await audit_rows("reconciliation.record_missing")
    assert row["object_id"] == str(run["id"])
    assert row["changes"] == {
        "findings_recorded": recorded.json()["recorded"],
        "ledger_entries_added": recorded.json()["ledger_entries_added"],
    }
    nothing_left = await client.post(
        f"/api/v1/finance/reconciliations/{run['id']}/record-missing", json={}, headers=who.headers
    )
    assert nothing_left.json()["recorded"] == []
    assert len(await audit_rows("reconciliation.record_missing")) == 1, "nothing recorded, nothing changed"

    # Running the period again from the page: the same run, its counts before and after.
    await browse_as(client, who)
    form = await client.get("/finance/reconciliation")
    again = await client.post(
        "/finance/reconciliation",
        data={**october, "_csrf_token": csrf_from(form.text)},
        follow_redirects=False,
    )
    assert again.status_code == 303
    _, rerun = await audit_rows("reconciliation.run")
    assert rerun["object_id"] == str(run["id"])
    assert rerun["changes"]["findings"] == [1, 0] and rerun["changes"]["matched"] == [1, 2]
    assert missing["id"]


async def test_resolving_a_billing_alert(client: httpx.AsyncClient) -> None:
    who = await finance()
    _, event_id = await program_event("Grand Rounds", utc(2026, 10, 20, 15))
    reg_id = await registration(event_id)
    rows = await BillingAlert.insert(
        BillingAlert(
            kind="amount_mismatch", registration=reg_id, stripe_id="cs_1", message="Short by 9.99 USD."
        ),
        BillingAlert(kind="amount_mismatch", stripe_id="cs_2", message="Short by 1.00 USD."),
    ).returning(BillingAlert.id)
    first, second = rows[0]["id"], rows[1]["id"]
    resolved = await client.post(
        f"/api/v1/finance/alerts/{first}/resolve",
        json={"resolution": "Refunded the rest"},
        headers=who.headers,
    )
    assert resolved.status_code == 200
    twice = await client.post(
        f"/api/v1/finance/alerts/{first}/resolve", json={"resolution": "again"}, headers=who.headers
    )
    assert twice.status_code == 409
    await browse_as(client, who)
    page = await client.get("/finance/alerts")
    done = await client.post(
        f"/finance/alerts/{second}/resolve",
        data={"resolution": "Waived", "_csrf_token": csrf_from(page.text)},
    )
    assert done.status_code == 303
    api_row, page_row = await audit_rows("billing_alert.resolve")
    registrant = await registration_person(reg_id)
    assert (api_row["object_id"], api_row["subject_id"]) == (str(first), registrant)
    assert api_row["changes"] == {
        "resolved": [False, True],
        "resolution": ["", "Refunded the rest"],
        "kind": "amount_mismatch",
        "registration_id": reg_id,
    }
    assert page_row["object_id"] == str(second) and page_row["subject_id"] is None


async def registration_person(registration_id: int) -> int:
    from events.tables import Registration

    row = await Registration.select(Registration.person).where(Registration.id == registration_id).first()
    assert row is not None
    return int(row["person"])


async def test_every_ledger_and_payments_download_is_an_export_on_the_trail(
    client: httpx.AsyncClient,
) -> None:
    _, event_id = await program_event("Grand Rounds", utc(2026, 10, 20, 15))
    for n, day in enumerate((5, 6, 7)):
        reg_id = await registration(event_id, amount=1999)
        await ledger_row(
            kind="charge",
            amount=1999,
            currency="USD",
            stripe_id=f"ch_{n}",
            stripe_charge_id=f"ch_{n}",
            registration_id=reg_id,
            occurred_at=utc(2026, 10, day, 12),
        )
    who = await make_actor(Role.ADMIN)
    period = "from=2026-10-01&to=2026-11-01"
    assert (
        await client.get(f"/api/v1/finance/payments?{period}&limit=2", headers=who.headers)
    ).status_code == 200
    assert (
        await client.get(f"/api/v1/finance/ledger?{period}&format=csv", headers=who.headers)
    ).status_code == 200
    refused = await client.get("/api/v1/finance/ledger?from=2026-10-01", headers=who.headers)
    assert refused.status_code == 400
    await browse_as(client, who)
    assert (await client.get(f"/finance/exports?{period}")).status_code == 200  # a page view, not an export
    assert (await client.get(f"/finance/exports/payments.csv?basis=event&{period}")).status_code == 200
    assert (await client.get("/finance/exports/ledger.csv")).status_code == 200

    payments = await audit_rows("export.payments_csv")
    assert [(r["object_kind"], r["object_id"], r["actor_id"], r["role"]) for r in payments] == [
        ("payments", "payment", who.id, "admin"),
        ("payments", "event", who.id, "admin"),
    ]
    page_json, page_csv = (r["changes"] for r in payments)
    assert page_json["rows"] == 2 and page_json["total"] == 3 and page_json["format"] == "json"
    assert (page_json["limit"], page_json["offset"]) == (2, 0)
    assert page_json["from"].startswith("2026-10-01") and page_json["to"].startswith("2026-11-01")
    assert page_csv["rows"] == 3 and page_csv["basis"] == "event" and page_csv["format"] == "csv"
    ledger = [r["changes"] for r in await audit_rows("export.ledger_csv")]
    assert [(c["rows"], c["format"], c["from"] is None) for c in ledger] == [
        (3, "csv", False),
        (3, "csv", True),
    ]
    exports = [r for r in await audit_rows() if r["action"].startswith("export.")]
    assert len(exports) == 4, "the refused download and the page view left nothing"


async def test_record_missing_cut_short_by_stripe_still_audits_what_it_recorded(
    app: Litestar, client: httpx.AsyncClient, stripe_account: Account, monkeypatch: pytest.MonkeyPatch
) -> None:
    from billing import errors
    from billing.finance import record_missing

    charge_at(stripe_account, utc(2026, 10, 14, 12), 4200)
    charge_at(stripe_account, utc(2026, 10, 15, 12), 2500)
    stripe_account.clock_offset = 0
    who = await finance()
    run = (
        await client.post(
            "/api/v1/finance/reconciliations",
            json={"from": "2026-10-01", "to": "2026-11-01"},
            headers=who.headers,
        )
    ).json()
    assert len(run["findings"]) == 2
    real_import, calls = record_missing._import, []

    async def second_call_fails(account, row):  # type: ignore[no-untyped-def]
        calls.append(row["id"])
        if len(calls) == 2:
            raise errors.stripe_unavailable("APIConnectionError: timed out")
        return await real_import(account, row)

    monkeypatch.setattr(record_missing, "_import", second_call_fails)
    cut = await client.post(
        f"/api/v1/finance/reconciliations/{run['id']}/record-missing", json={}, headers=who.headers
    )
    assert cut.status_code == 502
    [row] = await audit_rows("reconciliation.record_missing")
    assert row["changes"]["findings_recorded"] == [calls[0]]
    assert row["changes"]["stopped_by"] == "billing.stripe_unavailable"
    assert row["changes"]["ledger_entries_added"] >= 1
    after = (await client.get(f"/api/v1/finance/reconciliations/{run['id']}", headers=who.headers)).json()
    assert [f["id"] for f in after["findings"] if f["recorded_at"]] == [calls[0]]
