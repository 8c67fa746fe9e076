"""Whose minutes earn CME is the program's setting; certificates after an import wait for sign-off
unless the cohort chose to issue automatically."""

from __future__ import annotations

from programs.tables import Certificate
from tests.builders.cohorts import make_world
from tests.builders.zoom import REPORT, attendance_sheet, upload_report, zoom_world


async def test_md_and_do_earn_credit_by_default_and_the_rule_is_shown(client) -> None:
    world = await make_world(client, policy={"min_attendance_percent": 0})
    rules = (await world.api("GET", f"/api/v1/programs/{world.program_id}/rules")).json()
    assert rules["credit_degrees"] == ["MD", "DO"]
    pa = await world.add_resident(degree="PA")
    progress = await world.progress(pa)
    assert progress["credit_eligible"] is False
    assert "MD, DO" in progress["credit_note"] and "certificate of participation" in progress["credit_note"]
    page = await client.get(f"/programs/cohorts/{world.cohort_id}", headers=world.staff.headers)
    assert 'id="credit-rule"' in page.text and "awarded to MD, DO" in page.text


async def test_a_program_that_credits_physician_assistants_awards_them_credit(client) -> None:
    world, session_id, _grace, wei, _rosa = await zoom_world(client)  # Wei is a PA
    saved = await world.api(
        "PUT", f"/api/v1/programs/{world.program_id}/rules", json={"credit_degrees": ["md", "DO", "pa"]}
    )
    assert saved.status_code == 200, saved.text
    assert saved.json()["credit_degrees"] == ["MD", "DO", "PA"]
    assert (await upload_report(world, session_id, REPORT.encode())).status_code == 201
    assert (await attendance_sheet(world, session_id))["Wei Ng"]["credits"] == "0.50"
    progress = await world.progress(wei)
    assert progress["credit_eligible"] is True and "(PA) earns" in progress["credit_note"]


async def test_an_import_waits_for_sign_off_by_default(client) -> None:
    world, session_id, grace, *_ = await zoom_world(client)
    cohort = (await world.api("GET", f"/api/v1/cohorts/{world.cohort_id}")).json()
    assert cohort["policy"]["certificate_issuing"] == "signoff"
    assert (await upload_report(world, session_id, REPORT.encode())).status_code == 201
    assert (await world.progress(grace))["state"] == "complete"
    assert await Certificate.count() == 0, "nothing issued before staff sign off"
    enrollments = (await world.api("GET", f"/api/v1/cohorts/{world.cohort_id}/enrollments")).json()
    [mine] = [e for e in enrollments if e["person_id"] == grace.id]
    assert (await world.api("POST", f"/api/v1/enrollments/{mine['id']}/sign-off")).status_code == 200
    assert await Certificate.count().where(Certificate.person == grace.id) == 1


async def test_a_cohort_that_issues_automatically_gets_certificates_from_the_import(client) -> None:
    world, session_id, grace, *_ = await zoom_world(client)
    cohort = (await world.api("GET", f"/api/v1/cohorts/{world.cohort_id}")).json()
    policy = {**cohort["policy"], "certificate_issuing": "automatic"}
    policy["min_credits"] = float(policy["min_credits"])
    changed = await world.api("PUT", f"/api/v1/cohorts/{world.cohort_id}/policy", json=policy)
    assert changed.status_code == 200, changed.text
    assert (await upload_report(world, session_id, REPORT.encode())).status_code == 201
    assert await Certificate.count().where(Certificate.person == grace.id) == 1
