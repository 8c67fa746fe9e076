"""A guest browses the resource library, reads a free sample, hits a members-only item,
sees the invitation to join instead of its content, and follows it to the membership page."""

from __future__ import annotations

import pytest

from accounts.principal import Role
from tests.builders.clients import run
from tests.builders.live import publish_item
from tests.builders.people import make_actor

pytestmark = pytest.mark.e2e

SAMPLE = "Sample employee social media policy"
LOCKED = "Crisis communication playbook"
LOCKED_TEXT = "Hour 0-1: acknowledge publicly"


def test_guest_meets_a_members_only_item_and_follows_the_join_link(live_server: str, browser_page) -> None:  # type: ignore[no-untyped-def]
    staff = run(make_actor(Role.PROGRAM_STAFF, email="librarian@example.org"))
    publish_item(
        live_server, staff.token, kind="policy_template", title=SAMPLE, audience="guest_sample",
        summary="A short, editable policy for staff posting about their workplace.",
        body="Purpose: help employees share pride in our work while protecting patient privacy.",
        tags=["policy", "privacy"], author_name="Riverside Health System",
    )  # fmt: skip
    locked_id = publish_item(
        live_server, staff.token, kind="guide", title=LOCKED, audience="members_only",
        summary="Roles, holding statements and an escalation tree for when a post goes viral.",
        body=f"{LOCKED_TEXT}, say what you are doing.", link_url="https://example.org/crisis-playbook.pdf",
        tags=["crisis communication"], author_name="Center for Social Media in Medicine",
    )  # fmt: skip
    page = browser_page

    # A newcomer signs up: a guest account.
    page.goto(f"{live_server}/")
    page.get_by_role("link", name="Sign up").first.click()
    page.get_by_label("Full name").fill("Grace Guest")
    page.get_by_label("Email").fill("grace.guest@example.org")
    page.get_by_label("Password").fill("samples before paying")
    page.get_by_role("button", name="Create account").click()
    page.wait_for_url(f"{live_server}/account")

    # They browse the library and narrow it to free samples.
    page.get_by_role("link", name="Library", exact=True).click()
    page.wait_for_url(f"{live_server}/library")
    assert page.get_by_role("status").inner_text().startswith("Showing 1\u20132 of 2 items")
    page.get_by_label("Audience").select_option("guest_sample")
    page.get_by_role("button", name="Find resources").click()
    assert page.get_by_role("status").inner_text().startswith("Showing 1\u20131 of 1 item")
    page.get_by_role("link", name=SAMPLE).click()
    assert "protecting patient privacy" in page.locator("#content").inner_text()

    # Back to everything: the members-only item is listed with its summary and a badge.
    page.get_by_role("link", name="Resource library").click()
    card = page.locator(f'li.card[data-item="{locked_id}"]')
    assert "Members only" in card.inner_text()
    card.get_by_role("link", name=LOCKED).click()
    page.wait_for_url(f"{live_server}/library/{locked_id}")

    # The item's page shows the summary and an invitation, never the content.
    invitation = page.get_by_role("region", name="This resource is for members")
    assert invitation.is_visible()
    assert "escalation tree" in page.content()
    assert LOCKED_TEXT not in page.content() and "crisis-playbook.pdf" not in page.content()

    # They follow the invitation to the membership page.
    join = invitation.get_by_role("link", name="Become a member")
    assert join.get_attribute("href") == "/membership"
    with page.expect_navigation() as navigation:
        join.click()
    page.wait_for_url(f"{live_server}/membership")
    response = navigation.value
    assert response is not None and response.status == 200, response.status if response else None
