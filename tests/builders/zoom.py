"""Zoom webinar attendee reports, in the shape Zoom exports them, and one ready-made report."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from tests.builders.cohorts import make_session, make_world


def zoom_report(
    attendees: list[tuple[str, str, datetime, datetime]],
    zone: str = "America/New_York",
    panelists: list[tuple[str, str, datetime, datetime]] | None = None,
    month_names: bool = False,
) -> bytes:
    """A report with BOM, summary, panelist and attendee sections; (email, name, join, leave) rows."""
    tz = ZoneInfo(zone)

    def fmt(moment: datetime, named: bool) -> str:
        local = moment.astimezone(tz)
        if named:
            return f'"{local.strftime("%b")} {local.day}, {local.year} {local.strftime("%H:%M:%S")}"'
        return local.strftime("%m/%d/%Y %I:%M:%S %p")

    lines = [
        "\ufeffAttendee Report",
        'Report Generated:,"Mar 5, 2026 11:20 AM"',
        "Topic,Webinar ID,Actual Start Time,Actual Duration (minutes),# Registered",
        "Grand Rounds,812 3456 7890,,60,5",
        "",
        "Panelist Details,",
        "Attended,User Name (Original Name),Email,Join Time,Leave Time,Time in Session (minutes)",
    ]
    for email, name, join, leave in panelists or []:
        lines.append(f"Yes,{name},{email},{fmt(join, True)},{fmt(leave, True)},1")
    lines += [
        "",
        "Attendee Details,",
        "Attended,User Name (Original Name),First Name,Last Name,Email,Join Time,Leave Time,"
        "Time in Session (minutes)",
    ]
    for i, (email, name, join, leave) in enumerate(attendees):
        named = month_names or i % 2 == 1  # both date formats in one section
        lines.append(f"Yes,{name},,,{email},{fmt(join, named)},{fmt(leave, named)},1")
    lines.append("")
    return "\n".join(lines).encode("utf-8")


NEW_YORK = ZoneInfo("America/New_York")
START = datetime(2026, 3, 5, 10, 0, tzinfo=NEW_YORK)


REPORT = (
    "\ufeffAttendee Report\n"
    'Report Generated:,"Mar 5, 2026 11:20 AM"\n'
    "Topic,Webinar ID,Actual Start Time,Actual Duration (minutes),# Registered,Unique Viewers\n"
    'Grand Rounds: Crisis communication,812 3456 7890,"Mar 5, 2026 09:58:02",63,5,4\n'
    "\n"
    "Host Details,\n"
    "Attended,User Name (Original Name),Email,Join Time,Leave Time,Time in Session (minutes)\n"
    'Yes,Center Host,host@example.org,"Mar 5, 2026 09:58:02","Mar 5, 2026 11:01:15",64\n'
    "\n"
    "Panelist Details,\n"
    "Attended,User Name (Original Name),Email,Join Time,Leave Time,Time in Session (minutes)\n"
    'Yes,Dr. Ada Speaker,ada.speaker@example.org,"Mar 5, 2026 09:59:40","Mar 5, 2026 11:00:05",61\n'
    "\n"
    "Attendee Details,\n"
    "Attended,User Name (Original Name),First Name,Last Name,Email,Registration Time,Join Time,Leave Time,"
    "Time in Session (minutes),Is Guest\n"
    "Yes,Grace Hopper,Grace,Hopper,Grace.Hopper@Example.ORG,03/01/2026 08:00:00 AM,"
    "03/05/2026 10:02:11 AM,03/05/2026 10:40:00 AM,38,No\n"
    'Yes,Wei Ng,Wei,Ng,wei.personal@mail.example,03/02/2026 09:00:00 AM,"Mar 5, 2026 10:30:00",'
    '"Mar 5, 2026 11:05:00",35,No\n'
    "Yes,Grace Hopper,Grace,Hopper,grace.hopper@example.org,03/01/2026 08:00:00 AM,"
    '"Mar 5, 2026 10:45:30","Mar 5, 2026 11:00:00",15,No\n'
    'Yes,Phone Caller,,,,,"Mar 5, 2026 10:05:00","Mar 5, 2026 10:50:00",45,Yes\n'
    "Yes,Guest Visitor,Guest,Visitor,guest@elsewhere.example,03/02/2026 09:00:00 AM,"
    "03/05/2026 10:00:00 AM,03/05/2026 10:20:00 AM,20,Yes\n"
    "No,Alan Turing,Alan,Turing,alan@example.org,03/02/2026 01:15:00 PM,--,--,--,No\n"
    "\n"
)


async def zoom_world(client):  # type: ignore[no-untyped-def]
    """A cohort with one 60-minute credit session (1.0 CME) and three residents: Grace, Wei (PA), Rosa."""
    world = await make_world(client, sessions=[], residents=0)
    session_id = await make_session(
        world.program_id, "Crisis communication", START, minutes=60, cme_quarters=4
    )
    await world.api("POST", f"/api/v1/cohorts/{world.cohort_id}/sessions", json={"session_id": session_id})
    world.sessions.append(session_id)
    grace = await world.add_resident(email="grace.hopper@example.org", name="Grace Hopper")
    wei = await world.add_resident(email="wei.ng@hospital.example", name="Wei Ng", degree="PA")
    rosa = await world.add_resident(email="rosa@hospital.example", name="Rosa Resident")
    return world, session_id, grace, wei, rosa


async def upload_report(world, session_id: int, data: bytes, zone: str = "America/New_York"):  # type: ignore[no-untyped-def]
    return await world.api(
        "POST",
        f"/api/v1/cohorts/{world.cohort_id}/sessions/{session_id}/imports",
        files={"file": ("zoom.csv", data, "text/csv")},
        data={"time_zone": zone},
    )


async def attendance_sheet(world, session_id: int) -> dict[str, dict]:  # type: ignore[no-untyped-def]
    rows = (
        await world.api("GET", f"/api/v1/cohorts/{world.cohort_id}/sessions/{session_id}/attendance")
    ).json()
    return {r["name"]: r for r in rows}
