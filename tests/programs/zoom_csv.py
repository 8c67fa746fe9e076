"""Writing Zoom webinar attendee reports for tests, in the shape Zoom exports them."""

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
