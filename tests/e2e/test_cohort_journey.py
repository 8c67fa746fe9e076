"""Staff run a cohort in the browser; a resident sees their progress change and gets a certificate."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from accounts.principal import Role
from accounts.tables import Person
from programs.schemas import CohortCreate, PolicyIn
from programs.services import cohorts, enrollment
from tests.builders.clients import run
from tests.builders.cohorts import make_session
from tests.builders.people import PASSWORD, make_actor, make_program, make_staff

pytestmark = pytest.mark.e2e


async def _seed() -> dict[str, object]:
    program_id = await make_program("residency", slug="social-media-residency")
    staff = await make_staff(program_id, email="sam.staff@example.org")
    other_staff = await make_staff(email="olga.other@example.org")
    resident = await make_actor(Role.MEMBER, email="rosa.resident@example.org", degree="MD")
    await Person.update({Person.name: "Dr. Rosa Resident"}).where(Person.id == resident.id)
    from accounts.principal import Principal
    from accounts.services.people import roles_of

    principal = Principal(staff.id, staff.email, "Sam", await roles_of(staff.id), "cli", 0)
    today = date.today()
    cohort = await cohorts.create_cohort(
        principal,
        program_id,
        CohortCreate(
            name="Residency 2027",
            starts_on=today - timedelta(days=14),
            ends_on=today + timedelta(days=60),
            policy=PolicyIn(min_attendance_percent=75, certificate_issuing="automatic"),
        ),
    )
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    crisis = await make_session(program_id, "Crisis communication", now - timedelta(days=7), cme_quarters=4)
    reach = await make_session(program_id, "Measuring reach", now - timedelta(days=2), cme_quarters=4)
    await cohorts.add_session(principal, cohort.id, crisis, True)
    await cohorts.add_session(principal, cohort.id, reach, False)
    await enrollment.enroll(principal, cohort.id, resident.id)
    other_principal = Principal(
        other_staff.id, other_staff.email, "Olga", await roles_of(other_staff.id), "cli", 0
    )
    other_cohort = await cohorts.create_cohort(
        other_principal,
        other_staff.program_id or 0,
        CohortCreate(name="Someone else's cohort", starts_on=today, ends_on=today + timedelta(days=30)),
    )
    return {"cohort": cohort.id, "crisis": crisis, "reach": reach, "other_cohort": other_cohort.id}


def _sign_in(page, base: str, email: str, next_path: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{base}/signin?next={next_path}")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}{next_path}")


def _sign_out(page) -> None:  # type: ignore[no-untyped-def]
    page.get_by_role("button", name="Sign out", exact=True).click()


def test_staff_mark_attendance_and_the_resident_completes(live_server: str, browser_page) -> None:  # type: ignore[no-untyped-def]
    seeded = run(_seed())
    page = browser_page
    cohort_path = f"/programs/cohorts/{seeded['cohort']}"
    my_path = f"/my/cohorts/{seeded['cohort']}"

    # The resident sees what is missing.
    _sign_in(page, live_server, "rosa.resident@example.org", my_path)
    assert page.locator("#state").inner_text() == "Cannot complete"
    assert (
        "0 of 1 required sessions attended; missing: Crisis communication"
        in page.locator("#to-do").inner_text()
    )
    _sign_out(page)

    # Staff open the cohort, then the attendance sheet, and mark the resident present.
    _sign_in(page, live_server, "sam.staff@example.org", cohort_path)
    assert page.get_by_role("heading", name="Residency 2027").is_visible()
    assert "Dr. Rosa Resident" in page.locator("#roster").inner_text()
    page.get_by_role("link", name="Attendance sheet for Crisis communication").click()
    page.wait_for_url(f"{live_server}{cohort_path}/sessions/{seeded['crisis']}")
    page.get_by_label("Status for Dr. Rosa Resident").select_option("Present")
    page.get_by_role("button", name="Save Dr. Rosa Resident").click()
    assert page.get_by_role("status").inner_text() == "Dr. Rosa Resident: Present."
    assert page.locator("#sheet .status").first.inner_text().startswith("Present")
    page.goto(f"{live_server}{cohort_path}/sessions/{seeded['reach']}")
    page.get_by_label("Status for Dr. Rosa Resident").select_option("Late")
    page.get_by_label("Remarks").fill("Joined from clinic")
    page.get_by_role("button", name="Save Dr. Rosa Resident").click()
    page.goto(f"{live_server}{cohort_path}")
    assert page.locator("#roster .attendance").first.inner_text() == "75%"

    # Staff of this program are turned away from another program's cohort.
    page.goto(f"{live_server}/programs/cohorts/{seeded['other_cohort']}")
    assert page.get_by_role("heading", name="Not allowed").is_visible()
    _sign_out(page)

    # The resident's progress has changed: complete, with a certificate.
    _sign_in(page, live_server, "rosa.resident@example.org", my_path)
    assert page.locator("#state").inner_text() == "Complete"
    assert page.locator("#attendance-percent").inner_text() == "75%"
    assert page.locator("#credits").inner_text() == "2.00"
    page.get_by_role("link", name="print").wait_for()
    code = page.locator(".notice a").first.inner_text()
    _sign_out(page)

    # Anyone, signed out, can verify it.
    page.goto(f"{live_server}/verify")
    page.get_by_label("Verification code").fill(code.lower().replace("-", " "))
    page.get_by_role("button", name="Verify").click()
    page.wait_for_url(f"{live_server}/verify/{code}")
    assert page.locator("#verify-state").inner_text().startswith("Valid")
    assert page.locator("#cert-name").inner_text() == "Dr. Rosa Resident"
    assert page.locator("#cert-program").inner_text() == "Social Media Residency"
    assert page.locator("#cert-cohort").inner_text().startswith("Residency 2027")
    assert page.locator("#cert-issued").inner_text() == date.today().isoformat()
    assert page.locator("#cert-credits").inner_text().startswith("2.00")
