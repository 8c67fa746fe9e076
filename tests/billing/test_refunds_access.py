"""Who may refund and see finance's refund and dispute pages: finance and admins, nobody else.

Also the refund form itself: plain HTML with CSRF, amounts as people type
them, errors in words, and a resubmitted form that refunds once.
"""

from __future__ import annotations

import httpx
import pytest

from accounts.principal import Role
from billing.tables import RefundRequest
from events.tables import Event
from tests.builders.clients import csrf_from
from tests.builders.people import Actor, make_actor, make_staff
from tests.builders.places import PRICE, Shop
from tests.builders.refunds import certify, finance, paid_place

WHO = ["anonymous", "attendee", "program staff", "speaker", "member", "finance", "admin"]
ALLOWED = {"finance", "admin"}


async def _caller(shop: Shop, who: str, attendee: Actor) -> dict[str, str]:
    if who == "anonymous":
        return {}
    if who == "attendee":
        return attendee.headers
    if who == "program staff":
        event = await Event.select(Event.program).where(Event.id == shop.event_id).first()
        assert event is not None
        return (await make_staff(event["program"])).headers
    role = {"speaker": Role.SPEAKER, "member": Role.MEMBER, "finance": Role.FINANCE, "admin": Role.ADMIN}[who]
    return (await make_actor(role)).headers


@pytest.mark.parametrize("who", WHO)
async def test_only_finance_and_admins_refund(shop: Shop, who: str) -> None:
    await shop.open_event()
    attendee, reg = await paid_place(shop)
    response = await shop.client.post(
        f"/api/v1/registrations/{reg['id']}/refunds",
        json={"amount": 100, "reason": "goodwill"},
        headers=await _caller(shop, who, attendee),
    )
    if who in ALLOWED:
        assert response.status_code == 201, response.text
        assert shop.stripe.charges_for(reg["id"])[0]["amount_refunded"] == 100
        return
    assert response.status_code == (401 if who == "anonymous" else 403), response.text
    assert response.json()["code"] == ("auth.required" if who == "anonymous" else "auth.forbidden")
    assert await RefundRequest.count() == 0 and shop.stripe.of_kind("refund") == []


@pytest.mark.parametrize("who", WHO)
async def test_only_finance_and_admins_see_the_finance_pages(shop: Shop, who: str) -> None:
    await shop.open_event()
    attendee, reg = await paid_place(shop)
    headers = await _caller(shop, who, attendee)
    for path in (f"/finance/registrations/{reg['id']}", "/finance/disputes"):
        page = await shop.client.get(path, headers=headers)
        if who in ALLOWED:
            assert page.status_code == 200, page.text
        elif who == "anonymous":
            assert page.status_code in (302, 303) and page.headers["location"].startswith("/signin")
        else:
            assert page.status_code == 403, (path, page.status_code)
            assert attendee.email not in page.text
    form = await shop.client.post(
        f"/finance/registrations/{reg['id']}/refunds", data={"reason": "x"}, headers=headers
    )
    if who not in ALLOWED:
        assert form.status_code in (302, 303, 401, 403)
        assert shop.stripe.of_kind("refund") == []


async def _submit(
    shop: Shop, who: Actor, registration_id: int, **fields: str
) -> tuple[httpx.Response, dict[str, str]]:
    path = f"/finance/registrations/{registration_id}"
    page = await shop.client.get(path, headers=who.headers)
    assert page.status_code == 200, page.text
    hidden = page.text.split('name="expected_refunded" value="')[1].split('"')[0]
    data = {"_csrf_token": csrf_from(page.text), "expected_refunded": hidden, **fields}
    return page, data


async def test_the_refund_form_refunds_once_however_often_it_is_sent(shop: Shop) -> None:
    await shop.open_event()
    attendee, reg = await paid_place(shop)
    money = await finance()
    page, data = await _submit(shop, money, reg["id"], amount="5.00", reason="late joining link")
    assert attendee.email in page.text and "19.99 USD" in page.text
    path = f"/finance/registrations/{reg['id']}/refunds"
    for _ in range(2):  # the same form, sent twice
        sent = await shop.client.post(path, data=data, headers=money.headers, follow_redirects=False)
        assert sent.status_code == 303, sent.text
        assert sent.headers["location"] == f"/finance/registrations/{reg['id']}?done=refunded"
    assert len(shop.stripe.of_kind("refund")) == 1
    assert shop.stripe.charges_for(reg["id"])[0]["amount_refunded"] == 500
    after = await shop.client.get(f"/finance/registrations/{reg['id']}?done=refunded", headers=money.headers)
    assert "Refund made" in after.text and "late joining link" in after.text
    assert "14.99 USD</strong> can still be refunded" in after.text
    await shop.assert_ledger_matches_stripe(reg["id"])


async def test_the_refund_form_explains_what_is_wrong(shop: Shop) -> None:
    event_id = await shop.open_event()
    attendee, reg = await paid_place(shop)
    money = await finance()
    path = f"/finance/registrations/{reg['id']}/refunds"
    for fields, status, words in (
        ({"amount": "25.00", "reason": "too much"}, 409, "At most 19.99 USD"),
        ({"amount": "1.999", "reason": "odd"}, 400, "more than zero"),
        ({"amount": "-1", "reason": "negative"}, 400, "more than zero"),
        ({"amount": "", "reason": ""}, 400, "Say why"),
    ):
        _page, data = await _submit(shop, money, reg["id"], **fields)
        sent = await shop.client.post(path, data=data, headers=money.headers)
        assert sent.status_code == status, (fields, sent.text)
        assert words in sent.text and 'role="alert"' in sent.text
    assert shop.stripe.of_kind("refund") == [] and await RefundRequest.count() == 0

    # Without the CSRF token the form is refused.
    _page, data = await _submit(shop, money, reg["id"], reason="no token")
    del data["_csrf_token"]
    refused = await shop.client.post(path, data=data, headers=money.headers)
    assert refused.status_code == 403 and shop.stripe.of_kind("refund") == []

    # Once certified, the page says why there is no form.
    await certify(event_id, attendee.id)
    page = await shop.client.get(f"/finance/registrations/{reg['id']}", headers=money.headers)
    assert "no longer refundable" in page.text and 'action="' + path not in page.text


async def test_a_full_refund_from_the_form(shop: Shop) -> None:
    await shop.open_event()
    _attendee, reg = await paid_place(shop)
    admin = await make_actor(Role.ADMIN)
    _page, data = await _submit(shop, admin, reg["id"], reason="event moved")
    sent = await shop.client.post(
        f"/finance/registrations/{reg['id']}/refunds",
        data=data,
        headers=admin.headers,
        follow_redirects=False,
    )
    assert sent.status_code == 303
    assert await shop.status(reg["id"]) == "refunded"
    assert shop.stripe.charges_for(reg["id"])[0]["amount_refunded"] == PRICE
    page = await shop.client.get(f"/finance/registrations/{reg['id']}", headers=admin.headers)
    assert 'data-status="refunded"' in page.text and "Refund</button>" not in page.text
