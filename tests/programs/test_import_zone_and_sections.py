"""Attendance imports that never guess: the session's zone by default, a refusal when nobody
overlaps the session, Zoom's "Other Attended" section kept, and Absent said by the API too."""

from __future__ import annotations

from programs.tables import AttendanceRecord, WebinarImport
from tests.builders.zoom import REPORT, attendance_sheet, upload_report, zoom_world

OTHER_ATTENDED = (
    "Other Attended,\n"
    "User Name (Original Name),Email,Join Time,Leave Time,Time in Session (minutes)\n"
    'Rosa R.,rosa@hospital.example,"Mar 5, 2026 10:01:00","Mar 5, 2026 10:59:00",58\n'
    'Walk In,walk.in@elsewhere.example,"Mar 5, 2026 10:10:00","Mar 5, 2026 10:40:00",30\n'
)


async def _upload_without_zone(world, session_id: int, data: bytes):  # type: ignore[no-untyped-def]
    return await world.api(
        "POST",
        f"/api/v1/cohorts/{world.cohort_id}/sessions/{session_id}/imports",
        files={"file": ("zoom.csv", data, "text/csv")},
    )


async def test_without_a_zone_the_report_is_read_in_the_sessions_zone(client) -> None:
    world, session_id, *_ = await zoom_world(client)
    response = await _upload_without_zone(world, session_id, REPORT.encode())
    assert response.status_code == 201, response.text
    assert response.json()["time_zone"] == "America/New_York"
    sheet = await attendance_sheet(world, session_id)
    assert (sheet["Grace Hopper"]["status"], sheet["Grace Hopper"]["minutes"]) == ("Present", "52.3")
    assert sheet["Grace Hopper"]["credits"] == "0.75"


async def test_a_report_nobody_overlaps_in_the_given_zone_is_refused_and_stores_nothing(client) -> None:
    world, session_id, *_ = await zoom_world(client)
    response = await upload_report(world, session_id, REPORT.encode(), zone="UTC")
    assert response.status_code == 422, response.text
    assert response.json()["code"] == "import.outside_session"
    assert response.json()["details"]["time_zone"] == "UTC"
    assert await AttendanceRecord.count() == 0 and await WebinarImport.count() == 0


async def test_other_attended_rows_are_matched_or_queued_never_dropped(client) -> None:
    world, session_id, _grace, _wei, rosa = await zoom_world(client)
    response = await upload_report(world, session_id, (REPORT + OTHER_ATTENDED).encode())
    assert response.status_code == 201, response.text
    assert response.json()["people_in_file"] == 7
    sheet = await attendance_sheet(world, session_id)
    assert (sheet["Rosa Resident"]["status"], sheet["Rosa Resident"]["minutes"]) == ("Present", "58")
    assert rosa.id in {r["person"] for r in await AttendanceRecord.select(AttendanceRecord.person)}
    queue = (await world.api("GET", f"/api/v1/cohorts/{world.cohort_id}/unmatched")).json()
    assert "walk.in@elsewhere.example" in {q["email"] for q in queue}


async def test_the_api_says_absent_for_someone_without_a_record_as_the_page_does(client) -> None:
    world, session_id, *_ = await zoom_world(client)
    sheet = await attendance_sheet(world, session_id)
    assert {row["status"] for row in sheet.values()} == {"Absent"}
    page = await client.get(
        f"/programs/cohorts/{world.cohort_id}/sessions/{session_id}", headers=world.staff.headers
    )
    assert page.status_code == 200 and page.text.count('<td class="status">Absent') == len(sheet)
