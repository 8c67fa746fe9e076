"""Program staff's changes leave one audit row each, in the change's transaction; refused ones leave none.

Every request below is made by the program's staff (role ``program_staff``) unless it is
meant to be refused. ``_one_row`` holds a request to the rule the trail promises: exactly
one new row, of the expected action, and nothing else written beside it.
"""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Any

import httpx

from accounts.principal import Role
from programs.tables import Deliverable, Enrollment, UnmatchedAttendee
from tests.builders.audit import audit_rows
from tests.builders.clients import csrf_from
from tests.builders.cohorts import PDF, check_in, hours_ago, make_world
from tests.builders.people import Actor, make_actor, make_staff
from tests.builders.zoom import REPORT, upload_report, zoom_world


async def _one_row(request: Awaitable[httpx.Response], action: str, status: int = 200) -> dict[str, Any]:
    """Make the request; return the one audit row it wrote, after checking it wrote exactly that."""
    seen = len(await audit_rows())
    response = await request
    assert response.status_code == status, response.text
    new = (await audit_rows())[seen:]
    assert [row["action"] for row in new] == [action]
    return new[0]


async def _no_row(request: Awaitable[httpx.Response], status: int) -> httpx.Response:
    seen = len(await audit_rows())
    response = await request
    assert response.status_code == status, response.text
    assert (await audit_rows())[seen:] == []
    return response


def _by(row: dict[str, Any], staff: Actor) -> None:
    assert (row["actor_id"], row["role"]) == (staff.id, "program_staff")


def _on(row: dict[str, Any], kind: str, object_id: int | str, subject: int | None) -> None:
    assert (row["object_kind"], row["object_id"], row["subject_id"]) == (kind, str(object_id), subject)


async def _form(
    client: httpx.AsyncClient, path: str, actor: Actor, action: str, data: dict[str, str]
) -> httpx.Response:
    """Post a staff page's form as a browser does, with the CSRF field of the page it sits on."""
    page = await client.get(path, headers=actor.headers)
    assert page.status_code == 200, page.text
    return await client.post(
        action,
        data={**data, "_csrf_token": csrf_from(page.text)},
        headers=actor.headers,
        follow_redirects=False,
    )


async def test_enrolling_someone_names_them_and_a_duplicate_writes_nothing(client) -> None:
    world = await make_world(client, residents=0)
    member = await make_actor(Role.MEMBER)
    url = f"/api/v1/cohorts/{world.cohort_id}/enrollments"
    row = await _one_row(world.api("POST", url, json={"person_id": member.id}), "enrollment.create", 201)
    enrollment = await Enrollment.select().where(Enrollment.person == member.id).first()
    _by(row, world.staff)
    _on(row, "enrollment", enrollment["id"], member.id)
    assert row["changes"] == {
        "cohort": [None, world.cohort_id],
        "person": [None, member.id],
        "status": [None, "active"],
    }
    await _no_row(world.api("POST", url, json={"person_id": member.id}), 409)
    other_staff = await make_staff()
    await _no_row(world.api("POST", url, other_staff, json={"person_id": member.id}), 403)


async def test_accepting_and_rejecting_applications_record_the_status_change(client) -> None:
    world = await make_world(client, residents=0, open_for_applications=True)
    alice, bob = await make_actor(Role.MEMBER), await make_actor(Role.MEMBER)
    ids = []
    for person in (alice, bob):
        applied = await world.api(
            "POST", f"/api/v1/cohorts/{world.cohort_id}/applications", person, json={"statement": "Hi"}
        )
        assert applied.status_code == 201, applied.text
        ids.append(applied.json()["id"])
    alice_id, bob_id = ids

    accepted = await _one_row(
        world.api("POST", f"/api/v1/enrollments/{alice_id}/accept"), "enrollment.accept"
    )
    _by(accepted, world.staff)
    _on(accepted, "enrollment", alice_id, alice.id)
    assert accepted["changes"] == {"status": ["applied", "active"]}

    rejected = await _one_row(
        world.api("POST", f"/api/v1/enrollments/{bob_id}/reject", json={"reason": "Full this year"}),
        "enrollment.reject",
    )
    _on(rejected, "enrollment", bob_id, bob.id)
    assert rejected["changes"] == {"status": ["applied", "rejected"], "reason": "Full this year"}

    await _no_row(world.api("POST", f"/api/v1/enrollments/{bob_id}/accept"), 409)
    await _no_row(world.api("POST", f"/api/v1/enrollments/{alice_id}/accept", alice), 403)


async def test_the_decision_page_declares_each_action_it_may_take(client) -> None:
    world = await make_world(client, residents=0, open_for_applications=True)
    member = await make_actor(Role.MEMBER)
    applied = await world.api("POST", f"/api/v1/cohorts/{world.cohort_id}/applications", member, json={})
    enrollment_id = applied.json()["id"]
    dashboard = f"/programs/cohorts/{world.cohort_id}"
    await _no_row(
        _form(client, dashboard, world.staff, f"/programs/enrollments/{enrollment_id}/promote", {}), 302
    )
    row = await _one_row(
        _form(
            client,
            dashboard,
            world.staff,
            f"/programs/enrollments/{enrollment_id}/reject",
            {"reason": "Not this year"},
        ),
        "enrollment.reject",
        302,
    )
    _by(row, world.staff)
    assert row["changes"] == {"status": ["applied", "rejected"], "reason": "Not this year"}


async def test_a_staff_mark_keeps_what_the_record_was_and_became(client) -> None:
    world = await make_world(client)
    me, session_id = world.residents[0], world.sessions[0]
    url = f"/api/v1/cohorts/{world.cohort_id}/sessions/{session_id}/attendance/{me.id}"

    first = await _one_row(world.api("PUT", url, json={"status": "Present"}), "attendance.mark")
    _by(first, world.staff)
    _on(first, "session", session_id, me.id)
    assert first["changes"] == {
        "status": [None, "Present"],
        "source": [None, "manual"],
        "seconds_attended": [None, 3600],
        "remarks": [None, ""],
        "overridden": [None, True],
        "cohort_id": world.cohort_id,
    }

    second = await _one_row(
        world.api("PUT", url, json={"status": "Absent", "remarks": "Sick"}), "attendance.mark"
    )
    assert second["changes"] == {
        "status": ["Present", "Absent"],
        "seconds_attended": [3600, 0],
        "remarks": ["", "Sick"],
        "cohort_id": world.cohort_id,
    }
    await _no_row(world.api("PUT", url, json={"status": "Asleep"}), 400)


async def test_the_sheet_page_marks_with_one_row(client) -> None:
    world = await make_world(client)
    me, session_id = world.residents[0], world.sessions[0]
    path = f"/programs/cohorts/{world.cohort_id}/sessions/{session_id}"
    row = await _one_row(
        _form(client, path, world.staff, path, {"person_id": str(me.id), "status": "Late", "minutes": "40"}),
        "attendance.mark",
        302,
    )
    _on(row, "session", session_id, me.id)
    assert row["changes"]["status"] == [None, "Late"] and row["changes"]["seconds_attended"] == [None, 2400]


async def test_an_import_is_one_row_with_its_counts_even_when_the_file_comes_again(client) -> None:
    world, session_id, *_ = await zoom_world(client)
    row = await _one_row(upload_report(world, session_id, REPORT.encode()), "attendance.import", 201)
    _by(row, world.staff)
    _on(row, "session", session_id, None)
    import_id = row["changes"].pop("import_id")
    assert row["changes"] == {
        "cohort_id": world.cohort_id,
        "filename": "zoom.csv",
        "unchanged_file": False,
        "people_in_file": 5,
        "matched": 2,
        "unmatched": 2,
        "records_changed": 2,
    }
    again = await _one_row(upload_report(world, session_id, REPORT.encode()), "attendance.import", 201)
    assert again["changes"]["unchanged_file"] is True and again["changes"]["import_id"] == import_id
    assert again["changes"]["records_changed"] == 0
    await _no_row(upload_report(world, session_id, b"nothing,here\n"), 422)


async def test_settling_the_unmatched_queue(client) -> None:
    world, session_id, _grace, _wei, rosa = await zoom_world(client)
    assert (await upload_report(world, session_id, REPORT.encode())).status_code == 201
    caller, guest = await UnmatchedAttendee.select().order_by(UnmatchedAttendee.id)
    base = f"/api/v1/cohorts/{world.cohort_id}/unmatched"

    resolved = await _one_row(
        world.api("POST", f"{base}/{caller['id']}/resolve", json={"person_id": rosa.id}),
        "attendance.unmatched.resolve",
    )
    _on(resolved, "unmatched_attendee", caller["id"], rosa.id)
    assert resolved["changes"] == {
        "status": ["open", "resolved"],
        "resolved_person": [None, rosa.id],
        "cohort_id": world.cohort_id,
        "session_id": session_id,
        "record_changed": True,
    }
    page = f"/programs/cohorts/{world.cohort_id}/sessions/{session_id}/import"
    dismissed = await _one_row(
        _form(
            client,
            page,
            world.staff,
            f"/programs/cohorts/{world.cohort_id}/unmatched/{guest['id']}",
            {"action": "dismiss", "session_id": str(session_id)},
        ),
        "attendance.unmatched.dismiss",
        302,
    )
    _on(dismissed, "unmatched_attendee", guest["id"], None)
    assert dismissed["changes"]["status"] == ["open", "dismissed"]
    await _no_row(world.api("POST", f"{base}/{guest['id']}/dismiss"), 404)


async def test_a_check_in_sync_is_one_row_with_the_count(client) -> None:
    world = await make_world(client, sessions=[("Live", hours_ago(2), False)], residents=2)
    session_id = world.sessions[0]
    for person in world.residents:
        await check_in(session_id, person.id, hours_ago(2))
    url = f"/api/v1/cohorts/{world.cohort_id}/sessions/{session_id}/check-ins/sync"
    row = await _one_row(world.api("POST", url), "attendance.sync")
    _on(row, "session", session_id, None)
    assert row["changes"] == {"cohort_id": world.cohort_id, "records_changed": 2}
    again = await _one_row(world.api("POST", url), "attendance.sync")
    assert again["changes"]["records_changed"] == 0


async def test_issuing_a_cohorts_certificates_is_one_row_and_revoking_one_names_its_holder(client) -> None:
    world = await make_world(
        client, residents=2, policy={"min_attendance_percent": 0, "certificate_issuing": "automatic"}
    )
    issue = f"/api/v1/cohorts/{world.cohort_id}/certificates/issue"
    row = await _one_row(world.api("POST", issue), "certificate.issue")
    _by(row, world.staff)
    _on(row, "cohort", world.cohort_id, None)
    certificates = (await world.api("GET", f"/api/v1/cohorts/{world.cohort_id}/certificates")).json()
    assert row["changes"]["issued"] == 2
    assert sorted(row["changes"]["codes"]) == sorted(c["code"] for c in certificates)
    assert sorted(row["changes"]["people"]) == sorted(r.id for r in world.residents)
    none_left = await _one_row(world.api("POST", issue), "certificate.issue")
    assert none_left["changes"] == {"issued": 0, "codes": [], "people": []}

    me = world.residents[0]
    code = (await world.progress(me))["certificate_code"]
    url = f"/api/v1/certificates/{code}/revoke"
    await _no_row(world.api("POST", url, json={"reason": "  "}), 400)
    await _no_row(world.api("POST", url, me, json={"reason": "mine"}), 403)
    revoked = await _one_row(
        world.api("POST", url, json={"reason": "Attendance was misreported"}), "certificate.revoke"
    )
    _by(revoked, world.staff)
    _on(revoked, "certificate", code, me.id)
    revoked_at = revoked["changes"]["revoked_at"]
    assert revoked_at[0] is None and revoked_at[1]
    assert revoked["changes"]["revoked_reason"] == ["", "Attendance was misreported"]
    await _no_row(world.api("POST", url, json={"reason": "again"}), 409)


async def test_issuing_from_the_dashboard_writes_the_same_one_row(client) -> None:
    world = await make_world(client, policy={"min_attendance_percent": 0, "certificate_issuing": "automatic"})
    dashboard = f"/programs/cohorts/{world.cohort_id}"
    # The dashboard itself issues what is due (unaudited, as every reader does); the button then finds none.
    row = await _one_row(
        _form(client, dashboard, world.staff, f"{dashboard}/certificates", {}), "certificate.issue", 302
    )
    assert row["changes"] == {"issued": 0, "codes": [], "people": []}


async def test_a_deliverable_review_keeps_the_decision_and_note(client) -> None:
    world = await make_world(client, policy={"min_attendance_percent": 0, "requires_deliverable": True})
    me = world.residents[0]
    uploaded = await world.api(
        "POST",
        f"/api/v1/cohorts/{world.cohort_id}/deliverables",
        me,
        files={"file": ("plan.pdf", PDF, "application/pdf")},
    )
    assert uploaded.status_code == 201, uploaded.text
    url = f"/api/v1/deliverables/{uploaded.json()['id']}/review"
    await _no_row(world.api("POST", url, json={"decision": "return", "note": ""}), 400)
    row = await _one_row(
        world.api("POST", url, json={"decision": "return", "note": "Add how you will measure reach"}),
        "deliverable.review",
    )
    _by(row, world.staff)
    _on(row, "deliverable", uploaded.json()["id"], me.id)
    assert row["changes"] == {
        "status": ["submitted", "returned"],
        "review_note": ["", "Add how you will measure reach"],
        "cohort_id": world.cohort_id,
    }
    assert (await Deliverable.select(Deliverable.status).first())["status"] == "returned"


async def test_a_rules_change_lists_only_what_changed(client) -> None:
    world = await make_world(client)
    url = f"/api/v1/programs/{world.program_id}/rules"
    before = (await world.api("GET", url)).json()
    row = await _one_row(
        world.api("PUT", url, json={"present_within_minutes": 5, "provider": "Riverside CME"}),
        "program.rules.update",
    )
    _by(row, world.staff)
    _on(row, "program", world.program_id, None)
    assert row["changes"] == {
        "present_within_minutes": [10, 5],
        "provider": [before["provider"], "Riverside CME"],
    }
    await _no_row(world.api("PUT", url, json={"present_within_minutes": 90, "late_within_minutes": 60}), 400)
    await _no_row(world.api("PUT", url, await make_staff(), json={"provider": "Elsewhere"}), 403)


async def test_the_roster_csv_records_how_many_rows_left(client) -> None:
    world = await make_world(client, residents=2)
    url = f"/api/v1/cohorts/{world.cohort_id}/roster.csv"
    row = await _one_row(world.api("GET", url), "export.cohort_roster_csv")
    _by(row, world.staff)
    _on(row, "cohort", world.cohort_id, None)
    assert row["changes"] == {"rows": 2, "state": "", "filtered": False}
    filtered = await _one_row(world.api("GET", f"{url}?state=complete"), "export.cohort_roster_csv")
    assert filtered["changes"] == {"rows": 0, "state": "complete", "filtered": False}
    await _no_row(world.api("GET", url, await make_staff()), 403)


async def test_granting_a_rung_records_the_step_up(client) -> None:
    world = await make_world(client, kind="fellows", sessions=[])
    fellow = world.residents[0]
    url = f"/api/v1/programs/{world.program_id}/fellows/{fellow.id}/rungs"
    await _no_row(world.api("POST", url, json={"rung": "Silver"}), 409)
    row = await _one_row(
        world.api("POST", url, json={"rung": "Bronze", "note": "Plan passed"}), "fellows.rung.grant", 201
    )
    _on(row, "program", world.program_id, fellow.id)
    assert row["changes"] == {"rung": [None, "Bronze"], "note": "Plan passed"}
    silver = await _one_row(world.api("POST", url, json={"rung": "Silver"}), "fellows.rung.grant", 201)
    assert silver["changes"] == {"rung": ["Bronze", "Silver"]}
