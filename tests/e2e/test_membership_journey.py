"""A guest meets a members-only library item, joins as an individual member on Stripe's hosted page
(subscription mode, the local Stripe-shaped server), comes back and reads the whole item, and sees
the member price on a paid event.

The app runs as a real `grandrounds serve` with Stripe keys pointing at the local server; paying
there delivers the subscription's signed webhooks to the app over HTTP, in Stripe's order.
"""

from __future__ import annotations

import pytest

from accounts.principal import Role
from billing.tables import Membership
from tests.builders.clients import run
from tests.builders.live import paid_webinar, publish_item
from tests.builders.people import make_actor, make_staff
from tests.stripe_server import StripeServer

pytestmark = pytest.mark.e2e

LOCKED = "Physician social media onboarding kit"
LOCKED_TEXT = "Week one: set up a professional profile separate from your personal one"


def test_a_guest_joins_on_the_hosted_page_and_gets_members_content_and_prices(
    paid_server: str, stripe_server: StripeServer, browser_page
) -> None:
    librarian = run(make_actor(Role.PROGRAM_STAFF, email="onboarding.librarian@example.org"))
    locked_id = publish_item(
        paid_server, librarian.token, kind="guide", title=LOCKED, audience="members_only",
        summary="A four-week plan for new physicians joining the network's social channels.",
        body=f"{LOCKED_TEXT}.", tags=["onboarding"], author_name="Center for Social Media in Medicine",
    )  # fmt: skip
    staff = run(make_staff(email="membership.staff@example.org"))
    event_id = paid_webinar(paid_server, staff.token, staff.program_id)
    page = browser_page

    # A newcomer signs up (a guest account) and opens the members-only item: summary and invitation only.
    page.goto(f"{paid_server}/signup")
    page.get_by_label("Full name").fill("Florence Nightingale")
    page.get_by_label("Email").fill("florence@example.org")
    page.get_by_label("Password").fill("lady with the lamp 1854")
    page.get_by_role("button", name="Create account").click()
    page.wait_for_url(f"{paid_server}/account")
    page.goto(f"{paid_server}/library/{locked_id}")
    invitation = page.get_by_role("region", name="This resource is for members")
    assert invitation.is_visible() and LOCKED_TEXT not in page.content()

    # The guest price on the paid event, before joining.
    page.goto(f"{paid_server}/events/{event_id}")
    assert "Your price (guests): $25.00" in page.locator("#tickets-heading + ul").inner_text()

    # They follow "Become a member" and join the individual tier.
    page.goto(f"{paid_server}/library/{locked_id}")
    invitation.get_by_role("link", name="Become a member").click()
    page.wait_for_url(f"{paid_server}/membership")
    page.get_by_role("button", name="Join and pay by card").click()

    # Stripe's hosted page asks for a year's dues; paying sends the subscription's webhooks, then returns.
    page.wait_for_url(f"{stripe_server.url}/checkout/c/pay/*")
    assert page.get_by_role("heading", name="Pay 195.00 USD").is_visible()
    page.get_by_role("button", name="Pay").click()
    page.wait_for_url(f"{paid_server}/account/membership?joined=*")
    deliveries = stripe_server.account.deliveries
    assert [kind for kind, _, _ in deliveries] == [
        "customer.subscription.created",
        "invoice.paid",
        "checkout.session.completed",
    ]
    assert all(status == 200 for _, status, _ in deliveries), deliveries
    assert "Individual" in page.locator("main").inner_text()
    row = run(Membership.select(Membership.status, Membership.tier).first().run())
    assert row == {"status": "active", "tier": "individual"}

    # Now the whole item reads, with no invitation.
    page.goto(f"{paid_server}/library/{locked_id}")
    assert LOCKED_TEXT in page.locator("#content").inner_text()
    assert page.get_by_role("region", name="This resource is for members").count() == 0

    # And the paid event shows the member price.
    page.goto(f"{paid_server}/events/{event_id}")
    assert "Your price (members): $15.00" in page.locator("#tickets-heading + ul").inner_text()
    assert page.get_by_role("link", name="Become a member").count() == 0
