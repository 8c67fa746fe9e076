"""Who may open a checkout, what a forged webhook gets, and a site without Stripe configured."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
from litestar import Litestar

from accounts.principal import Role
from billing.tables import Checkout, LedgerEntry, StripeEvent
from grandrounds.server.app import create_app
from grandrounds.settings import get_settings
from tests.builders.clients import client_for
from tests.builders.events import published_event
from tests.builders.people import make_actor, make_staff
from tests.builders.places import Shop
from tests.builders.stripe import WEBHOOK_SECRET
from tests.stripe_server import deliver, sign


@pytest.mark.parametrize(
    ("who", "status", "code"),
    [
        ("nobody", 401, "auth.required"),
        ("another member", 404, "registration.not_found"),
        ("an admin", 404, "registration.not_found"),
        ("the event's staff", 404, "registration.not_found"),
        ("the registrant", 200, None),
    ],
)
async def test_only_the_registrant_opens_a_checkout(
    shop: Shop, who: str, status: int, code: str | None
) -> None:
    await shop.open_event()
    person, reg = await shop.register()
    headers = {
        "nobody": {},
        "another member": (await make_actor(Role.MEMBER)).headers,
        "an admin": (await make_actor(Role.ADMIN)).headers,
        "the event's staff": (await make_staff()).headers,
        "the registrant": person.headers,
    }[who]
    response = await shop.client.post(f"/api/v1/registrations/{reg['id']}/checkout", headers=headers)
    assert response.status_code == status, response.text
    if code:
        assert response.json()["code"] == code
        assert await Checkout.count() == 0 and shop.stripe.sessions() == []


async def test_the_return_page_is_the_registrants_only(shop: Shop) -> None:
    await shop.open_event()
    _person, reg = await shop.register()
    stranger = await make_actor(Role.MEMBER)
    page = await shop.client.get(f"/registrations/{reg['id']}/paid", headers=stranger.headers)
    assert page.status_code == 404
    anonymous = await shop.client.get(f"/registrations/{reg['id']}/paid")
    assert anonymous.status_code in (302, 303) and anonymous.headers["location"].startswith("/signin")


async def test_checkout_is_refused_for_places_not_waiting_for_payment(shop: Shop) -> None:
    free_event = await published_event(shop.client)
    person = await make_actor(Role.MEMBER)
    free = (
        await shop.client.post(f"/api/v1/events/{free_event}/registrations", headers=person.headers)
    ).json()
    assert free["status"] == "confirmed"
    refused = await shop.client.post(f"/api/v1/registrations/{free['id']}/checkout", headers=person.headers)
    assert refused.status_code == 409 and refused.json()["code"] == "checkout.nothing_to_pay"
    missing = await shop.client.post("/api/v1/registrations/999999/checkout", headers=person.headers)
    assert missing.status_code == 404 and missing.json()["code"] == "registration.not_found"


async def test_checkout_is_refused_once_the_hold_lapsed(shop: Shop) -> None:
    from datetime import timedelta

    from events.tables import Registration
    from grandrounds.db import now

    await shop.open_event()
    person, reg = await shop.register()
    await Registration.update({Registration.hold_expires_at: now() - timedelta(seconds=1)}).where(
        Registration.id == reg["id"]
    )
    refused = await shop.client.post(f"/api/v1/registrations/{reg['id']}/checkout", headers=person.headers)
    assert refused.status_code == 409 and refused.json()["code"] == "checkout.hold_lapsed"
    assert shop.stripe.sessions() == []


@pytest.mark.parametrize("forgery", ["wrong secret", "tampered body", "no header", "garbage header", "stale"])
async def test_a_webhook_with_a_bad_signature_is_refused_and_writes_nothing(shop: Shop, forgery: str) -> None:
    await shop.open_event()
    person, reg = await shop.register()
    opened = await shop.checkout(person, reg["id"])
    completed = shop.stripe.pay(opened["session_id"])
    payload = json.dumps(completed)
    path = "/api/v1/billing/stripe/webhook"
    if forgery == "tampered body":
        signature = sign(payload, WEBHOOK_SECRET)
        payload = payload.replace(completed["id"], "evt_test_tampered")
    else:
        signature = {
            "wrong secret": sign(payload, "whsec_someone_else"),
            "no header": "",
            "garbage header": "not-a-signature",
            "stale": sign(payload, WEBHOOK_SECRET, timestamp=1_000_000_000),
        }[forgery]
    headers = {"Content-Type": "application/json"}
    if signature:
        headers["Stripe-Signature"] = signature
    response = await shop.client.post(path, content=payload, headers=headers)
    assert response.status_code == 400, response.text
    assert response.json()["code"] == "webhook.signature_invalid"
    assert await StripeEvent.count() == 0 and await LedgerEntry.count() == 0
    assert await shop.status(reg["id"]) == "pending_payment"
    # The genuine delivery still works afterwards.
    assert (await deliver(shop.client, completed, WEBHOOK_SECRET)).json()["outcome"] == "confirmed"


async def test_without_a_stripe_key_paid_places_say_so(shop: Shop) -> None:
    await shop.open_event()
    person, reg = await shop.register()
    unconfigured: Litestar = create_app(replace(get_settings(), stripe_secret_key="", stripe_api_base=""))
    async with client_for(unconfigured) as client:
        response = await client.post(f"/api/v1/registrations/{reg['id']}/checkout", headers=person.headers)
        assert response.status_code == 409
        body = response.json()
        assert body["code"] == "billing.not_configured" and "payment" in body["message"].lower()
        hook = await deliver(client, {"id": "evt_x", "type": "checkout.session.completed"}, WEBHOOK_SECRET)
        assert hook.status_code == 409 and hook.json()["code"] == "billing.not_configured"
    assert await Checkout.count() == 0


async def test_stripe_unreachable_is_a_502_and_the_place_stays_held(shop: Shop) -> None:
    await shop.open_event()
    person, reg = await shop.register()
    unreachable: Litestar = create_app(
        replace(get_settings(), stripe_secret_key="sk_test_wrong", stripe_api_base=shop.stripe.public_url)
    )
    async with client_for(unreachable) as client:
        response = await client.post(f"/api/v1/registrations/{reg['id']}/checkout", headers=person.headers)
    assert response.status_code == 502 and response.json()["code"] == "billing.stripe_unavailable"
    assert await shop.status(reg["id"]) == "pending_payment"
    # The attempt written before the call is replayed, with the same key, when the person tries again.
    opened = await shop.checkout(person, reg["id"])
    assert opened["attempt"] == 1 and await Checkout.count() == 1


async def test_the_stripe_client_lives_with_the_app(app: Litestar) -> None:
    """Made when the app starts (in the running loop), gone when it stops."""
    from billing.stripe_client import STATE_KEY

    async with client_for(app):
        account = app.state[STATE_KEY]
        assert account is not None and account.webhook_secret == WEBHOOK_SECRET
    assert app.state[STATE_KEY] is None


@pytest.mark.parametrize(
    "body", ["not json at all", '{"id": "evt_1"}', "[]", '{"id": "evt_2", "type": 5, "data": 3}']
)
async def test_a_signed_body_that_is_not_an_event_is_a_400(shop: Shop, body: str) -> None:
    response = await shop.client.post(
        "/api/v1/billing/stripe/webhook",
        content=body,
        headers={"Content-Type": "application/json", "Stripe-Signature": sign(body, WEBHOOK_SECRET)},
    )
    assert response.status_code == 400, response.text
    assert response.json()["code"] == "webhook.payload_invalid"
    assert await StripeEvent.count() == 0
