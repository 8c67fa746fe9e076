"""What settlement does when money and seats disagree: mismatches, lapsed holds, expiry, refunds."""

from __future__ import annotations

import json

from billing.tables import BillingAlert, LedgerEntry
from events.tables import RegistrationChange
from notifications.rendering import render_email
from notifications.tables import OutboxMessage
from tests.builders.people import make_actor
from tests.builders.places import PRICE, Shop, confirmations, lapse_hold
from tests.stripe_server import fee_for


async def test_amount_mismatch_raises_an_alert_and_confirms_nothing(shop: Shop) -> None:
    await shop.open_event()
    person, reg = await shop.register()
    opened = await shop.checkout(person, reg["id"])
    completed = shop.stripe.pay(opened["session_id"], amount=PRICE - 1000)
    assert (await shop.deliver(completed)).json()["outcome"] == "amount_mismatch"
    assert await shop.status(reg["id"]) == "pending_payment"
    assert await confirmations(person.email) == 0
    alerts = await BillingAlert.select().where(BillingAlert.registration == reg["id"])
    assert len(alerts) == 1
    alert = alerts[0]
    assert alert["kind"] == "amount_mismatch" and alert["stripe_id"] == opened["session_id"]
    assert "9.99 USD" in alert["message"] and "19.99 USD" in alert["message"]
    # The money Stripe took is still mirrored: the ledger follows Stripe, the place does not.
    await shop.assert_ledger_matches_stripe(reg["id"])
    # The browser's return says so too, and a second look adds no second alert.
    page = await shop.client.get(f"/registrations/{reg['id']}/paid", headers=person.headers)
    assert 'data-outcome="amount_mismatch"' in page.text
    assert await BillingAlert.count() == 1


async def test_currency_mismatch_is_a_mismatch_too(shop: Shop) -> None:
    await shop.open_event()
    person, reg = await shop.register()
    opened = await shop.checkout(person, reg["id"])
    shop.stripe.objects[opened["session_id"]]["currency"] = "eur"
    completed = shop.stripe.pay(opened["session_id"])
    assert (await shop.deliver(completed)).json()["outcome"] == "amount_mismatch"
    assert await shop.status(reg["id"]) == "pending_payment"
    await shop.assert_ledger_matches_stripe(reg["id"])


async def test_expired_checkout_frees_the_seat_for_the_waitlist(shop: Shop) -> None:
    await shop.open_event(capacity=1)
    payer, held = await shop.register()
    waiting, line = await shop.register()
    assert (held["status"], line["status"]) == ("pending_payment", "waitlisted")
    opened = await shop.checkout(payer, held["id"])

    expired = shop.stripe.expire(opened["session_id"])
    assert (await shop.deliver(expired)).json()["outcome"] == "released"
    assert await shop.status(held["id"]) == "expired"
    assert await shop.status(line["id"]) == "offered"
    history = (
        await RegistrationChange.select(RegistrationChange.to_status, RegistrationChange.reason)
        .where(RegistrationChange.registration == held["id"])
        .order_by(RegistrationChange.id)
    )
    assert history[-1] == {"to_status": "expired", "reason": "checkout session expired"}
    assert (
        await OutboxMessage.count().where(
            (OutboxMessage.template == "registration_hold_expired") & (OutboxMessage.recipient == payer.email)
        )
        == 1
    )
    assert (
        await OutboxMessage.count().where(
            (OutboxMessage.template == "waitlist_offer") & (OutboxMessage.recipient == waiting.email)
        )
        == 1
    )
    # Checkout is refused now, in words.
    again = await shop.client.post(f"/api/v1/registrations/{held['id']}/checkout", headers=payer.headers)
    assert again.status_code == 409 and again.json()["code"] == "checkout.nothing_to_pay"
    await shop.assert_ledger_matches_stripe(held["id"])


async def test_late_payment_after_the_seat_went_is_refunded_and_the_person_told(shop: Shop) -> None:
    await shop.open_event(capacity=1)
    payer, held = await shop.register()
    waiting, line = await shop.register()
    opened = await shop.checkout(payer, held["id"])
    await lapse_hold(held["id"])
    claimed = await shop.client.post(f"/api/v1/registrations/{line['id']}/claim", headers=waiting.headers)
    assert claimed.json()["status"] == "pending_payment"  # the seat is someone else's now

    completed = shop.stripe.pay(opened["session_id"])  # the first person pays in a tab left open
    assert (await shop.deliver(completed)).json()["outcome"] == "refunded_seat_gone"
    assert await shop.status(held["id"]) == "expired"
    assert await shop.status(line["id"]) == "pending_payment"
    (charge,) = shop.stripe.charges_for(held["id"])
    assert charge["refunded"] and charge["amount_refunded"] == PRICE
    kinds = (
        await LedgerEntry.select(LedgerEntry.kind, LedgerEntry.amount)
        .where(LedgerEntry.registration == held["id"])
        .order_by(LedgerEntry.id)
    )
    assert sorted((k["kind"], k["amount"]) for k in kinds) == sorted(
        [("charge", PRICE), ("fee", -fee_for(PRICE)), ("refund", -PRICE)]
    )
    await shop.assert_ledger_matches_stripe(held["id"])

    mails = await OutboxMessage.select().where(
        (OutboxMessage.template == "payment_refunded_seat_gone") & (OutboxMessage.recipient == payer.email)
    )
    assert len(mails) == 1
    context = mails[0]["context"]
    email = render_email(
        "payment_refunded_seat_gone", json.loads(context) if isinstance(context, str) else context
    )
    assert "19.99 USD" in email.text and "refunded" in email.subject.lower()
    assert await confirmations(payer.email) == 0

    # Stripe then tells us about the refund (charge.refunded), and the browser comes back: nothing new.
    refunded = shop.stripe.last_event("charge.refunded")
    assert (await shop.deliver(refunded)).json()["outcome"] == "imported"
    page = await shop.client.get(f"/registrations/{held['id']}/paid", headers=payer.headers)
    assert 'data-outcome="refunded"' in page.text
    assert await LedgerEntry.count().where(LedgerEntry.registration == held["id"]) == 3
    assert len(shop.stripe.of_kind("refund")) == 1
    await shop.assert_ledger_matches_stripe(held["id"])


async def test_late_payment_is_confirmed_when_a_seat_is_still_free(shop: Shop) -> None:
    await shop.open_event(capacity=1)
    payer, held = await shop.register()
    opened = await shop.checkout(payer, held["id"])
    await lapse_hold(held["id"])
    assert await shop.status(held["id"]) == "expired"
    completed = shop.stripe.pay(opened["session_id"])
    assert (await shop.deliver(completed)).json()["outcome"] == "confirmed"
    assert await shop.status(held["id"]) == "confirmed"
    assert await confirmations(payer.email) == 1
    assert shop.stripe.of_kind("refund") == []
    await shop.assert_ledger_matches_stripe(held["id"])


async def test_a_refund_made_in_the_dashboard_is_imported_once(shop: Shop) -> None:
    await shop.open_event()
    person, reg = await shop.register()
    opened = await shop.checkout(person, reg["id"])
    await shop.deliver(shop.stripe.pay(opened["session_id"]))
    (charge,) = shop.stripe.charges_for(reg["id"])
    _refund, events = shop.stripe.refund({"charge": charge["id"], "amount": "500"})
    charge_refunded = events[-1]
    for event in (charge_refunded, {**charge_refunded, "id": "evt_test_other_delivery"}):
        assert (await shop.deliver(event)).json()["outcome"] == "imported"
    refunds = await LedgerEntry.select(LedgerEntry.amount).where(LedgerEntry.kind == "refund")
    assert refunds == [{"amount": -500}]
    await shop.assert_ledger_matches_stripe(reg["id"])


async def test_someone_elses_event_kinds_are_acknowledged_and_ignored(shop: Shop) -> None:
    await shop.open_event()
    person = await make_actor()
    event = {
        "id": "evt_test_other",
        "object": "event",
        "type": "customer.created",
        "data": {"object": {"id": "cus_1"}},
    }
    assert (await shop.deliver(event)).json()["outcome"] == "ignored"
    assert person.id
