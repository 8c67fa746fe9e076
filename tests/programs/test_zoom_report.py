"""Zoom's webinar attendee report: stacked sections, a byte-order mark, mixed date formats."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from fractions import Fraction
from zoneinfo import ZoneInfo

import pytest

from programs.rules.attendance import cme_credits, minutes_attended
from programs.rules.zoom_report import (
    AttendeeRow,
    ReportSection,
    ZoomReportError,
    group_by_person,
    parse_zoom_report,
    parse_zoom_time,
)

NEW_YORK = ZoneInfo("America/New_York")

# As Zoom exports it: BOM, summary block, host, panelists, attendees; the attendee section
# mixes "Mar 5, 2026 10:02:11", "03/05/2026 10:02:11 AM" and ISO dates. Grace reconnects,
# the dial-in caller has no email, Alan registered but never joined.
REPORT = (
    "\ufeffAttendee Report\n"
    'Report Generated:,"Mar 5, 2026 11:20 AM"\n'
    "Topic,Webinar ID,Actual Start Time,Actual Duration (minutes),# Registered,# Cancelled,"
    "Unique Viewers,Total Users,Max Concurrent Views\n"
    'Grand Rounds: Social Media for Clinicians,812 3456 7890,"Mar 5, 2026 09:58:02",63,5,0,4,6,4\n'
    "\n"
    "Host Details,\n"
    "Attended,User Name (Original Name),Email,Join Time,Leave Time,Time in Session (minutes),"
    "Country/Region Name\n"
    'Yes,Center Host,host@example.org,"Mar 5, 2026 09:58:02","Mar 5, 2026 11:01:15",64,United States\n'
    "\n"
    "Panelist Details,\n"
    "Attended,User Name (Original Name),Email,Join Time,Leave Time,Time in Session (minutes),"
    "Country/Region Name\n"
    'Yes,Dr. Ada Speaker,Ada.Speaker@Example.org,"Mar 5, 2026 09:59:40","Mar 5, 2026 11:00:05",61,'
    "United States\n"
    "\n"
    "Attendee Details,\n"
    "Attended,User Name (Original Name),First Name,Last Name,Email,Registration Time,Approval Status,"
    "Join Time,Leave Time,Time in Session (minutes),Is Guest,Country/Region Name\n"
    "Yes,Grace Hopper,Grace,Hopper, Grace.Hopper@Example.ORG ,03/01/2026 08:00:00 AM,approved,"
    "03/05/2026 10:02:11 AM,03/05/2026 10:40:00 AM,38,No,United States\n"
    'Yes,"Dr. Wei Ng (Wei Ng)",Wei,Ng,wei.ng@example.org,03/02/2026 09:00:00 AM,approved,'
    "2026-03-05 10:00:30,2026-03-05 11:00:00,60,No,Canada\n"
    "Yes,Grace Hopper,Grace,Hopper,grace.hopper@example.org,03/01/2026 08:00:00 AM,approved,"
    "03/05/2026 10:45:30 AM,03/05/2026 11:00:00 AM,15,No,United States\n"
    'Yes,Phone Caller,,,,,,"Mar 5, 2026 10:05:00","Mar 5, 2026 10:30:00",25,Yes,\n'
    "No,Alan Turing,Alan,Turing,alan@example.org,03/02/2026 01:15:00 PM,approved,--,--,--,No,"
    "United Kingdom\n"
    "\n"
)

SESSION_START = datetime(2026, 3, 5, 10, 0, tzinfo=NEW_YORK)
SESSION_END = datetime(2026, 3, 5, 11, 0, tzinfo=NEW_YORK)


def ny(hour: int, minute: int, second: int = 0) -> datetime:
    return datetime(2026, 3, 5, hour, minute, second, tzinfo=NEW_YORK)


@pytest.fixture(params=["str", "bytes", "crlf-bytes"])
def report(request: pytest.FixtureRequest) -> bytes | str:
    if request.param == "str":
        return REPORT
    text = REPORT.replace("\n", "\r\n") if request.param == "crlf-bytes" else REPORT
    return text.encode("utf-8")


def test_reads_attendee_and_panelist_rows_but_not_the_host(report: bytes | str) -> None:
    rows = parse_zoom_report(report, NEW_YORK)
    assert [(r.name, r.email, r.section) for r in rows] == [
        ("Dr. Ada Speaker", "ada.speaker@example.org", ReportSection.PANELIST),
        ("Grace Hopper", "grace.hopper@example.org", ReportSection.ATTENDEE),
        ("Dr. Wei Ng (Wei Ng)", "wei.ng@example.org", ReportSection.ATTENDEE),
        ("Grace Hopper", "grace.hopper@example.org", ReportSection.ATTENDEE),
        ("Phone Caller", "", ReportSection.ATTENDEE),
    ]
    assert [r.is_panelist for r in rows] == [True, False, False, False, False]
    assert all(r.name != "Alan Turing" for r in rows)


def test_every_date_format_becomes_an_aware_time_in_the_report_zone(report: bytes | str) -> None:
    ada, grace, wei, grace_again, caller = parse_zoom_report(report, NEW_YORK)
    assert (ada.join, ada.leave) == (ny(9, 59, 40), ny(11, 0, 5))
    assert (grace.join, grace.leave) == (ny(10, 2, 11), ny(10, 40))
    assert (wei.join, wei.leave) == (ny(10, 0, 30), ny(11, 0))
    assert (grace_again.join, grace_again.leave) == (ny(10, 45, 30), ny(11, 0))
    assert (caller.join, caller.leave) == (ny(10, 5), ny(10, 30))
    assert grace.join.utcoffset() == timedelta(hours=-5)
    assert [r.minutes_in_session for r in (ada, grace, wei, grace_again, caller)] == [61, 38, 60, 15, 25]


def test_rows_remember_their_line_for_staff(report: bytes | str) -> None:
    assert [r.line for r in parse_zoom_report(report, NEW_YORK)] == [12, 16, 17, 18, 19]


def test_reconnect_rows_stay_separate_until_grouped(report: bytes | str) -> None:
    people = group_by_person(parse_zoom_report(report, NEW_YORK))
    assert [(p.email, p.name, len(p.rows), p.is_panelist) for p in people] == [
        ("ada.speaker@example.org", "Dr. Ada Speaker", 1, True),
        ("grace.hopper@example.org", "Grace Hopper", 2, False),
        ("wei.ng@example.org", "Dr. Wei Ng (Wei Ng)", 1, False),
        ("", "Phone Caller", 1, False),
    ]
    grace = people[1]
    assert grace.intervals == ((ny(10, 2, 11), ny(10, 40)), (ny(10, 45, 30), ny(11, 0)))


def test_grouped_reconnects_sum_to_minutes_and_credit(report: bytes | str) -> None:
    grace = group_by_person(parse_zoom_report(report, NEW_YORK))[1]
    minutes = minutes_attended(grace.intervals, SESSION_START, SESSION_END)
    assert minutes == Fraction(52) + Fraction(19, 60)
    assert cme_credits(minutes, Decimal("1.0")) == Decimal("0.75")


def test_grouping_is_case_insensitive_on_email_and_exact_on_name() -> None:
    def row(name: str, email: str) -> AttendeeRow:
        return AttendeeRow(name=name, email=email, join=ny(10, 0), leave=ny(10, 5))

    people = group_by_person(
        [
            row("Pat Lee", "PAT@example.org"),
            row("Patricia Lee", "pat@example.org "),
            row("Sam Roe", ""),
            row("sam roe", ""),
            row("Sam Roe", ""),
        ]
    )
    assert [(p.email, p.name, len(p.rows)) for p in people] == [
        ("pat@example.org", "Pat Lee", 2),
        ("", "Sam Roe", 2),
        ("", "sam roe", 1),
    ]


@pytest.mark.parametrize(
    "text",
    [
        "Mar 5, 2026 10:02:11",
        "Mar 5, 2026 10:02:11 AM",
        "March 5, 2026 10:02:11",
        "03/05/2026 10:02:11 AM",
        "03/05/2026 10:02:11",
        "2026-03-05 10:02:11",
        "2026-03-05T10:02:11",
        "2026-03-05T15:02:11+00:00",
    ],
)
def test_parse_zoom_time_formats(text: str) -> None:
    parsed = parse_zoom_time(text, NEW_YORK)
    assert parsed == ny(10, 2, 11)
    assert parsed.tzinfo is not None


def test_parse_zoom_time_afternoon_and_no_seconds() -> None:
    assert parse_zoom_time("03/05/2026 01:15 PM", NEW_YORK) == ny(13, 15)
    assert parse_zoom_time("Mar 5, 2026 01:15 PM", NEW_YORK) == ny(13, 15)


def test_missing_attendee_section_is_explained() -> None:
    only_host = REPORT.split("Panelist Details")[0]
    with pytest.raises(ZoomReportError, match="without a section titled 'Attendee Details'") as caught:
        parse_zoom_report(only_host, NEW_YORK)
    assert caught.value.line == 9
    assert isinstance(caught.value, ValueError)


def test_unparseable_date_names_the_person_and_line() -> None:
    broken = REPORT.replace("03/05/2026 10:45:30 AM", "05.03.2026 10:45")
    with pytest.raises(
        ZoomReportError, match=r"^line 18: cannot read the join time of Grace Hopper"
    ) as caught:
        parse_zoom_report(broken, NEW_YORK)
    assert caught.value.line == 18
    assert "05.03.2026 10:45" in str(caught.value)


@pytest.mark.parametrize(
    ("old", "new", "line", "message"),
    [
        pytest.param(
            "03/05/2026 10:40:00 AM",
            "03/05/2026 09:40:00 AM",
            16,
            "leaves .* before joining",
            id="leave<join",
        ),
        pytest.param(
            "Join Time,Leave Time,Time in Session (minutes),Is",
            "Time,Leave Time,Mins,Is",
            15,
            "no column Join Time",
            id="no join column",
        ),
        pytest.param(",38,No", ",about 38,No", 16, "whole number", id="bad minutes"),
        pytest.param("Yes,Phone Caller,", "Yes,,", 19, "neither a name nor an email", id="anonymous"),
        pytest.param(
            '"Mar 5, 2026 10:30:00",25', "--,25", 19, "leave time of Phone Caller is missing", id="no leave"
        ),
    ],
)
def test_other_malformed_rows(old: str, new: str, line: int, message: str) -> None:
    assert old in REPORT
    with pytest.raises(ZoomReportError, match=message) as caught:
        parse_zoom_report(REPORT.replace(old, new, 1), NEW_YORK)
    assert caught.value.line == line


def test_non_utf8_bytes_are_rejected_with_a_line() -> None:
    data = REPORT.encode("utf-8").replace(b"Phone Caller", b"Ren\xe9 Caller")
    with pytest.raises(ZoomReportError, match="not UTF-8") as caught:
        parse_zoom_report(data, NEW_YORK)
    assert caught.value.line == 19


def test_reimporting_the_same_file_reads_the_same_rows() -> None:
    assert parse_zoom_report(REPORT, NEW_YORK) == parse_zoom_report(REPORT.encode(), NEW_YORK)
