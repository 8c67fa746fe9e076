"""The worked examples of DOMAIN.md 'Programs, cohorts, attendance, completion', as exact arithmetic."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from programs.rules.attendance import (
    DEFAULT_SCHEME,
    AttendanceStatus,
    ExcusedPolicy,
    StatusScheme,
    attendance_percentage,
    cme_credits,
    minutes_attended,
    status_from_join,
)

P, L, E, A = (
    AttendanceStatus.PRESENT,
    AttendanceStatus.LATE,
    AttendanceStatus.EXCUSED,
    AttendanceStatus.ABSENT,
)
START = datetime(2026, 3, 5, 15, 0, tzinfo=UTC)
END = START + timedelta(hours=1)


def at(minutes: float) -> datetime:
    return START + timedelta(minutes=minutes)


def test_default_points() -> None:
    assert dict(DEFAULT_SCHEME.points) == {P: 2, L: 1, E: 1, A: 0}
    assert DEFAULT_SCHEME.excused == {E}


@pytest.mark.parametrize(
    ("statuses", "future", "policy", "current", "over_all", "best"),
    [
        pytest.param([P, L, A], 0, "leave_denominator", "50", "50", "50", id="P,L,A is 3/6"),
        pytest.param([P, L, A], 1, "leave_denominator", "50", "37.5", "62.5", id="plus a future session"),
        pytest.param(
            [P] * 7 + [E] * 2 + [A], 0, "leave_denominator", "87.5", "87.5", "87.5", id="excused leave 7/8"
        ),
        pytest.param(
            [P] * 7 + [E] * 2 + [A], 0, "count_as_present", "90", "90", "90", id="excused count 9/10"
        ),
    ],
)
def test_attendance_percentage_worked_examples(
    statuses: list[str], future: int, policy: ExcusedPolicy, current: str, over_all: str, best: str
) -> None:
    result = attendance_percentage(statuses, future, policy)
    assert result.current == Decimal(current)
    assert result.over_all == Decimal(over_all)
    assert result.best_possible == Decimal(best)
    assert isinstance(result.current, Fraction)


def test_points_behind_the_examples() -> None:
    plus_future = attendance_percentage([P, L, A], future_sessions=1)
    assert (plus_future.earned_points, plus_future.held_points, plus_future.all_points) == (3, 6, 8)
    leave = attendance_percentage([P] * 7 + [E] * 2 + [A])
    assert (leave.earned_points, leave.held_points) == (14, 16)
    count = attendance_percentage([P] * 7 + [E] * 2 + [A], excused_policy="count_as_present")
    assert (count.earned_points, count.held_points) == (18, 20)


def test_default_policy_is_leave_the_denominator() -> None:
    assert attendance_percentage([P] * 7 + [E] * 2 + [A]).current == Fraction(175, 2)


def test_nothing_held_yet_is_undefined_not_zero() -> None:
    result = attendance_percentage([], future_sessions=4)
    assert result.current is None
    assert result.over_all == 0
    assert result.best_possible == 100
    assert attendance_percentage([E, E]).current is None


def test_exact_thresholds_do_not_suffer_float_rounding() -> None:
    # 2 of 3 sessions present: exactly 200/3 %, not 66.66666666666667.
    assert attendance_percentage([P, P, A]).current == Fraction(200, 3)


def test_custom_scheme() -> None:
    scheme = StatusScheme(
        points={"Present": 4, "Late": 3, "Left early": 2, "Medical leave": 0, "Absent": 0},
        excused=frozenset({"Medical leave"}),
    )
    result = attendance_percentage(["Present", "Left early", "Medical leave"], 1, scheme=scheme)
    assert result.current == 75
    assert result.best_possible == Fraction(100 * 10, 12)
    with pytest.raises(ValueError, match="unknown attendance status"):
        attendance_percentage([E], scheme=scheme)


def test_scheme_is_read_only() -> None:
    points = {"Present": 2, "Absent": 0}
    scheme = StatusScheme(points=points, excused=frozenset())
    points["Present"] = 5
    assert scheme.points["Present"] == 2
    with pytest.raises(TypeError):
        scheme.points["Present"] = 3  # type: ignore[index]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"points": {"Present": 2, "Absent": -1}}, "negative"),
        ({"points": {"Here": 2}, "excused": frozenset()}, "full-marks"),
        ({"points": {"Present": 2, "Bonus": 3}, "excused": frozenset()}, "more than"),
        ({"points": {"Present": 2}, "excused": frozenset({"Excused"})}, "without points"),
    ],
)
def test_invalid_schemes_are_rejected(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        StatusScheme(**kwargs)  # type: ignore[arg-type]


def test_invalid_arguments() -> None:
    with pytest.raises(ValueError, match="negative"):
        attendance_percentage([P], future_sessions=-1)
    with pytest.raises(ValueError, match="excused policy"):
        attendance_percentage([P], excused_policy="ignore")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("join", "expected"),
    [
        pytest.param(at(5), P, id="+5 present"),
        pytest.param(at(30), L, id="+30 late"),
        pytest.param(at(61), A, id="after the end absent"),
        pytest.param(at(-3), P, id="early present"),
        pytest.param(at(10), P, id="+10 still present"),
        pytest.param(at(10) + timedelta(seconds=1), L, id="just after +10 late"),
        pytest.param(at(60), A, id="at the end absent"),
    ],
)
def test_status_from_join(join: datetime, expected: AttendanceStatus) -> None:
    assert status_from_join(join, START, END) is expected


def test_status_from_join_after_late_limit_is_absent() -> None:
    long_end = START + timedelta(hours=3)
    assert status_from_join(at(60), START, long_end) is L
    assert status_from_join(at(61), START, long_end) is A


def test_status_from_join_compares_instants_across_zones() -> None:
    from zoneinfo import ZoneInfo

    new_york = at(5).astimezone(ZoneInfo("America/New_York"))
    assert status_from_join(new_york, START, END) is P


def test_status_from_join_rejects_naive_times() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        status_from_join(at(5).replace(tzinfo=None), START, END)


INTERVALS = [(0, 10), (20, 30), (5, 25)]


@pytest.mark.parametrize("order", list(itertools.permutations(INTERVALS)), ids=str)
def test_minutes_attended_worked_example_in_any_order(order: tuple[tuple[int, int], ...]) -> None:
    assert minutes_attended([(at(a), at(b)) for a, b in order], START, END) == 30


@pytest.mark.parametrize(
    ("intervals", "expected"),
    [
        pytest.param([(-30, -5)], 0, id="entirely before"),
        pytest.param([(60, 90)], 0, id="entirely after, touching the end"),
        pytest.param([(-10, 15), (50, 80)], 25, id="clipped both sides"),
        pytest.param([(-10, 80)], 60, id="whole window"),
        pytest.param([(10, 20), (10, 20)], 10, id="duplicate rows"),
        pytest.param([(0, 10), (10, 20)], 20, id="touching"),
        pytest.param([], 0, id="nothing"),
        pytest.param([(0, 0.5)], Fraction(1, 2), id="seconds kept exactly"),
    ],
)
def test_minutes_attended_clipping(intervals: list[tuple[float, float]], expected: Fraction) -> None:
    assert minutes_attended([(at(a), at(b)) for a, b in intervals], START, END) == expected


def test_minutes_attended_rejects_leave_before_join() -> None:
    with pytest.raises(ValueError, match="before join"):
        minutes_attended([(at(10), at(5))], START, END)


def test_reconnect_rows_are_summed_not_new_people() -> None:
    first, reconnect = (at(2), at(40)), (at(45), at(60))
    assert minutes_attended([first, reconnect], START, END) == 38 + 15


minute_offsets = st.integers(min_value=-120, max_value=240)


@given(
    window=st.integers(min_value=0, max_value=180),
    intervals=st.lists(
        st.tuples(minute_offsets, st.integers(min_value=0, max_value=200)).map(lambda t: (t[0], t[0] + t[1])),
        max_size=8,
    ),
    data=st.data(),
)
def test_minutes_attended_is_order_free_and_bounded(
    window: int, intervals: list[tuple[int, int]], data: st.DataObject
) -> None:
    end = at(window)
    total = minutes_attended([(at(a), at(b)) for a, b in intervals], START, end)
    shuffled = data.draw(st.permutations(intervals))
    assert minutes_attended([(at(a), at(b)) for a, b in shuffled], START, end) == total
    assert 0 <= total <= window
    covered = {m for a, b in intervals for m in range(max(a, 0), min(b, window))}
    assert total == len(covered)


@pytest.mark.parametrize(
    ("minutes", "designated", "expected"),
    [
        pytest.param(52, Decimal("1.0"), "0.75", id="52 min"),
        pytest.param(67, Decimal("1.0"), "1.0", id="67 min capped"),
        pytest.param(45, Decimal("1.0"), "0.75", id="45 min"),
        pytest.param(67, Decimal("2.0"), "1.0", id="67 min uncapped"),
        pytest.param(0, Decimal("1.0"), "0", id="zero"),
        pytest.param(240, Decimal("1.5"), "1.5", id="cap"),
        pytest.param(30, Decimal("0"), "0", id="no credit designated"),
        pytest.param(Fraction(15, 2), 1, "0.25", id="half a quarter rounds up"),
        pytest.param(Fraction(449, 60), 1, "0", id="just under half a quarter"),
        pytest.param(Decimal("22.5"), 1, "0.5", id="half up at 1.5 quarters"),
        pytest.param(Fraction(3139, 60), 1, "0.75", id="52 min 19 s"),
    ],
)
def test_cme_credits(minutes: int | Fraction | Decimal, designated: Decimal | int, expected: str) -> None:
    credits = cme_credits(minutes, designated)
    assert isinstance(credits, Decimal)
    assert credits == Decimal(expected)


def test_cme_credits_are_printed_in_quarters() -> None:
    assert str(cme_credits(52, Decimal("1.0"))) == "0.75"
    assert str(cme_credits(67, Decimal("1.0"))) == "1.00"


@pytest.mark.parametrize(
    ("minutes", "designated", "message"),
    [(-1, Decimal(1), "negative"), (30, Decimal("0.3"), "0.25"), (30, Decimal(-1), "0.25")],
)
def test_cme_credits_invalid(minutes: int, designated: Decimal, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        cme_credits(minutes, designated)
