"""Attendance records: check-ins by the time rule, undone check-ins, programs' own statuses, the audit."""

from __future__ import annotations

from datetime import timedelta

from events.tables import CheckIn
from programs.tables import AttendanceChange, AttendanceRecord
from tests.builders.cohorts import check_in, hours_ago, make_world


async def test_check_in_evidence_follows_check_ins_but_not_over_a_staff_decision(client) -> None:
    start = hours_ago(4)
    world = await make_world(client, sessions=[("Crisis communication", start, True)], residents=2)
    me, other = world.residents
    session_id = world.sessions[0]
    sheet_url = f"/api/v1/cohorts/{world.cohort_id}/sessions/{session_id}/attendance"
    await check_in(session_id, me.id, start + timedelta(minutes=3))
    await check_in(session_id, other.id, start + timedelta(minutes=20))
    rows = {r["person_id"]: r for r in (await world.api("GET", sheet_url)).json()}
    assert (rows[me.id]["status"], rows[me.id]["minutes"]) == ("Present", "57")
    assert rows[other.id]["status"] == "Late"
    await world.mark(session_id, other, "Present", remarks="Badge reader was down")
    # The check-in is undone at the desk: the automatic record loses it, the staff decision stays.
    await CheckIn.delete().where(CheckIn.person.is_in([me.id, other.id]))
    synced = await world.api(
        "POST", f"/api/v1/cohorts/{world.cohort_id}/sessions/{session_id}/check-ins/sync"
    )
    assert synced.json() == {"records_changed": 2}
    rows = {r["person_id"]: r for r in (await world.api("GET", sheet_url)).json()}
    assert (rows[me.id]["status"], rows[me.id]["minutes"], rows[me.id]["intervals"]) == ("Absent", "0", [])
    assert (rows[other.id]["status"], rows[other.id]["remarks"]) == ("Present", "Badge reader was down")
    again = await world.api("POST", f"/api/v1/cohorts/{world.cohort_id}/sessions/{session_id}/check-ins/sync")
    assert again.json() == {"records_changed": 0}
    trail = await AttendanceChange.select(AttendanceChange.to_status, AttendanceChange.source).where(
        AttendanceChange.record
        == (
            await AttendanceRecord.select(AttendanceRecord.id).where(AttendanceRecord.person == me.id).first()
        )["id"]
    )
    assert trail == [
        {"to_status": "Present", "source": "check_in"},
        {"to_status": "Absent", "source": "check_in"},
    ]


async def test_programs_may_define_their_own_statuses(client) -> None:
    world = await make_world(client, sessions=[("One", hours_ago(30), False), ("Two", hours_ago(20), False)])
    url = f"/api/v1/programs/{world.program_id}/rules"
    statuses = [
        {"name": "Attended", "points": 4},
        {"name": "Partly", "points": 2},
        {"name": "Excused", "points": 0, "excused": True},
        {"name": "Missed", "points": 0},
    ]
    saved = await world.api("PUT", url, json={"statuses": statuses, "present_within_minutes": 5})
    assert saved.status_code == 200, saved.text
    assert saved.json()["statuses"][1] == {"name": "Partly", "points": 2, "excused": False}
    me = world.residents[0]
    await world.mark(world.sessions[0], me, "Attended")
    await world.mark(world.sessions[1], me, "Partly")
    assert (await world.progress(me))["attendance_percent"] == "75%"
    refused = await world.api(
        "PUT",
        f"/api/v1/cohorts/{world.cohort_id}/sessions/{world.sessions[0]}/attendance/{me.id}",
        json={"status": "Present"},
    )
    assert refused.status_code == 400 and refused.json()["code"] == "attendance.status_unknown"
    for bad in (
        [{"name": "Only", "points": 2}],
        [{"name": "A", "points": 1}, {"name": "A", "points": 0}],
    ):
        response = await world.api("PUT", url, json={"statuses": bad})
        assert response.status_code == 400 and response.json()["code"] == "program.statuses_invalid", bad
    limits = await world.api("PUT", url, json={"present_within_minutes": 30, "late_within_minutes": 20})
    assert limits.status_code == 400 and limits.json()["code"] == "cohort.policy_invalid"


async def test_marking_needs_a_member_and_a_curriculum_session(client) -> None:
    world = await make_world(client)
    me = world.residents[0]
    stranger_world = await make_world(client, residents=1)
    base = f"/api/v1/cohorts/{world.cohort_id}/sessions"
    not_member = await world.api(
        "PUT",
        f"{base}/{world.sessions[0]}/attendance/{stranger_world.residents[0].id}",
        json={"status": "Present"},
    )
    assert not_member.status_code == 404 and not_member.json()["code"] == "enrollment.not_enrolled"
    other_session = await world.api(
        "PUT", f"{base}/{stranger_world.sessions[0]}/attendance/{me.id}", json={"status": "Present"}
    )
    assert other_session.status_code == 404 and other_session.json()["code"] == "cohort.session_not_in_cohort"
    too_long = await world.api(
        "PUT", f"{base}/{world.sessions[0]}/attendance/{me.id}", json={"status": "x" * 41}
    )
    assert too_long.status_code == 400 and too_long.json()["code"] == "request.invalid"
    assert await AttendanceRecord.count() == 0


async def test_sessions_of_another_program_cannot_join_the_curriculum(client) -> None:
    world = await make_world(client, residents=0)
    elsewhere = await make_world(client, residents=0)
    refused = await world.api(
        "POST", f"/api/v1/cohorts/{world.cohort_id}/sessions", json={"session_id": elsewhere.sessions[0]}
    )
    assert refused.status_code == 400 and refused.json()["code"] == "cohort.session_not_in_program"
    missing = await world.api(
        "POST", f"/api/v1/cohorts/{world.cohort_id}/sessions", json={"session_id": 999999}
    )
    assert missing.status_code == 404 and missing.json()["code"] == "session.not_found"
    removed = await world.api("DELETE", f"/api/v1/cohorts/{world.cohort_id}/sessions/{world.sessions[0]}")
    assert [s["session_id"] for s in removed.json()["sessions"]] == world.sessions[1:]


async def test_testing_the_link_before_the_start_does_not_make_a_late_joiner_present(client) -> None:
    from tests.builders.zoom import zoom_report

    start = hours_ago(6)
    world = await make_world(client, sessions=[("Webinar", start, False)])
    me = world.residents[0]
    rows = [
        (me.email, "Resident", start - timedelta(minutes=10), start - timedelta(minutes=5)),
        (me.email, "Resident", start + timedelta(minutes=40), start + timedelta(minutes=60)),
    ]
    response = await world.api(
        "POST",
        f"/api/v1/cohorts/{world.cohort_id}/sessions/{world.sessions[0]}/imports",
        files={"file": ("r.csv", zoom_report(rows), "text/csv")},
        data={"time_zone": "America/New_York"},
    )
    assert response.status_code == 201, response.text
    [row] = (
        await world.api("GET", f"/api/v1/cohorts/{world.cohort_id}/sessions/{world.sessions[0]}/attendance")
    ).json()
    assert (row["status"], row["minutes"]) == ("Late", "20")
