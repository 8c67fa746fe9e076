"""When our hold on a seat ends before Stripe's page does, the dispatcher closes the page in Stripe."""

from __future__ import annotations

import pytest
from litestar import Litestar

from billing.payments.lapsed_checkouts import expire_lapsed_checkouts
from billing.stripe_client import STATE_KEY, StripeAccount
from billing.tables import Checkout
from grandrounds.server.background import default_dispatcher
from grandrounds.settings import get_settings
from notifications.transports import MailLogTransport
from tests.builders.places import PRICE, Shop, confirmations, lapse_hold
from tests.stripe_server import StripeFailure


def account_of(app: Litestar) -> StripeAccount:
    account: StripeAccount = app.state[STATE_KEY]
    return account


def expire_calls(shop: Shop) -> list[str]:
    return [path for method, path, _ in shop.stripe.requests if path.endswith("/expire")]


async def checkout_status(session_id: str) -> str:
    row = await Checkout.select(Checkout.status).where(Checkout.stripe_session_id == session_id).first()
    assert row is not None
    return str(row["status"])


async def test_a_lapsed_hold_closes_its_stripe_page_so_nobody_pays_for_a_released_seat(
    shop: Shop, app: Litestar
) -> None:
    await shop.open_event(capacity=1)
    payer, held = await shop.register()
    _waiting, line = await shop.register()
    opened = await shop.checkout(payer, held["id"])
    await lapse_hold(held["id"])  # events' chore releases the seat; Stripe's page is still open
    assert shop.stripe.get(opened["session_id"], "checkout.session")["status"] == "open"

    assert await expire_lapsed_checkouts(account_of(app)) == 1

    assert expire_calls(shop) == [f"/v1/checkout/sessions/{opened['session_id']}/expire"]
    assert shop.stripe.get(opened["session_id"], "checkout.session")["status"] == "expired"
    assert await checkout_status(opened["session_id"]) == "expired"
    with pytest.raises(StripeFailure):  # the tab left open can no longer take the money
        shop.stripe.pay(opened["session_id"])
    assert await shop.status(held["id"]) == "expired" and await shop.status(line["id"]) == "offered"
    # Stripe's own checkout.session.expired event then arrives and changes nothing.
    expired_event = shop.stripe.last_event("checkout.session.expired")
    assert (await shop.deliver(expired_event)).json()["outcome"] == "expired"
    assert await shop.status(line["id"]) == "offered"
    # A second pass has nothing left to do.
    assert await expire_lapsed_checkouts(account_of(app)) == 0
    assert len(expire_calls(shop)) == 1


async def test_a_live_hold_keeps_its_page_open(shop: Shop, app: Litestar) -> None:
    await shop.open_event()
    payer, held = await shop.register()
    opened = await shop.checkout(payer, held["id"])
    assert await expire_lapsed_checkouts(account_of(app)) == 0
    assert expire_calls(shop) == []
    assert shop.stripe.get(opened["session_id"], "checkout.session")["status"] == "open"


async def test_a_cancelled_place_closes_its_page_too(shop: Shop, app: Litestar) -> None:
    await shop.open_event()
    payer, held = await shop.register()
    opened = await shop.checkout(payer, held["id"])
    cancelled = await shop.client.post(f"/api/v1/registrations/{held['id']}/cancel", headers=payer.headers)
    assert cancelled.status_code == 200, cancelled.text
    assert await expire_lapsed_checkouts(account_of(app)) == 1
    assert shop.stripe.get(opened["session_id"], "checkout.session")["status"] == "expired"
    assert await shop.status(held["id"]) == "cancelled"


async def test_paid_just_before_the_chore_with_the_seat_still_free_is_confirmed(
    shop: Shop, app: Litestar
) -> None:
    await shop.open_event(capacity=1)
    payer, held = await shop.register()
    opened = await shop.checkout(payer, held["id"])
    await lapse_hold(held["id"])
    shop.stripe.pay(opened["session_id"])  # the webhook has not arrived yet

    assert await expire_lapsed_checkouts(account_of(app)) == 0  # Stripe refused: the session is paid
    assert await shop.status(held["id"]) == "confirmed"
    assert await checkout_status(opened["session_id"]) == "complete"
    assert await confirmations(payer.email) == 1
    assert shop.stripe.of_kind("refund") == []
    await shop.assert_ledger_matches_stripe(held["id"])


async def test_paid_just_before_the_chore_after_the_seat_went_is_refunded(shop: Shop, app: Litestar) -> None:
    await shop.open_event(capacity=1)
    payer, held = await shop.register()
    waiting, line = await shop.register()
    opened = await shop.checkout(payer, held["id"])
    await lapse_hold(held["id"])
    claimed = await shop.client.post(f"/api/v1/registrations/{line['id']}/claim", headers=waiting.headers)
    assert claimed.json()["status"] == "pending_payment"
    shop.stripe.pay(opened["session_id"])

    await expire_lapsed_checkouts(account_of(app))
    assert await shop.status(held["id"]) == "expired"
    (charge,) = shop.stripe.charges_for(held["id"])
    assert charge["refunded"] and charge["amount_refunded"] == PRICE
    assert await confirmations(payer.email) == 0
    await shop.assert_ledger_matches_stripe(held["id"])


async def test_the_dispatcher_runs_it_after_releasing_holds(shop: Shop, app: Litestar, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from datetime import timedelta

    from events.tables import Registration
    from grandrounds.db import now

    await shop.open_event(capacity=1)
    payer, held = await shop.register()
    opened = await shop.checkout(payer, held["id"])
    await Registration.update({Registration.hold_expires_at: now() - timedelta(seconds=1)}).where(
        Registration.id == held["id"]
    )
    dispatcher = default_dispatcher(
        get_settings(), MailLogTransport(tmp_path / "mail.log"), stripe_account=account_of(app)
    )
    await dispatcher.run_once()
    assert await shop.status(held["id"]) == "expired"
    assert shop.stripe.get(opened["session_id"], "checkout.session")["status"] == "expired"
    # Without Stripe keys the worker has no such chore and does not fail.
    unkeyed = default_dispatcher(get_settings(), MailLogTransport(tmp_path / "m2.log")).chores
    assert "lapsed-checkouts" not in [spec.name for spec in unkeyed]


async def test_the_worker_opens_its_own_stripe_account_only_with_a_key() -> None:
    """``grandrounds worker`` runs the chore with an account made in its own loop, closed on exit."""
    from dataclasses import replace

    from billing.stripe_client import worker_account

    async with worker_account(replace(get_settings(), stripe_secret_key="")) as none:
        assert none is None
    keyed = replace(get_settings(), stripe_secret_key="sk_test_worker", stripe_webhook_secret="whsec_w")
    async with worker_account(keyed) as account:
        assert account is not None and account.webhook_secret == "whsec_w"
        chores = default_dispatcher(get_settings(), stripe_account=account).chores
        names = [spec.name for spec in chores]
        assert names.index("lapsed-checkouts") == names.index("hold-expiry") + 1
        assert getattr(chores[names.index("lapsed-checkouts")].run, "func", None) is expire_lapsed_checkouts
