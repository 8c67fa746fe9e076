"""Zoom webinar attendee reports, in the shape Zoom exports them, and one ready-made report."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo


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
