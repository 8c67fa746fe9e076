"""An admin keeps an old event out of the retention schedule and reads who did it in the audit trail.

Two attendees of a webinar that ended four years ago are due to be anonymized. The
admin places a legal hold on the event, sees on the retention page that the run
would now keep them, and finds the hold among the admin's own actions in the audit
trail, filtered by actor, at desktop and phone widths.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from accounts.principal import Role
from tests.builders.clients import run
from tests.builders.people import PASSWORD, make_actor
from tests.builders.records import past_event, person, register

pytestmark = pytest.mark.e2e


async def _seed() -> int:
    await make_actor(Role.ADMIN, email="alma.admin@example.org")
    other = await make_actor(Role.ADMIN, email="otto.other@example.org")
    event_id = await past_event(ended_days_ago=4 * 365, title="Grand Rounds 2022")
    for days in (1500, 1600):
        await register(event_id, await person(Role.MEMBER, days=days))
    # Someone else's action, so the filter has something to leave out.
    from accounts.services.people import grant_role

    await grant_role((await make_actor(Role.MEMBER)).id, Role.SPEAKER, other.id)
    return event_id


def _sign_in(page, base: str, email: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{base}/signin")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/account")


def test_an_admin_places_a_hold_reads_the_dry_run_and_the_audit_trail(
    live_server: str, browser_page, run_dir: Path
) -> None:  # type: ignore[no-untyped-def]
    event_id = run(_seed())
    page = browser_page
    page.set_viewport_size({"width": 1280, "height": 900})
    _sign_in(page, live_server, "alma.admin@example.org")

    page.goto(f"{live_server}/admin/retention")
    attendees = page.locator('#plan tr[data-class="attendee"]')
    assert attendees.locator(".count").inner_text() == "2"

    page.goto(f"{live_server}/admin/legal-holds")
    page.get_by_label("Scope").select_option("event")
    page.get_by_label("Id of the person, event or cohort").fill(str(event_id))
    page.get_by_label("Reason").fill("Litigation hold: claim 2026-114 about Grand Rounds 2022")
    page.get_by_role("button", name="Place hold").click()
    assert "placed" in page.get_by_role("status").inner_text()

    page.get_by_role("link", name="see what it would do now").click()
    page.wait_for_url(f"{live_server}/admin/retention")
    attendees = page.locator('#plan tr[data-class="attendee"]')
    assert attendees.locator(".count").inner_text() == "0"
    assert attendees.locator(".held").inner_text() == "2"
    assert "claim 2026-114" in page.locator("#holds").inner_text()
    page.screenshot(path=str(run_dir / "retention-1280.png"), full_page=True)

    page.goto(f"{live_server}/admin/audit")
    page.get_by_label("Who (id or email)").fill("alma.admin@example.org")
    page.get_by_role("button", name="Filter").click()
    rows = page.locator("#audit-rows tbody tr")
    assert rows.count() == 1
    assert "Placed a legal hold" in rows.first.inner_text()
    assert "otto" not in page.locator("#audit-rows").inner_text().lower()

    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    assert page.locator("#audit-rows").is_visible()
    # The wide table scrolls inside its box; the page itself never scrolls sideways.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(run_dir / "audit-390.png"), full_page=True)
