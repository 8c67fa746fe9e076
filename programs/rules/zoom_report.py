"""Reading Zoom's webinar attendee report, the file staff most often bring to record attendance.

The export is not one table but stacked sections (report summary, host, panelists,
attendees), may begin with a byte-order mark, and writes dates in whichever format the
account's locale settings chose. Parsing is strict about what matters (who, when) and
reports problems by line number so staff can fix the file, not guess.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo
from enum import StrEnum

__all__ = [
    "AttendeeRow",
    "PersonAttendance",
    "ReportSection",
    "ZoomReportError",
    "group_by_person",
    "parse_zoom_report",
    "parse_zoom_time",
]


class ZoomReportError(ValueError):
    """A report that cannot be trusted, with the line a person should look at."""

    def __init__(self, message: str, line: int | None = None) -> None:
        self.line = line
        self.reason = message
        super().__init__(f"line {line}: {message}" if line is not None else message)


class ReportSection(StrEnum):
    """Sections whose people attended the webinar; the host is left out as they run it."""

    ATTENDEE = "Attendee Details"
    PANELIST = "Panelist Details"
    # People Zoom lists apart from registered attendees (e.g. joined by a link meant for
    # someone else); matched and queued like attendees, never dropped.
    OTHER_ATTENDED = "Other Attended"


@dataclass(frozen=True)
class AttendeeRow:
    """One connection as Zoom reports it; a person who reconnected appears on several rows."""

    name: str
    email: str
    join: datetime
    leave: datetime
    section: ReportSection = ReportSection.ATTENDEE
    minutes_in_session: int | None = None
    line: int | None = None

    @property
    def is_panelist(self) -> bool:
        """Panelists are speakers: staff decide whether their time earns attendance."""
        return self.section is ReportSection.PANELIST


@dataclass(frozen=True)
class PersonAttendance:
    """All connections of one person, ready for ``minutes_attended``."""

    email: str
    name: str
    rows: tuple[AttendeeRow, ...]

    @property
    def intervals(self) -> tuple[tuple[datetime, datetime], ...]:
        return tuple((row.join, row.leave) for row in self.rows)

    @property
    def is_panelist(self) -> bool:
        return any(row.is_panelist for row in self.rows)


_NAME_COLUMNS = ("user name (original name)", "user name", "name (original name)", "name")
_EMAIL_COLUMNS = ("email", "user email", "email address")
_JOIN_COLUMNS = ("join time",)
_LEAVE_COLUMNS = ("leave time",)
_MINUTES_COLUMNS = ("time in session (minutes)", "duration (minutes)")
_ATTENDED_COLUMNS = ("attended",)
_NOT_JOINED = frozenset({"", "--", "-"})

_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}
# "Mar 5, 2026 10:02:11", "Mar 5, 2026 10:02 AM": month names parsed by hand so the
# result never depends on the server's locale, as strptime's %b would.
_MONTH_NAME_DATE = re.compile(
    r"^(?P<month>[A-Za-z]+)\.?\s+(?P<day>\d{1,2}),?\s+(?P<year>\d{4})\s+(?P<time>.+)$"
)
_NUMERIC_FORMATS = (
    "%m/%d/%Y %I:%M:%S %p",
    "%m/%d/%Y %I:%M %p",
    "%m/%d/%Y %H:%M:%S",
    "%m/%d/%Y %H:%M",
)
_TIME_FORMATS = ("%I:%M:%S %p", "%I:%M %p", "%H:%M:%S", "%H:%M")


def parse_zoom_time(text: str, zone: tzinfo) -> datetime:
    """An aware datetime from any date format Zoom exports; naive times are read in ``zone``.

    Raises plain ``ValueError``; the parser adds the line number.
    """
    value = " ".join(text.split())
    match = _MONTH_NAME_DATE.match(value)
    if match is not None:
        month = _MONTHS.get(match["month"].lower())
        if month is None:
            raise ValueError(f"unknown month {match['month']!r} in {text!r}")
        for time_format in _TIME_FORMATS:
            try:
                clock = datetime.strptime(match["time"], time_format)
            except ValueError:
                continue
            naive = clock.replace(year=int(match["year"]), month=month, day=int(match["day"]))
            return naive.replace(tzinfo=zone)
        raise ValueError(f"unrecognised time of day in {text!r}")
    for date_format in _NUMERIC_FORMATS:
        try:
            return datetime.strptime(value, date_format).replace(tzinfo=zone)
        except ValueError:
            continue
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(
            f"unrecognised date {text!r}; expected e.g. 'Mar 5, 2026 10:02:11', "
            "'03/05/2026 10:02:11 AM' or '2026-03-05 10:02:11'"
        ) from None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=zone)


def _decode(data: bytes | str) -> str:
    if isinstance(data, bytes):
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n") + 1
            raise ZoomReportError(
                "the file is not UTF-8 text; export the report from Zoom again as CSV", line
            ) from None
    return data.removeprefix("\ufeff")


def _normalise_header(cell: str) -> str:
    return " ".join(cell.replace("\ufeff", "").split()).lower()


def _section_title(cells: Sequence[str]) -> str | None:
    filled = [c.strip() for c in cells if c.strip()]
    if len(filled) == 1 and cells[0].strip():
        return filled[0].rstrip(":").strip()
    return None


def _column(header: Sequence[str], names: Iterable[str]) -> int | None:
    for name in names:
        if name in header:
            return header.index(name)
    return None


@dataclass
class _Section:
    kind: ReportSection
    header: list[str] | None = None


def _row_from(
    cells: Sequence[str], header: list[str], kind: ReportSection, zone: tzinfo, line: int
) -> AttendeeRow | None:
    def cell(names: Iterable[str]) -> str:
        index = _column(header, names)
        return cells[index].strip() if index is not None and index < len(cells) else ""

    if cell(_ATTENDED_COLUMNS).lower() == "no":
        return None  # registered but never joined: not an attendance row
    join_text, leave_text = cell(_JOIN_COLUMNS), cell(_LEAVE_COLUMNS)
    if join_text in _NOT_JOINED and leave_text in _NOT_JOINED:
        return None
    name, email = cell(_NAME_COLUMNS), cell(_EMAIL_COLUMNS).lower()
    if not name and not email:
        raise ZoomReportError("this row has neither a name nor an email, so nobody can be credited", line)
    moments: list[datetime] = []
    for label, text in (("join time", join_text), ("leave time", leave_text)):
        if text in _NOT_JOINED:
            raise ZoomReportError(f"the {label} of {name or email} is missing", line)
        try:
            moments.append(parse_zoom_time(text, zone))
        except ValueError as exc:
            raise ZoomReportError(f"cannot read the {label} of {name or email}: {exc}", line) from None
    join, leave = moments
    if leave < join:
        raise ZoomReportError(f"{name or email} leaves ({leave_text}) before joining ({join_text})", line)
    minutes_text = cell(_MINUTES_COLUMNS)
    minutes: int | None = None
    if minutes_text not in _NOT_JOINED:
        try:
            minutes = int(minutes_text)
        except ValueError:
            raise ZoomReportError(
                f"'Time in Session (minutes)' should be a whole number, not {minutes_text!r}", line
            ) from None
    return AttendeeRow(
        name=name, email=email, join=join, leave=leave, section=kind, minutes_in_session=minutes, line=line
    )


def parse_zoom_report(data: bytes | str, zone: tzinfo) -> list[AttendeeRow]:
    """Attendee and panelist connections, in file order, with times made aware in ``zone``.

    ``zone`` is the time zone the report was exported in (Zoom writes naive local times).
    Reconnections stay separate rows here; ``group_by_person`` puts them together.
    """
    reader = csv.reader(io.StringIO(_decode(data), newline=""))
    rows: list[AttendeeRow] = []
    found_attendee_section = False
    section: _Section | None = None
    in_block = False
    try:
        for cells in reader:
            line = reader.line_num
            if not any(c.strip() for c in cells):
                section, in_block = None, False
                continue
            title = _section_title(cells)
            kind = next((k for k in ReportSection if title and k.value.lower() == title.lower()), None)
            if title is not None and (not in_block or kind is not None or title.lower().endswith("details")):
                in_block = True
                section = _Section(kind) if kind is not None else None
                found_attendee_section |= kind is ReportSection.ATTENDEE
                continue
            in_block = True
            if section is None:
                continue
            if section.header is None:
                section.header = [_normalise_header(c) for c in cells]
                missing = [
                    names[0].title()
                    for names in (_NAME_COLUMNS, _JOIN_COLUMNS, _LEAVE_COLUMNS)
                    if _column(section.header, names) is None
                ]
                if missing:
                    raise ZoomReportError(
                        f"the '{section.kind.value}' section has no column {', '.join(missing)}", line
                    )
                continue
            row = _row_from(cells, section.header, section.kind, zone, line)
            if row is not None:
                rows.append(row)
    except csv.Error as exc:
        raise ZoomReportError(f"the file is not valid CSV ({exc})", reader.line_num) from None
    if not found_attendee_section:
        raise ZoomReportError(
            "reached the end of the file without a section titled 'Attendee Details'; "
            "is this Zoom's webinar attendee report?",
            reader.line_num,
        )
    return rows


def group_by_person(rows: Iterable[AttendeeRow]) -> list[PersonAttendance]:
    """One entry per person, so reconnections add minutes instead of adding people.

    People are told apart by email, case-insensitively; rows without an email fall back to
    the exact name, as the matching rule for imports does. Order is first appearance.
    """
    grouped: dict[tuple[str, str], list[AttendeeRow]] = {}
    for row in rows:
        email = row.email.strip().lower()
        key = ("email", email) if email else ("name", row.name)
        grouped.setdefault(key, []).append(row)
    people: list[PersonAttendance] = []
    for person_rows in grouped.values():
        email = person_rows[0].email.strip().lower()
        name = next((r.name for r in person_rows if r.name), "")
        people.append(PersonAttendance(email=email, name=name, rows=tuple(person_rows)))
    return people
