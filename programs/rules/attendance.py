"""Attendance, time-based status, minutes attended and CME credit: the arithmetic completion relies on.

Everything here is exact (``Fraction``/``Decimal``) because a learner who sits on a
threshold such as 80 % must never fail it through binary float rounding.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction
from types import MappingProxyType
from typing import Literal

__all__ = [
    "DEFAULT_SCHEME",
    "AttendancePercentage",
    "AttendanceStatus",
    "ExcusedPolicy",
    "StatusScheme",
    "attendance_percentage",
    "cme_credits",
    "minutes_attended",
    "status_from_join",
]


class AttendanceStatus(StrEnum):
    """The statuses every program starts with; a ``StatusScheme`` may add its own names."""

    PRESENT = "Present"
    LATE = "Late"
    EXCUSED = "Excused"
    ABSENT = "Absent"


ExcusedPolicy = Literal["leave_denominator", "count_as_present"]
"""How excused sessions weigh: the program chooses, the default keeps them out of the fraction."""

_EXCUSED_POLICIES: frozenset[str] = frozenset({"leave_denominator", "count_as_present"})


def _default_points() -> Mapping[str, int]:
    return {
        AttendanceStatus.PRESENT: 2,
        AttendanceStatus.LATE: 1,
        AttendanceStatus.EXCUSED: 1,
        AttendanceStatus.ABSENT: 0,
    }


@dataclass(frozen=True)
class StatusScheme:
    """A program's statuses and their points, so programs can differ without code changes.

    ``full_status`` is the status that earns full marks: it sets the points a session is
    worth, what a future session is assumed to earn in the best case, and what an excused
    session earns under ``count_as_present``.
    """

    points: Mapping[str, int] = field(default_factory=_default_points)
    excused: frozenset[str] = frozenset({AttendanceStatus.EXCUSED})
    full_status: str = AttendanceStatus.PRESENT

    def __post_init__(self) -> None:
        # A read-only copy: a scheme shared between cohorts must not change under one of them.
        object.__setattr__(self, "points", MappingProxyType(dict(self.points)))
        object.__setattr__(self, "excused", frozenset(self.excused))
        if any(p < 0 for p in self.points.values()):
            raise ValueError("status points cannot be negative")
        if self.full_status not in self.points:
            raise ValueError(f"full-marks status {self.full_status!r} has no points")
        if self.points[self.full_status] <= 0:
            raise ValueError(f"full-marks status {self.full_status!r} must be worth more than 0 points")
        if max(self.points.values()) > self.points[self.full_status]:
            raise ValueError(f"no status may be worth more than {self.full_status!r}")
        unknown = self.excused - self.points.keys()
        if unknown:
            raise ValueError(f"excused statuses without points: {sorted(unknown)}")

    @property
    def session_worth(self) -> int:
        """Points one session can earn at most: the unit of every denominator."""
        return self.points[self.full_status]


DEFAULT_SCHEME = StatusScheme()


@dataclass(frozen=True)
class AttendancePercentage:
    """Three views of one record, because staff ask 'where are they now' and 'can they still pass'.

    Percentages are exact ``Fraction`` values in percent (``Fraction(75, 2)`` is 37.5 %);
    ``None`` when nothing counts yet (no held session outside excused ones), since 0 % would
    wrongly read as a failure.
    """

    earned_points: int
    held_points: int
    all_points: int
    future_sessions: int
    current: Fraction | None
    over_all: Fraction | None
    best_possible: Fraction | None


def _percent(numerator: int, denominator: int) -> Fraction | None:
    return None if denominator == 0 else Fraction(100 * numerator, denominator)


def attendance_percentage(
    statuses: Iterable[str],
    future_sessions: int = 0,
    excused_policy: ExcusedPolicy = "leave_denominator",
    scheme: StatusScheme = DEFAULT_SCHEME,
) -> AttendancePercentage:
    """Attendance of held sessions now, over the whole cohort, and at best by the end.

    ``statuses`` are those of the sessions already held (that count toward completion);
    ``future_sessions`` are those still to come, which earn nothing yet but full marks in
    the best case.
    """
    if future_sessions < 0:
        raise ValueError("the number of future sessions cannot be negative")
    if excused_policy not in _EXCUSED_POLICIES:
        raise ValueError(f"unknown excused policy {excused_policy!r}")
    worth = scheme.session_worth
    earned = 0
    counted_sessions = 0
    for status in statuses:
        if status not in scheme.points:
            raise ValueError(f"unknown attendance status {status!r}")
        if status in scheme.excused:
            if excused_policy == "leave_denominator":
                continue
            earned += worth
        else:
            earned += scheme.points[status]
        counted_sessions += 1
    held_points = counted_sessions * worth
    all_points = held_points + future_sessions * worth
    return AttendancePercentage(
        earned_points=earned,
        held_points=held_points,
        all_points=all_points,
        future_sessions=future_sessions,
        current=_percent(earned, held_points),
        over_all=_percent(earned, all_points),
        best_possible=_percent(earned + future_sessions * worth, all_points),
    )


def _require_aware(**moments: datetime) -> None:
    for name, moment in moments.items():
        if moment.tzinfo is None or moment.utcoffset() is None:
            raise ValueError(f"{name} must be timezone-aware; naive times are ambiguous across zones")


def status_from_join(
    join_time: datetime,
    session_start: datetime,
    session_end: datetime,
    present_within: timedelta = timedelta(minutes=10),
    late_within: timedelta = timedelta(minutes=60),
) -> AttendanceStatus:
    """Status from the first join, so staff need not mark webinar attendance by hand.

    Limits are inclusive (joining exactly 10 minutes in is still Present). Joining at or
    after the end is Absent even when ``late_within`` reaches past it: nothing was attended.
    """
    _require_aware(join_time=join_time, session_start=session_start, session_end=session_end)
    if session_end <= session_start:
        raise ValueError("a session must end after it starts")
    if present_within > late_within:
        raise ValueError("the Present limit cannot be later than the Late limit")
    if join_time >= session_end:
        return AttendanceStatus.ABSENT
    delay = join_time - session_start
    if delay <= present_within:
        return AttendanceStatus.PRESENT
    if delay <= late_within:
        return AttendanceStatus.LATE
    return AttendanceStatus.ABSENT


_MINUTE = timedelta(minutes=1)


def minutes_attended(
    intervals: Iterable[tuple[datetime, datetime]],
    window_start: datetime,
    window_end: datetime,
) -> Fraction:
    """Exact minutes inside the session window, so reconnects and duplicates are never counted twice.

    Each (join, leave) is clipped to the window, overlaps are merged, and the rest summed.
    The result is a ``Fraction`` of minutes: seconds matter at quarter-credit boundaries.
    """
    _require_aware(window_start=window_start, window_end=window_end)
    if window_end < window_start:
        raise ValueError("the session window ends before it starts")
    clipped: list[tuple[datetime, datetime]] = []
    for join, leave in intervals:
        _require_aware(join=join, leave=leave)
        if leave < join:
            raise ValueError(f"leave time {leave.isoformat()} is before join time {join.isoformat()}")
        start, end = max(join, window_start), min(leave, window_end)
        if start < end:
            clipped.append((start, end))
    clipped.sort()
    total = timedelta(0)
    run_start: datetime | None = None
    run_end: datetime | None = None
    for start, end in clipped:
        if run_start is None or run_end is None or start > run_end:
            if run_start is not None and run_end is not None:
                total += run_end - run_start
            run_start, run_end = start, end
        else:
            run_end = max(run_end, end)
    if run_start is not None and run_end is not None:
        total += run_end - run_start
    return Fraction(total // timedelta(microseconds=1), _MINUTE // timedelta(microseconds=1))


_QUARTER = Decimal("0.25")
_CREDIT_PLACES = Decimal("0.01")


def cme_credits(minutes: int | Fraction | Decimal, designated_credits: Decimal | int) -> Decimal:
    """Credits to award: minutes / 60 to the nearest quarter (halves up), capped at the designation.

    The cap exists because an accredited activity may never award more than it was
    designated for, however long someone stayed connected.
    """
    minutes_exact = Fraction(minutes)
    if minutes_exact < 0:
        raise ValueError("minutes attended cannot be negative")
    designated = Decimal(designated_credits)
    if designated < 0 or designated % _QUARTER != 0:
        raise ValueError(f"designated credits must be a non-negative multiple of 0.25, not {designated}")
    quarters = math.floor(minutes_exact / 15 + Fraction(1, 2))
    earned = Decimal(quarters) * _QUARTER
    return min(earned, designated).quantize(_CREDIT_PLACES)
