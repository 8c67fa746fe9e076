"""A guest finds a conference in the catalogue, registers, sees it under "my registrations";
the program's staff find them on the roster and check them in at the door."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest

from tests.builders.clients import run
from tests.builders.people import PASSWORD, make_staff

pytestmark = pytest.mark.e2e

TITLE = "Healthcare social media summit"


def _conference(base: str, token: str, program_id: int) -> int:
    """A published conference with a free ticket and two sessions, set up through the API."""
    headers = {"Authorization": f"Bearer {token}"}
    start = (datetime.now(UTC) + timedelta(days=14)).replace(hour=14, minute=0, second=0, microsecond=0)
    with httpx.Client(base_url=base, headers=headers, timeout=10) as api:
        created = api.post(
            "/api/v1/events/",
            json={
                "kind": "conference",
                "title": TITLE,
                "description": "Two days on using social media well in clinical education.",
                "time_zone": "America/Chicago",
                "starts_at": start.isoformat(),
                "ends_at": (start + timedelta(days=1, hours=8)).isoformat(),
                "venue": "Mayo Civic Center, Rochester MN",
                "capacity": 200,
                "program_id": program_id,
                "topic": "Social media",
            },
        )
        assert created.status_code == 201, created.text
        event_id = int(created.json()["id"])
        ticket = api.post(
            f"/api/v1/events/{event_id}/ticket-types",
            json={"name": "Free pass", "currency": "USD", "member_price": 0, "non_member_price": 0,
                  "guest_price": 0},
        )  # fmt: skip
        assert ticket.status_code == 201, ticket.text
        for offset, title in ((1, "Opening keynote"), (3, "Crisis communication workshop")):
            session = api.post(
                f"/api/v1/events/{event_id}/sessions",
                json={
                    "title": title,
                    "starts_at": (start + timedelta(hours=offset)).isoformat(),
                    "ends_at": (start + timedelta(hours=offset + 1)).isoformat(),
                },
            )
            assert session.status_code == 201, session.text
        assert api.post(f"/api/v1/events/{event_id}/publish").status_code == 200
    return event_id


def test_guest_registers_for_a_conference_and_staff_check_them_in(live_server: str, browser_page) -> None:  # type: ignore[no-untyped-def]
    staff = run(make_staff(email="door.staff@example.org"))
    event_id = _conference(live_server, staff.token, staff.program_id)
    page = browser_page

    # A newcomer signs up as a guest.
    page.goto(f"{live_server}/")
    page.get_by_role("link", name="Sign up").first.click()
    page.get_by_label("Full name").fill("Florence Nightingale")
    page.get_by_label("Email").fill("florence@example.org")
    page.get_by_label("Password").fill("lamp and ledger 1854")
    page.get_by_role("button", name="Create account").click()
    page.wait_for_url(f"{live_server}/account")

    # They find the conference in the catalogue with a search.
    page.get_by_role("link", name="Events", exact=True).click()
    page.get_by_label("Search").fill("social media summit")
    page.get_by_label("Kind").select_option("conference")
    page.get_by_role("button", name="Find events").click()
    assert page.get_by_role("status").inner_text().startswith("Showing 1\u20131 of 1 event")
    page.get_by_role("link", name=TITLE).click()
    page.wait_for_url(f"{live_server}/events/{event_id}")
    assert page.get_by_role("heading", name="Schedule").is_visible()
    assert page.get_by_text("Opening keynote").is_visible()

    # The only ticket is chosen already; they register and land on their registrations.
    assert page.get_by_label("Free pass").is_checked()
    page.get_by_role("button", name="Register").click()
    page.wait_for_url(f"{live_server}/registrations?registered=*")
    assert f"You are registered for {TITLE}." in page.locator("#registered-notice").inner_text()
    assert page.get_by_role("link", name=TITLE, exact=True).is_visible()
    assert "Confirmed" in page.locator(".registrations .status").first.inner_text()
    page.get_by_role("button", name="Sign out", exact=True).click()

    # Staff sign in, find the event, see the guest on the roster.
    page.goto(f"{live_server}/signin")
    page.get_by_label("Email").fill("door.staff@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name="Staff", exact=True).click()
    page.get_by_role("link", name=TITLE).click()
    page.get_by_role("link", name="Roster", exact=True).click()
    roster = page.locator("#roster")
    assert "Florence Nightingale" in roster.inner_text() and "florence@example.org" in roster.inner_text()

    # At the door of the keynote, staff find her by name and check her in.
    page.go_back()
    page.get_by_role("link", name="Check in to Opening keynote").click()
    page.get_by_label("Find by name or email").fill("nightingale")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("button", name="Check in Florence Nightingale").click()
    assert page.locator("#result").inner_text() == "Florence Nightingale is checked in."
    assert page.locator("#checked-in-count").inner_text() == "1"
