"""A non-member buys a paid ticket: sign up, register, pay on Stripe's hosted page (the local
Stripe-shaped server), come back to grandrounds and see the place confirmed.

The app runs as a real `grandrounds serve` with Stripe keys pointing at the local server; paying
there delivers the signed checkout.session.completed webhook to the app over HTTP, as Stripe does.
"""

from __future__ import annotations

import re

import pytest

from events.tables import Registration
from notifications.tables import OutboxMessage
from tests.builders.clients import run
from tests.builders.live import PAID_WEBINAR, paid_webinar
from tests.builders.people import make_staff
from tests.stripe_server import StripeServer

pytestmark = pytest.mark.e2e


def test_a_non_member_buys_a_paid_ticket_and_sees_it_confirmed(
    paid_server: str, stripe_server: StripeServer, browser_page
) -> None:
    staff = run(make_staff(email="webinar.staff@example.org"))
    event_id = paid_webinar(paid_server, staff.token, staff.program_id)
    page = browser_page

    # A newcomer signs up: a guest account, so the non-member price applies.
    page.goto(f"{paid_server}/signup")
    page.get_by_label("Full name").fill("Mary Seacole")
    page.get_by_label("Email").fill("mary@example.org")
    page.get_by_label("Password").fill("british hotel 1855")
    page.get_by_role("button", name="Create account").click()
    page.wait_for_url(f"{paid_server}/account")

    # The event page shows their price; registering holds the seat while they pay.
    page.goto(f"{paid_server}/events/{event_id}")
    assert page.get_by_label("Live attendance").is_checked()
    page.get_by_role("button", name="Register").click()
    page.wait_for_url(f"{paid_server}/registrations?registered=*")
    assert "is held while you pay" in page.locator("#registered-notice").inner_text()
    assert "Pending payment" in page.locator(".registrations .status").first.inner_text()
    assert re.fullmatch(r"\d+ minutes left", page.locator(".hold-left").first.inner_text())

    # Pay now leads to Stripe's hosted page for the right amount.
    page.get_by_role("button", name=f"Pay now for {PAID_WEBINAR}").click()
    page.wait_for_url(f"{stripe_server.url}/checkout/c/pay/*")
    assert page.get_by_role("heading", name="Pay 25.00 USD").is_visible()
    assert page.locator("#email").inner_text() == "mary@example.org"

    # Paying sends the signed webhook to grandrounds, then the browser back to it.
    page.get_by_role("button", name="Pay").click()
    page.wait_for_url(f"{paid_server}/registrations/*/paid")
    assert page.get_by_role("heading", name="Payment received").is_visible()
    assert "your place is confirmed" in page.locator("main").inner_text()
    assert [(kind, status) for kind, status, _ in stripe_server.account.deliveries] == [
        ("checkout.session.completed", 200)
    ]
    assert '"outcome":"confirmed"' in stripe_server.account.deliveries[0][2]

    # My registrations now says confirmed, with the join link and no Pay button.
    page.goto(f"{paid_server}/registrations")
    assert page.locator(".registrations .status").first.inner_text() == "Confirmed"
    assert page.get_by_role("link", name="Join online").is_visible()
    assert page.get_by_role("button", name=re.compile("Pay now")).count() == 0

    # One confirmation, one confirmation email, whatever the order of webhook and return.
    confirmed = run(Registration.count().where(Registration.status == "confirmed").run())
    emails = run(OutboxMessage.count().where(OutboxMessage.template == "registration_confirmed").run())
    assert (confirmed, emails) == (1, 1)
