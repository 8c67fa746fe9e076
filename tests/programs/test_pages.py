"""The programs pages work as plain HTML forms (no JavaScript), with CSRF, for staff and learners."""

from __future__ import annotations

from accounts.principal import Role
from programs.tables import AttendanceRecord, Deliverable, Enrollment, UnmatchedAttendee
from tests.builders.clients import csrf_from
from tests.builders.cohorts import PDF, make_session, make_world
from tests.builders.people import make_actor
from tests.builders.zoom import REPORT, START


async def _form(client, path: str, actor, data: dict, files=None):  # type: ignore[no-untyped-def]
    page = await client.get(path, headers=actor.headers)
    assert page.status_code == 200, page.text
    return await client.post(
        path if not data.get("_action") else data.pop("_action"),
        data={**data, "_csrf_token": csrf_from(page.text)},
        files=files,
        headers=actor.headers,
        follow_redirects=False,
    )


async def test_staff_mark_attendance_on_the_sheet(client) -> None:
    world = await make_world(client, policy={"min_attendance_percent": 100})
    me = world.residents[0]
    path = f"/programs/cohorts/{world.cohort_id}/sessions/{world.sessions[0]}"
    response = await _form(
        client,
        path,
        world.staff,
        {"person_id": str(me.id), "status": "Late", "remarks": "Traffic", "minutes": ""},
    )
    assert response.status_code in (302, 303), response.text
    record = await AttendanceRecord.select().where(AttendanceRecord.person == me.id).first()
    assert (record["status"], record["remarks"], record["overridden"], record["set_by"]) == (
        "Late",
        "Traffic",
        True,
        world.staff.id,
    )
    sheet = await client.get(response.headers["location"], headers=world.staff.headers)
    assert "Late" in sheet.text and "(set by staff)" in sheet.text
    bad = await _form(client, path, world.staff, {"person_id": str(me.id), "status": "Asleep"})
    follow = await client.get(bad.headers["location"], headers=world.staff.headers)
    assert "is not an attendance status" in follow.text
    dashboard = await client.get(
        f"/programs/cohorts/{world.cohort_id}?state=cannot_complete", headers=world.staff.headers
    )
    assert dashboard.status_code == 200 and me.email.split("@")[0].title() in dashboard.text
    empty = await client.get(
        f"/programs/cohorts/{world.cohort_id}?state=complete", headers=world.staff.headers
    )
    assert "Nobody matches." in empty.text
    csv = await client.get(f"/api/v1/cohorts/{world.cohort_id}/roster.csv", headers=world.staff.headers)
    assert csv.headers["content-type"] == "text/csv; charset=utf-8"
    assert (
        csv.content.decode("utf-8-sig").splitlines()[0]
        == "name,email,degree,attendance_so_far,attendance,best_possible,credits,state,to_do,certificate"
    )


async def test_import_screen_uploads_and_resolves(client) -> None:
    world = await make_world(client, sessions=[], residents=0)
    session_id = await make_session(world.program_id, "Crisis communication", START)
    await world.api("POST", f"/api/v1/cohorts/{world.cohort_id}/sessions", json={"session_id": session_id})
    grace = await world.add_resident(email="grace.hopper@example.org", name="Grace Hopper")
    path = f"/programs/cohorts/{world.cohort_id}/sessions/{session_id}/import"
    response = await _form(
        client,
        path,
        world.staff,
        {"time_zone": "America/New_York"},
        files={"file": ("zoom.csv", REPORT.encode(), "text/csv")},
    )
    assert response.status_code == 200, response.text
    assert "3 not matched" in response.text and "Phone Caller" in response.text
    entry = await UnmatchedAttendee.select().where(UnmatchedAttendee.name == "Phone Caller").first()
    settle = await _form(
        client,
        path,
        world.staff,
        {
            "_action": f"/programs/cohorts/{world.cohort_id}/unmatched/{entry['id']}",
            "session_id": str(session_id),
            "person_id": str(grace.id),
            "action": "resolve",
        },
    )
    assert settle.status_code in (302, 303)
    assert (await UnmatchedAttendee.select().where(UnmatchedAttendee.id == entry["id"]).first())[
        "status"
    ] == "resolved"
    bad = await _form(
        client,
        path,
        world.staff,
        {"time_zone": "UTC"},
        files={"file": ("x.csv", b"nothing,here\n", "text/csv")},
    )
    assert bad.status_code == 422 and "Attendee Details" in bad.text


async def test_learner_progress_page_upload_and_staff_review(client) -> None:
    world = await make_world(
        client,
        policy={
            "min_attendance_percent": 0,
            "certificate_issuing": "automatic",
            "requires_deliverable": True,
        },
    )
    me = world.residents[0]
    page = await client.get(f"/my/cohorts/{world.cohort_id}", headers=me.headers)
    assert "Left to do" in page.text and "Strategic social media plan: not submitted yet" in page.text
    upload = await _form(
        client,
        f"/my/cohorts/{world.cohort_id}",
        me,
        {"_action": f"/my/cohorts/{world.cohort_id}/deliverable"},
        files={"file": ("plan.pdf", PDF, "application/pdf")},
    )
    assert upload.status_code in (302, 303) and "notice" in upload.headers["location"]
    wrong = await _form(
        client,
        f"/my/cohorts/{world.cohort_id}",
        me,
        {"_action": f"/my/cohorts/{world.cohort_id}/deliverable"},
        files={"file": ("plan.exe", b"MZ....", "application/octet-stream")},
    )
    assert "error=" in wrong.headers["location"]
    deliverable = await Deliverable.select().first()
    review = await _form(
        client,
        f"/programs/cohorts/{world.cohort_id}/deliverables",
        world.staff,
        {"_action": f"/programs/deliverables/{deliverable['id']}/review", "decision": "pass", "note": ""},
    )
    assert review.status_code in (302, 303)
    page = await client.get(f"/my/cohorts/{world.cohort_id}", headers=me.headers)
    assert "You have completed this cohort" in page.text
    transcript = await client.get("/my/transcript", headers=me.headers)
    assert transcript.status_code == 200 and "Residency 2027" in transcript.text
    mine = await client.get("/my/programs", headers=me.headers)
    assert f"/my/cohorts/{world.cohort_id}" in mine.text


async def test_apply_and_invitation_pages(client) -> None:
    world = await make_world(client, residents=0, open_for_applications=True)
    member = await make_actor(Role.MEMBER)
    applied = await _form(
        client, f"/programs/cohorts/{world.cohort_id}/apply", member, {"statement": "Please"}
    )
    assert applied.status_code in (302, 303)
    pending = await client.get(f"/programs/cohorts/{world.cohort_id}", headers=world.staff.headers)
    assert "Please" in pending.text and "applied" in pending.text
    enrollment = await Enrollment.select().where(Enrollment.person == member.id).first()
    accepted = await _form(
        client,
        f"/programs/cohorts/{world.cohort_id}",
        world.staff,
        {"_action": f"/programs/enrollments/{enrollment['id']}/accept"},
    )
    assert accepted.status_code in (302, 303)
    assert (await Enrollment.select().where(Enrollment.id == enrollment["id"]).first())["status"] == "active"
    invite = await _form(
        client,
        f"/programs/cohorts/{world.cohort_id}",
        world.staff,
        {"_action": f"/programs/cohorts/{world.cohort_id}/invite", "email": "not-an-email"},
    )
    assert "error=" in invite.headers["location"]
    assert (
        await client.get("/invitations/not-a-real-token-at-all", headers=member.headers)
    ).status_code == 404


async def test_rung_shows_on_the_learners_pages(client) -> None:
    world = await make_world(client, kind="fellows", sessions=[])
    fellow = world.residents[0]
    path = f"/programs/cohorts/{world.cohort_id}/people/{fellow.id}"
    refused = await _form(client, path, world.staff, {"_action": f"{path}/rung", "rung": "Silver"})
    assert (
        "Silver+cannot+be+granted+before+Bronze" in refused.headers["location"]
        or "Silver%20cannot" in refused.headers["location"]
    )
    granted = await _form(client, path, world.staff, {"_action": f"{path}/rung", "rung": "Bronze"})
    assert "error" not in granted.headers["location"]
    mine = await client.get("/my/programs", headers=fellow.headers)
    assert "Bronze" in mine.text


async def test_rung_shows_on_the_account_page(client) -> None:
    world = await make_world(client, kind="fellows", sessions=[])
    fellow = world.residents[0]
    granted = await world.api(
        "POST", f"/api/v1/programs/{world.program_id}/fellows/{fellow.id}/rungs", json={"rung": "Bronze"}
    )
    assert granted.status_code in (200, 201), granted.text
    page = await client.get("/account", headers=fellow.headers)
    assert 'class="profile-line">Bronze<' in page.text
