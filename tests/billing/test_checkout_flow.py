"""Paying for a held place: checkout, the signed webhook, the browser's return, and the ledger."""

from __future__ import annotations

import asyncio

import pytest

from billing.tables import Checkout, LedgerEntry, StripeEvent
from events.tables import RegistrationChange
from notifications.tables import OutboxMessage
from tests.builders.places import PRICE, Shop, confirmations
from tests.stripe_server import fee_for


async def test_paid_checkout_confirms_the_place_and_fills_the_ledger(shop: Shop) -> None:
    await shop.open_event()
    person, reg = await shop.register()
    assert reg["status"] == "pending_payment"

    opened = await shop.checkout(person, reg["id"])
    session = shop.stripe.get(opened["session_id"], "checkout.session")
    assert opened["url"] == session["url"] and opened["amount"] == PRICE and opened["currency"] == "USD"
    assert session["metadata"]["registration_id"] == str(reg["id"])
    assert session["client_reference_id"] == str(reg["id"])
    assert (session["amount_total"], session["currency"]) == (PRICE, "usd")
    assert session["expires_at"] >= int(opened_hold(reg))
    method, path, _params = shop.stripe.requests[-1]
    assert (method, path) == ("POST", "/v1/checkout/sessions")

    completed = shop.stripe.pay(opened["session_id"])
    receipt = await shop.deliver(completed)
    assert receipt.json() == {"event_id": completed["id"], "outcome": "confirmed"}

    assert await shop.status(reg["id"]) == "confirmed"
    assert await confirmations(person.email) == 1
    charge = shop.stripe.charges_for(reg["id"])[0]
    entries = (
        await LedgerEntry.select(LedgerEntry.kind, LedgerEntry.amount, LedgerEntry.currency)
        .where(LedgerEntry.registration == reg["id"])
        .order_by(LedgerEntry.id)
    )
    assert entries == [
        {"kind": "charge", "amount": PRICE, "currency": "USD"},
        {"kind": "fee", "amount": -fee_for(PRICE), "currency": "USD"},
    ]
    assert charge["amount"] == PRICE
    await shop.assert_ledger_matches_stripe(reg["id"])
    history = (
        await RegistrationChange.select(RegistrationChange.to_status, RegistrationChange.reason)
        .where(RegistrationChange.registration == reg["id"])
        .order_by(RegistrationChange.id)
    )
    assert [h["to_status"] for h in history] == ["pending_payment", "confirmed"]
    assert history[-1]["reason"] == "payment received"


def opened_hold(reg: dict[str, object]) -> float:
    from datetime import datetime

    return datetime.fromisoformat(str(reg["hold_expires_at"])).timestamp()


async def test_asking_twice_gives_the_same_session_and_stripe_is_asked_once(shop: Shop) -> None:
    await shop.open_event()
    person, reg = await shop.register()
    first, second = await asyncio.gather(shop.checkout(person, reg["id"]), shop.checkout(person, reg["id"]))
    assert first["session_id"] == second["session_id"] and first["attempt"] == second["attempt"] == 1
    assert len(shop.stripe.sessions()) == 1
    assert await Checkout.count() == 1
    keys_used = {k for k in shop.stripe.idempotent}
    assert keys_used == {f"checkout-{reg['id']}-1"}


async def test_duplicate_webhook_is_ignored(shop: Shop) -> None:
    await shop.open_event()
    person, reg = await shop.register()
    opened = await shop.checkout(person, reg["id"])
    completed = shop.stripe.pay(opened["session_id"])
    assert (await shop.deliver(completed)).json()["outcome"] == "confirmed"
    assert (await shop.deliver(completed)).json()["outcome"] == "duplicate"
    assert await StripeEvent.count() == 1
    assert await confirmations(person.email) == 1
    assert await LedgerEntry.count() == 2
    await shop.assert_ledger_matches_stripe(reg["id"])


async def test_out_of_order_events_follow_what_stripe_says_now(shop: Shop) -> None:
    """completed, then a stale expired event for the same session, then completed again: every
    event is re-read from Stripe (the session is paid), so nothing is released and one confirmation
    stands."""
    await shop.open_event()
    person, reg = await shop.register()
    opened = await shop.checkout(person, reg["id"])
    completed = shop.stripe.pay(opened["session_id"])
    stale_expired = {
        **completed,
        "id": "evt_test_stale_expired",
        "type": "checkout.session.expired",
        "data": {"object": {**completed["data"]["object"], "status": "expired"}},
    }
    outcomes = [
        (await shop.deliver(event)).json()["outcome"] for event in (completed, stale_expired, completed)
    ]
    assert outcomes == ["confirmed", "confirmed", "duplicate"]
    assert await shop.status(reg["id"]) == "confirmed"
    assert await confirmations(person.email) == 1
    assert await OutboxMessage.count().where(OutboxMessage.template == "registration_hold_expired") == 0
    assert await LedgerEntry.count() == 2
    await shop.assert_ledger_matches_stripe(reg["id"])


async def test_expired_arriving_before_completed_does_not_release_a_paid_place(shop: Shop) -> None:
    await shop.open_event()
    person, reg = await shop.register()
    opened = await shop.checkout(person, reg["id"])
    completed = shop.stripe.pay(opened["session_id"])
    early_expired = {**completed, "id": "evt_test_early_expired", "type": "checkout.session.expired"}
    assert (await shop.deliver(early_expired)).json()["outcome"] == "confirmed"
    assert (await shop.deliver(completed)).json()["outcome"] == "confirmed"
    assert await shop.status(reg["id"]) == "confirmed"
    assert await confirmations(person.email) == 1
    await shop.assert_ledger_matches_stripe(reg["id"])


async def test_browser_return_and_webhook_together_confirm_once(shop: Shop) -> None:
    await shop.open_event()
    person, reg = await shop.register()
    opened = await shop.checkout(person, reg["id"])
    completed = shop.stripe.pay(opened["session_id"])
    page, hook = await asyncio.gather(
        shop.client.get(f"/registrations/{reg['id']}/paid", headers=person.headers),
        shop.deliver(completed),
    )
    assert page.status_code == 200 and 'data-outcome="confirmed"' in page.text, page.text
    assert hook.json()["outcome"] == "confirmed"
    assert await shop.status(reg["id"]) == "confirmed"
    assert await confirmations(person.email) == 1
    confirmed_rows = await RegistrationChange.count().where(
        (RegistrationChange.registration == reg["id"]) & (RegistrationChange.to_status == "confirmed")
    )
    assert confirmed_rows == 1
    assert await LedgerEntry.count().where(LedgerEntry.kind == "charge") == 1
    await shop.assert_ledger_matches_stripe(reg["id"])


async def test_the_pay_button_leads_to_stripe_without_javascript(shop: Shop) -> None:
    from tests.builders.clients import csrf_from

    await shop.open_event()
    person, reg = await shop.register()
    page = await shop.client.get("/registrations", headers=person.headers)
    token = csrf_from(page.text)
    response = await shop.client.post(
        f"/registrations/{reg['id']}/pay", data={"_csrf_token": token}, headers=person.headers
    )
    assert response.status_code == 303, response.text
    (session,) = shop.stripe.sessions()
    assert response.headers["location"] == session["url"]


@pytest.mark.parametrize(
    ("price", "currency", "stripe_currency"),
    [(1999, "USD", "usd"), (1000, "JPY", "jpy")],
    ids=["19.99 USD is 1999", "1000 JPY is 1000"],
)
async def test_stripe_is_asked_for_minor_units_of_the_ticket_currency(
    shop: Shop, price: int, currency: str, stripe_currency: str
) -> None:
    """DOMAIN: money is integer minor units; a zero-decimal currency is not multiplied by 100."""
    await shop.open_event(price=price, currency=currency)
    person, reg = await shop.register()
    assert (reg["amount"], reg["currency"]) == (price, currency)

    opened = await shop.checkout(person, reg["id"])
    session = shop.stripe.get(opened["session_id"], "checkout.session")
    assert (session["amount_total"], session["currency"]) == (price, stripe_currency)

    await shop.deliver(shop.stripe.pay(opened["session_id"]))
    assert await shop.status(reg["id"]) == "confirmed"
    charge = await LedgerEntry.select(LedgerEntry.amount, LedgerEntry.currency).where(
        (LedgerEntry.registration == reg["id"]) & (LedgerEntry.kind == "charge")
    )
    assert charge == [{"amount": price, "currency": currency}]
    await shop.assert_ledger_matches_stripe(reg["id"])
