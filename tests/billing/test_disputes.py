"""Disputes: re-read from Stripe, mirrored in the ledger, alerted, listed for finance; the place stays."""

from __future__ import annotations

from billing.tables import BillingAlert, Dispute, LedgerEntry
from tests.builders.places import PRICE, Shop
from tests.builders.refunds import finance, ledger, paid_place, refund
from tests.stripe_server import fee_for
from tests.stripe_server.disputes import DISPUTE_FEE, close_dispute, open_dispute, submit_evidence

PAID = [("charge", PRICE), ("fee", -fee_for(PRICE))]


async def _alerts() -> list[str]:
    rows = await BillingAlert.select(BillingAlert.kind).order_by(BillingAlert.id)
    return [r["kind"] for r in rows]


async def test_a_dispute_opened_then_won(shop: Shop) -> None:
    await shop.open_event()
    _person, reg = await paid_place(shop)
    (charge,) = shop.stripe.charges_for(reg["id"])
    dispute, opened = open_dispute(shop.stripe, charge["id"], reason="product_not_received")
    for event in opened:
        assert (await shop.deliver(event)).json()["outcome"] == "dispute_needs_response"
    assert await ledger(reg["id"]) == sorted([*PAID, ("dispute", -PRICE), ("fee", -DISPUTE_FEE)])
    await shop.assert_ledger_matches_stripe(reg["id"])
    row = await Dispute.select().where(Dispute.stripe_dispute_id == dispute["id"]).first()
    assert row is not None
    assert (row["registration"], row["amount"], row["currency"], row["status"]) == (
        reg["id"],
        PRICE,
        "USD",
        "needs_response",
    )
    assert row["evidence_due_by"] is not None
    assert await _alerts() == ["dispute_opened"]
    assert await shop.status(reg["id"]) == "confirmed"  # the place stays while the bank decides

    # While it is open, finance cannot refund the same money a second time.
    blocked = await refund(shop.client, await finance(), reg["id"])
    assert blocked.status_code == 409 and blocked.json()["code"] == "refund.disputed"

    assert (await shop.deliver(submit_evidence(shop.stripe, dispute["id"]))).json()[
        "outcome"
    ] == "dispute_under_review"
    for event in close_dispute(shop.stripe, dispute["id"], won=True):
        await shop.deliver(event)
    assert await ledger(reg["id"]) == sorted(
        [*PAID, ("dispute", -PRICE), ("fee", -DISPUTE_FEE), ("dispute", PRICE)]
    )
    await shop.assert_ledger_matches_stripe(reg["id"])
    assert await _alerts() == ["dispute_opened", "dispute_won"]
    assert await shop.status(reg["id"]) == "confirmed"
    row = await Dispute.select(Dispute.status).where(Dispute.stripe_dispute_id == dispute["id"]).first()
    assert row == {"status": "won"}


async def test_a_dispute_lost_keeps_the_withdrawal_and_the_fee(shop: Shop) -> None:
    await shop.open_event()
    _person, reg = await paid_place(shop)
    (charge,) = shop.stripe.charges_for(reg["id"])
    dispute, opened = open_dispute(shop.stripe, charge["id"])
    await shop.deliver(opened[0])
    (closed,) = close_dispute(shop.stripe, dispute["id"], won=False)
    assert (await shop.deliver(closed)).json()["outcome"] == "dispute_lost"
    assert await ledger(reg["id"]) == sorted([*PAID, ("dispute", -PRICE), ("fee", -DISPUTE_FEE)])
    await shop.assert_ledger_matches_stripe(reg["id"])
    assert await _alerts() == ["dispute_opened", "dispute_lost"]
    lost = await BillingAlert.select().where(BillingAlert.kind == "dispute_lost").first()
    assert lost is not None and "19.99 USD" in lost["message"] and lost["registration"] == reg["id"]
    assert await shop.status(reg["id"]) == "confirmed"


async def test_dispute_events_out_of_order_and_repeated_end_in_the_same_records(shop: Shop) -> None:
    await shop.open_event()
    _person, reg = await paid_place(shop)
    (charge,) = shop.stripe.charges_for(reg["id"])
    dispute, opened = open_dispute(shop.stripe, charge["id"])
    closing = close_dispute(shop.stripe, dispute["id"], won=True)
    # The closing events first, then the stale "created" ones, each twice.
    for event in [*reversed(closing), *opened, *closing, *opened]:
        assert (await shop.deliver(event)).json()["outcome"] in ("dispute_won", "duplicate")
    assert await ledger(reg["id"]) == sorted(
        [*PAID, ("dispute", -PRICE), ("fee", -DISPUTE_FEE), ("dispute", PRICE)]
    )
    await shop.assert_ledger_matches_stripe(reg["id"])
    assert sorted(await _alerts()) == ["dispute_opened", "dispute_won"]
    assert await Dispute.count() == 1
    row = await Dispute.select(Dispute.status).first()
    assert row == {"status": "won"}


async def test_a_dispute_on_a_charge_not_yet_mirrored_imports_the_charge_too(shop: Shop) -> None:
    await shop.open_event()
    person, reg = await shop.register()
    opened_checkout = await shop.checkout(person, reg["id"])
    shop.stripe.pay(opened_checkout["session_id"])  # the checkout events are not delivered (yet)
    (charge,) = shop.stripe.charges_for(reg["id"])
    _dispute, opened = open_dispute(shop.stripe, charge["id"])
    await shop.deliver(opened[0])
    kinds = {r["kind"] for r in await LedgerEntry.select(LedgerEntry.kind)}
    assert kinds == {"charge", "fee", "dispute"}
    await shop.assert_ledger_matches_stripe(reg["id"])


async def test_finance_sees_disputes_listed(shop: Shop) -> None:
    await shop.open_event()
    person, reg = await paid_place(shop)
    (charge,) = shop.stripe.charges_for(reg["id"])
    dispute, opened = open_dispute(shop.stripe, charge["id"], reason="duplicate")
    await shop.deliver(opened[0])
    money = await finance()
    page = await shop.client.get("/finance/disputes", headers=money.headers)
    assert page.status_code == 200
    assert f'data-dispute="{dispute["id"]}"' in page.text
    assert "19.99 USD" in page.text and 'data-status="needs_response"' in page.text
    assert f'href="/finance/registrations/{reg["id"]}"' in page.text
    detail = await shop.client.get(f"/finance/registrations/{reg['id']}", headers=money.headers)
    assert "disputed" in detail.text and "Refund</button>" not in detail.text
    assert person.email in detail.text
