"""Someone proposes an organization for the Health Care Social Media List; staff approve it; it is listed."""

from __future__ import annotations

import pytest

from tests.builders.clients import run
from tests.builders.people import PASSWORD, make_staff

pytestmark = pytest.mark.e2e

NAME = "Harbourside Community Hospital"


def test_a_submission_is_moderated_then_listed(live_server: str, browser_page) -> None:  # type: ignore[no-untyped-def]
    run(make_staff(email="list.moderator@example.org"))
    page = browser_page

    # A visitor, not signed in, proposes an organization.
    page.goto(f"{live_server}/")
    page.get_by_role("link", name="Social Media List").click()
    page.get_by_role("link", name="Add an organization").click()
    page.get_by_label("Organization name").fill(NAME)
    page.get_by_label("Type").select_option("hospital")
    page.get_by_label("Country").select_option("NZ")
    page.get_by_label("Region, state or province").fill("Wellington")
    page.get_by_label("City (optional)", exact=True).fill("Wellington")
    page.get_by_label("Website").fill("https://harbourside.example.nz")
    page.get_by_label("X (Twitter)").fill("https://twitter.com/HarboursideHosp?s=21")
    page.get_by_label("Instagram").fill("https://www.instagram.com/harbourside.hospital/")
    page.get_by_label("Your email").fill("comms@harbourside.example.nz")
    page.get_by_label("Note to the moderators").fill("I manage their accounts.")
    page.get_by_role("button", name="Send for review").click()
    page.wait_for_url(f"{live_server}/social-media-list/thanks")
    assert "waits for a moderator" in page.locator("#submitted-notice").inner_text()

    # It is not on the public list yet.
    page.goto(f"{live_server}/social-media-list")
    assert NAME not in page.locator("main").inner_text()

    # Staff sign in, open the queue, check what was sent and approve it.
    page.goto(f"{live_server}/signin")
    page.get_by_label("Email").fill("list.moderator@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"{live_server}/social-media-list")
    page.get_by_role("link", name="Moderation queue").click()
    page.get_by_role("link", name=f"Review {NAME}").click()
    assert "I manage their accounts." in page.locator("main").inner_text()
    assert page.get_by_label("X (Twitter)").input_value() == "https://x.com/harboursidehosp"
    page.get_by_role("button", name="Approve and publish").click()
    assert page.locator("#done-notice").inner_text() == "Approved and published."
    page.get_by_role("button", name="Sign out", exact=True).click()

    # Anyone now finds it on the public list, filtered by country and platform.
    page.goto(f"{live_server}/social-media-list")
    page.get_by_label("Country").select_option("NZ")
    page.locator("#f-platform").select_option("instagram")
    page.get_by_role("button", name="Filter").click()
    assert page.locator("#result-count").inner_text().startswith("Showing 1\u20131 of 1 organization")
    page.get_by_role("link", name=NAME).click()
    assert page.locator("#listing-name").inner_text() == NAME
    accounts = page.locator("#listing-accounts").inner_text()
    assert (
        "https://x.com/harboursidehosp" in accounts
        and "https://instagram.com/harbourside.hospital" in accounts
    )
    assert "I manage their accounts." not in page.locator("main").inner_text()
    assert "approved by" in page.locator("#listing-history").inner_text()
