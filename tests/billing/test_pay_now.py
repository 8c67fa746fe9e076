"""My registrations offers "Pay now", with the time left, for a place held while its registrant pays."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest

from events.pages.registrations import time_left
from events.tables import Registration
from grandrounds.db import now
from tests.builders.clients import csrf_from
from tests.builders.pages import visible_text
from tests.builders.places import Shop

PAY_FORM = re.compile(r'<form method="post" action="/registrations/(\d+)/pay">')


async def test_a_held_place_shows_pay_now_with_the_time_left_and_it_leads_to_stripe(shop: Shop) -> None:
    await shop.open_event()
    person, reg = await shop.register()
    page = await shop.client.get("/registrations", headers=person.headers)
    assert page.status_code == 200
    assert PAY_FORM.findall(page.text) == [str(reg["id"])]
    text = visible_text(page.text)
    assert "Pay now for" in text and "$19.99 to pay" in text
    assert re.search(r"\(\s*(29|30) minutes left\s*\)", text), text

    response = await shop.client.post(
        f"/registrations/{reg['id']}/pay", data={"_csrf_token": csrf_from(page.text)}, headers=person.headers
    )
    assert response.status_code == 303
    (session,) = shop.stripe.sessions()
    assert response.headers["location"] == session["url"]


@pytest.mark.parametrize("state", ["lapsed", "confirmed", "waitlisted", "free"])
async def test_no_pay_now_when_nothing_can_be_paid(shop: Shop, state: str) -> None:
    await shop.open_event(capacity=1, price=0 if state == "free" else 1999)
    person, reg = await shop.register()
    if state == "waitlisted":
        person, reg = await shop.register()
    if state == "lapsed":
        await Registration.update({Registration.hold_expires_at: now() - timedelta(seconds=1)}).where(
            Registration.id == reg["id"]
        )
    if state == "confirmed":
        completed = shop.stripe.pay((await shop.checkout(person, reg["id"]))["session_id"])
        await shop.deliver(completed)
    page = await shop.client.get("/registrations", headers=person.headers)
    assert PAY_FORM.findall(page.text) == []
    assert "minutes left" not in page.text


async def test_pay_now_is_the_registrants_alone(shop: Shop) -> None:
    await shop.open_event()
    _person, reg = await shop.register()
    stranger, _ = await shop.register()
    page = await shop.client.get("/registrations", headers=stranger.headers)
    assert f"/registrations/{reg['id']}/pay" not in page.text
    response = await shop.client.post(
        f"/registrations/{reg['id']}/pay",
        data={"_csrf_token": csrf_from(page.text)},
        headers=stranger.headers,
    )
    assert response.status_code == 404
    assert shop.stripe.sessions() == []


@pytest.mark.parametrize(
    ("seconds", "shown"),
    [
        (20, "1 minute"),
        (60, "1 minute"),
        (61, "2 minutes"),
        (29 * 60 + 5, "30 minutes"),
        (3900, "1 h 05 min"),
    ],
)
def test_time_left_reads_at_a_glance(seconds: int, shown: str) -> None:
    moment = datetime(2026, 11, 21, 9, 0)
    assert time_left(moment + timedelta(seconds=seconds), moment) == shown
