"""Importing Zoom's webinar attendee report: matching, the unmatched queue, re-imports that change nothing."""

from __future__ import annotations

from programs.tables import AttendanceChange, AttendanceRecord, UnmatchedAttendee, WebinarImport
from tests.builders.cohorts import make_session
from tests.builders.zoom import REPORT, START, attendance_sheet, upload_report, zoom_world


# BOM, a summary block, host, panelist and attendee sections. Grace reconnects (two rows,
# two date formats, her email in another case); Wei is matched by exact name although he
# joined with a personal address; a phone caller and a guest match nobody.
async def _snapshot() -> list[dict]:
    return await AttendanceRecord.select().order_by(AttendanceRecord.id)


async def test_report_imports_matches_and_queues_the_rest(client) -> None:
    world, session_id, grace, _wei, rosa = await zoom_world(client)
    response = await upload_report(world, session_id, REPORT.encode())
    assert response.status_code == 201, response.text
    assert response.json() | {"import_id": 0} == {
        "import_id": 0,
        "unchanged_file": False,
        "people_in_file": 5,
        "matched": 2,
        "unmatched": 2,
        "records_changed": 2,
        "time_zone": "America/New_York",
    }
    sheet = await attendance_sheet(world, session_id)
    assert sheet["Grace Hopper"] | {"set_at": None, "intervals": None} == {
        "session_id": session_id,
        "person_id": grace.id,
        "name": "Grace Hopper",
        "status": "Present",
        "source": "webinar_import",
        "minutes": "52.3",
        "credits": "0.75",
        "remarks": "",
        "overridden": False,
        "set_by": world.staff.id,
        "set_at": None,
        "intervals": None,
    }
    assert len(sheet["Grace Hopper"]["intervals"]) == 2, "reconnect rows are one person with two intervals"
    # Joined 30 minutes in: Late; 30 minutes inside the window; a PA earns no CME credit.
    assert (sheet["Wei Ng"]["status"], sheet["Wei Ng"]["minutes"], sheet["Wei Ng"]["credits"]) == (
        "Late",
        "30",
        "0.00",
    )
    assert (sheet["Rosa Resident"]["status"], sheet["Rosa Resident"]["source"]) == ("Absent", "")
    queue = (await world.api("GET", f"/api/v1/cohorts/{world.cohort_id}/unmatched")).json()
    assert [(q["name"], q["email"], q["minutes"]) for q in queue] == [
        ("Phone Caller", "", "45"),
        ("Guest Visitor", "guest@elsewhere.example", "20"),
    ]
    assert rosa.id not in {r["person"] for r in await _snapshot()}


async def test_importing_the_same_report_again_changes_nothing(client) -> None:
    world, session_id, *_ = await zoom_world(client)
    assert (await upload_report(world, session_id, REPORT.encode())).status_code == 201
    before, audit = await _snapshot(), await AttendanceChange.count()
    queued = await UnmatchedAttendee.count()

    same = await upload_report(world, session_id, REPORT.encode())
    assert same.status_code == 201
    assert same.json()["unchanged_file"] is True and same.json()["records_changed"] == 0
    # The same data exported again (Windows line endings, no BOM): a new file, still no change.
    again = await upload_report(world, session_id, REPORT.replace("\n", "\r\n").lstrip("\ufeff").encode())
    assert again.status_code == 201
    assert again.json()["unchanged_file"] is False and again.json()["records_changed"] == 0
    assert await _snapshot() == before
    assert await AttendanceChange.count() == audit
    assert await UnmatchedAttendee.count() == queued
    assert await WebinarImport.count() == 2


async def test_a_manual_override_survives_re_imports(client) -> None:
    world, session_id, _grace, wei, _ = await zoom_world(client)
    await upload_report(world, session_id, REPORT.encode())
    await world.mark(session_id, wei, "Excused", remarks="On call in the ED")
    changed = REPORT.replace('"Mar 5, 2026 10:30:00"', '"Mar 5, 2026 10:31:00"').encode()
    assert (await upload_report(world, session_id, changed)).json()["records_changed"] == 1
    row = (await attendance_sheet(world, session_id))["Wei Ng"]
    assert (row["status"], row["source"], row["overridden"], row["remarks"]) == (
        "Excused",
        "manual",
        True,
        "On call in the ED",
    )
    assert row["set_by"] == world.staff.id
    audit = await AttendanceChange.select(
        AttendanceChange.from_status, AttendanceChange.to_status, AttendanceChange.source
    )
    assert {"from_status": "Late", "to_status": "Excused", "source": "manual"} in audit


async def test_staff_resolve_and_dismiss_the_unmatched_queue(client) -> None:
    world, session_id, _, _, rosa = await zoom_world(client)
    await upload_report(world, session_id, REPORT.encode())
    caller, guest = (await world.api("GET", f"/api/v1/cohorts/{world.cohort_id}/unmatched")).json()
    base = f"/api/v1/cohorts/{world.cohort_id}/unmatched"
    resolved = await world.api("POST", f"{base}/{caller['id']}/resolve", json={"person_id": rosa.id})
    assert resolved.status_code == 200 and resolved.json()["status"] == "resolved"
    assert (await world.api("POST", f"{base}/{guest['id']}/dismiss")).status_code == 200
    assert (await world.api("GET", base)).json() == []
    row = (await attendance_sheet(world, session_id))["Rosa Resident"]
    assert (row["status"], row["minutes"], row["credits"]) == ("Present", "45", "0.75")
    # The next export still knows who the caller is and leaves the guest out.
    await upload_report(world, session_id, REPORT.replace("\n", "\r\n").encode())
    assert (await attendance_sheet(world, session_id))["Rosa Resident"]["minutes"] == "45"
    assert (await world.api("GET", base)).json() == []
    twice = await world.api("POST", f"{base}/{caller['id']}/resolve", json={"person_id": rosa.id})
    assert twice.status_code == 404 and twice.json()["code"] == "import.unmatched_not_found"


async def test_bad_uploads_are_refused_with_a_reason(client) -> None:
    world, session_id, *_ = await zoom_world(client)
    not_zoom = await upload_report(world, session_id, b"name,email\nGrace,grace@example.org\n")
    assert not_zoom.status_code == 422 and not_zoom.json()["code"] == "import.report_invalid"
    assert "Attendee Details" in not_zoom.json()["message"]
    broken = REPORT.replace("03/05/2026 10:02:11 AM", "yesterday-ish").encode()
    bad_date = await upload_report(world, session_id, broken)
    assert bad_date.status_code == 422 and bad_date.json()["details"]["line"] == 16
    zone = await upload_report(world, session_id, REPORT.encode(), zone="Mars/Olympus")
    assert zone.status_code == 400 and zone.json()["code"] == "cohort.time_zone_unknown"
    missing = await world.api(
        "POST",
        f"/api/v1/cohorts/{world.cohort_id}/sessions/{session_id}/imports",
        data={"time_zone": "UTC"},
        files={"other": ("x.txt", b"x", "text/plain")},
    )
    assert missing.status_code == 400 and missing.json()["code"] == "upload.file_missing"
    outside = await make_session(world.program_id, "Not in the curriculum", START)
    assert (await upload_report(world, outside, REPORT.encode())).status_code == 404
    assert await WebinarImport.count() == 0 and await AttendanceRecord.count() == 0
