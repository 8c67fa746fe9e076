"""Refunds finance makes, and refunds made in the Stripe dashboard: money, place, emails, ledger."""

from __future__ import annotations

import asyncio

from billing.tables import BillingAlert, LedgerEntry, RefundRequest
from events.tables import RegistrationChange
from grandrounds.db import now
from programs.tables import Certificate
from tests.builders.places import PRICE, Shop
from tests.builders.refunds import INVITE_CANCELS, certify, finance, ledger, mails, paid_place, refund
from tests.stripe_server import fee_for


async def test_a_full_refund_releases_the_place_to_the_waitlist(shop: Shop) -> None:
    await shop.open_event(capacity=1)
    person, reg = await paid_place(shop)
    waiting, line = await shop.register()
    assert line["status"] == "waitlisted"
    money = await finance()

    response = await refund(shop.client, money, reg["id"], reason="cannot travel")
    assert response.status_code == 201, response.text
    body = response.json()
    assert (body["amount"], body["currency"], body["status"]) == (PRICE, "USD", "succeeded")
    assert (body["charge_refunded"], body["registration_status"]) == (PRICE, "refunded")
    assert body["stripe_refund_id"].startswith("re_")

    assert await shop.status(reg["id"]) == "refunded"
    last = (
        await RegistrationChange.select()
        .where(RegistrationChange.registration == reg["id"])
        .order_by(RegistrationChange.id, ascending=False)
        .first()
    )
    assert last is not None
    assert (last["from_status"], last["to_status"], last["by_person"]) == ("confirmed", "refunded", money.id)
    assert await shop.status(line["id"]) == "offered"  # the seat passed on
    assert len(await mails("waitlist_offer", waiting.email)) == 1
    assert len(await mails(INVITE_CANCELS, person.email)) == 1
    (mail,) = await mails("registration_refunded", person.email)
    assert mail["context"]["amount"] == "19.99 USD"
    assert await mails("payment_refunded", person.email) == []

    (charge,) = shop.stripe.charges_for(reg["id"])
    assert charge["refunded"] and charge["amount_refunded"] == PRICE
    assert await ledger(reg["id"]) == sorted(
        [("charge", PRICE), ("fee", -fee_for(PRICE)), ("refund", -PRICE)]
    )
    await shop.assert_ledger_matches_stripe(reg["id"])

    # Stripe's own events about it then arrive: nothing changes, nobody is emailed twice.
    assert (await shop.deliver(shop.stripe.last_event("charge.refunded"))).json()["outcome"] == "imported"
    assert len(await mails("registration_refunded", person.email)) == 1
    assert await LedgerEntry.count().where(LedgerEntry.registration == reg["id"]) == 3
    # Nothing is left to refund.
    again = await refund(shop.client, money, reg["id"])
    assert again.status_code == 409 and again.json()["code"] == "refund.nothing_left"


async def test_a_partial_refund_keeps_the_place_and_tells_the_amount(shop: Shop) -> None:
    await shop.open_event()
    person, reg = await paid_place(shop)
    response = await refund(
        shop.client, await finance(), reg["id"], amount=500, reason="early-bird difference"
    )
    assert response.status_code == 201, response.text
    assert response.json()["registration_status"] == "confirmed"
    assert await shop.status(reg["id"]) == "confirmed"
    (mail,) = await mails("payment_refunded", person.email)
    assert (mail["context"]["amount"], mail["context"]["remaining"]) == ("5.00 USD", "14.99 USD")
    assert await mails(INVITE_CANCELS, person.email) == []
    assert shop.stripe.charges_for(reg["id"])[0]["amount_refunded"] == 500
    await shop.assert_ledger_matches_stripe(reg["id"])


async def test_partial_refund_then_dashboard_refund_of_the_rest(shop: Shop) -> None:
    """Done when: ours first, then someone refunds the rest in the Stripe dashboard."""
    await shop.open_event()
    person, reg = await paid_place(shop)
    ours = await refund(shop.client, await finance(), reg["id"], amount=500)
    assert ours.status_code == 201, ours.text
    (charge,) = shop.stripe.charges_for(reg["id"])

    _dashboard, events = shop.stripe.refund({"charge": charge["id"]})  # the rest, 14.99
    charge_refunded = events[-1]
    for delivery in (charge_refunded, charge_refunded, {**charge_refunded, "id": "evt_test_redelivered"}):
        await shop.deliver(delivery)

    assert await shop.status(reg["id"]) == "refunded"
    refunds = await LedgerEntry.select(LedgerEntry.amount).where(
        (LedgerEntry.kind == "refund") & (LedgerEntry.registration == reg["id"])
    )
    assert sorted(r["amount"] for r in refunds) == [-(PRICE - 500), -500]
    await shop.assert_ledger_matches_stripe(reg["id"])
    assert len(await mails("payment_refunded", person.email)) == 1  # the 5.00, when it happened
    (full,) = await mails("registration_refunded", person.email)
    assert full["context"]["amount"] == "19.99 USD"
    assert len(await mails(INVITE_CANCELS, person.email)) == 1
    assert await RefundRequest.count() == 1


async def test_dashboard_refunds_out_of_order_end_refunded(shop: Shop) -> None:
    """Two dashboard refunds whose events arrive newest first: each delivery re-reads the charge."""
    await shop.open_event()
    person, reg = await paid_place(shop)
    (charge,) = shop.stripe.charges_for(reg["id"])
    _, first = shop.stripe.refund({"charge": charge["id"], "amount": "999"})
    _, second = shop.stripe.refund({"charge": charge["id"]})
    await shop.deliver(second[-1])
    assert await shop.status(reg["id"]) == "refunded"
    await shop.deliver(first[-1])  # stale: says only 9.99 refunded
    assert await shop.status(reg["id"]) == "refunded"
    assert await mails("payment_refunded", person.email) == []
    assert len(await mails("registration_refunded", person.email)) == 1
    await shop.assert_ledger_matches_stripe(reg["id"])


async def test_a_double_click_refunds_once(shop: Shop) -> None:
    await shop.open_event()
    person, reg = await paid_place(shop)
    money = await finance()
    clicks = await asyncio.gather(
        *(refund(shop.client, money, reg["id"], amount=700, expected_refunded=0) for _ in range(3))
    )
    assert [c.status_code for c in clicks] == [201, 201, 201], [c.text for c in clicks]
    assert len({c.json()["id"] for c in clicks}) == 1
    assert len({c.json()["stripe_refund_id"] for c in clicks}) == 1
    # The same form submitted again later is still the same request.
    later = await refund(shop.client, money, reg["id"], amount=700, expected_refunded=0)
    assert later.status_code == 201 and later.json()["id"] == clicks[0].json()["id"]
    assert len(shop.stripe.of_kind("refund")) == 1
    assert await RefundRequest.count() == 1
    assert shop.stripe.charges_for(reg["id"])[0]["amount_refunded"] == 700
    assert len(await mails("payment_refunded", person.email)) == 1
    await shop.assert_ledger_matches_stripe(reg["id"])


async def test_over_refund_and_bad_amounts_are_refused_and_nothing_is_written(shop: Shop) -> None:
    await shop.open_event()
    person, reg = await paid_place(shop)
    money = await finance()
    before = await ledger(reg["id"])
    over = await refund(shop.client, money, reg["id"], amount=PRICE + 1)
    assert over.status_code == 409
    assert over.json()["code"] == "refund.exceeds_remaining"
    assert over.json()["details"] == {"amount": PRICE + 1, "remaining": PRICE, "currency": "USD"}
    for body, code in (
        ({"amount": 0}, "request.invalid"),
        ({"amount": -5}, "request.invalid"),
        ({"amount": 19.99}, "request.invalid"),  # major units are not accepted
        ({"reason": ""}, "request.invalid"),
        ({"reason": "   "}, "refund.reason_missing"),
    ):
        bad = await refund(shop.client, money, reg["id"], **body)
        assert bad.status_code == 400 and bad.json()["code"] == code, (body, bad.text)
    stale = await refund(shop.client, money, reg["id"], amount=100, expected_refunded=300)
    assert stale.status_code == 409 and stale.json()["code"] == "refund.stale"
    missing = await refund(shop.client, money, 999_999)
    assert missing.status_code == 404 and missing.json()["code"] == "registration.not_found"

    assert await RefundRequest.count() == 0
    assert shop.stripe.of_kind("refund") == []
    assert await ledger(reg["id"]) == before
    assert await shop.status(reg["id"]) == "confirmed"
    assert await mails(["payment_refunded", "registration_refunded"], person.email) == []


async def test_the_rest_after_a_partial_refund_is_what_remains(shop: Shop) -> None:
    await shop.open_event()
    _person, reg = await paid_place(shop)
    money = await finance()
    assert (await refund(shop.client, money, reg["id"], amount=1000)).status_code == 201
    over = await refund(shop.client, money, reg["id"], amount=1000)
    assert over.status_code == 409 and over.json()["details"]["remaining"] == PRICE - 1000
    rest = await refund(shop.client, money, reg["id"])
    assert rest.status_code == 201 and rest.json()["amount"] == PRICE - 1000
    assert await shop.status(reg["id"]) == "refunded"
    await shop.assert_ledger_matches_stripe(reg["id"])


async def test_a_registration_never_paid_has_nothing_to_refund(shop: Shop) -> None:
    await shop.open_event()
    _person, reg = await shop.register()
    response = await refund(shop.client, await finance(), reg["id"])
    assert response.status_code == 409 and response.json()["code"] == "refund.no_payment"


async def test_no_refund_once_a_completion_certificate_was_issued(shop: Shop) -> None:
    event_id = await shop.open_event()
    person, reg = await paid_place(shop)
    code = await certify(event_id, person.id)
    response = await refund(shop.client, await finance(), reg["id"])
    assert response.status_code == 409
    assert response.json()["code"] == "refund.certificate_issued"
    assert response.json()["details"] == {"certificate": code}
    assert await RefundRequest.count() == 0 and shop.stripe.of_kind("refund") == []
    assert await shop.status(reg["id"]) == "confirmed"


async def test_a_revoked_certificate_no_longer_blocks_a_refund(shop: Shop) -> None:
    event_id = await shop.open_event()
    person, reg = await paid_place(shop)
    await certify(event_id, person.id)
    await Certificate.update(
        {Certificate.revoked_at: now(), Certificate.revoked_reason: "issued in error"}
    ).where(Certificate.person == person.id)
    response = await refund(shop.client, await finance(), reg["id"], amount=100)
    assert response.status_code == 201, response.text


async def test_a_dashboard_refund_after_the_certificate_is_recorded_and_alerts_finance(shop: Shop) -> None:
    event_id = await shop.open_event()
    person, reg = await paid_place(shop)
    code = await certify(event_id, person.id)
    (charge,) = shop.stripe.charges_for(reg["id"])
    dashboard, events = shop.stripe.refund({"charge": charge["id"], "amount": "500"})
    await shop.deliver(events[-1])
    await shop.deliver(events[-1] | {"id": "evt_test_again"})

    await shop.assert_ledger_matches_stripe(reg["id"])  # Stripe is the truth about money
    (alert,) = await BillingAlert.select().where(BillingAlert.kind == "refund_after_certificate")
    assert alert["stripe_id"] == dashboard["id"] and alert["registration"] == reg["id"]
    assert code in alert["message"] and "5.00 USD" in alert["message"]
    certificate = await Certificate.select().where(Certificate.code == code).first()
    assert certificate is not None and certificate["revoked_at"] is None


async def test_a_refund_before_the_certificate_raises_no_alert(shop: Shop) -> None:
    from datetime import timedelta

    event_id = await shop.open_event()
    person, reg = await paid_place(shop)
    assert (await refund(shop.client, await finance(), reg["id"], amount=300)).status_code == 201
    await certify(event_id, person.id, issued_ago=timedelta(seconds=-5))  # issued after the refund
    await shop.deliver(shop.stripe.last_event("charge.refunded"))
    assert await BillingAlert.count().where(BillingAlert.kind == "refund_after_certificate") == 0


async def test_a_cancelled_paid_place_refunded_in_full_becomes_refunded(shop: Shop) -> None:
    await shop.open_event()
    person, reg = await paid_place(shop)
    cancelled = await shop.client.post(f"/api/v1/registrations/{reg['id']}/cancel", headers=person.headers)
    assert cancelled.status_code == 200, cancelled.text
    assert len(await mails(INVITE_CANCELS, person.email)) == 1
    response = await refund(shop.client, await finance(), reg["id"], reason="cancelled in time")
    assert response.status_code == 201, response.text
    assert await shop.status(reg["id"]) == "refunded"
    assert len(await mails(INVITE_CANCELS, person.email)) == 1  # the invite was already cancelled
    assert len(await mails("registration_refunded", person.email)) == 1
    await shop.assert_ledger_matches_stripe(reg["id"])
