"""VTIMEZONE blocks in the compact form calendar clients write themselves.

icalendar describes a zone as a list of every transition (RDATE lines, no
RRULE). Outlook has been reported to shift events an hour when it reads that
form, while it, Google and Apple all write one STANDARD and one DAYLIGHT
observance with a yearly RRULE ("second Sunday of March at 02:00"). For a zone
whose transitions follow such a rule across the window we write that form;
for one that does not (a zone whose rules changed within the window, or one
whose rule is not "the nth or last weekday of a month") we keep icalendar's
transition list, which is correct if less widely liked.
"""

from __future__ import annotations

import calendar as month_calendar
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar, Timezone, TimezoneDaylight, TimezoneStandard
from icalendar.prop import vRecur

WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


@dataclass(frozen=True, slots=True)
class Transition:
    """One change of offset: the wall-clock moment it happens (in the offset before it) and what follows."""

    local: datetime  # naive, in the offset before the change
    offset_from: timedelta
    offset_to: timedelta
    name: str
    daylight: bool


def _offset(zone: ZoneInfo, instant: datetime) -> timedelta:
    offset = instant.astimezone(zone).utcoffset()
    assert offset is not None
    return offset


def transitions(zone: ZoneInfo, first: date, last: date) -> list[Transition]:
    """Every change of offset between ``first`` and ``last``, found day by day, then to the second."""
    found: list[Transition] = []
    day = datetime(first.year, first.month, first.day, tzinfo=UTC)
    end = datetime(last.year, last.month, last.day, tzinfo=UTC)
    while day < end:
        following = day + timedelta(days=1)
        before, after = _offset(zone, day), _offset(zone, following)
        if before != after:
            low, high = day, following
            while high - low > timedelta(seconds=1):
                middle = low + (high - low) / 2
                low, high = (middle, high) if _offset(zone, middle) == before else (low, middle)
            moment = high.replace(microsecond=0)
            local = moment.astimezone(zone)
            dst = local.dst()
            found.append(
                Transition(
                    local=(moment + before).replace(tzinfo=None),
                    offset_from=before,
                    offset_to=after,
                    name=local.tzname() or "",
                    daylight=bool(dst),
                )
            )
        day = following
    return found


def _ordinal(day: date) -> tuple[int, bool]:
    """Which occurrence of its weekday in the month the day is, and whether it is the last one."""
    days_in_month = month_calendar.monthrange(day.year, day.month)[1]
    return (day.day - 1) // 7 + 1, day.day + 7 > days_in_month


def yearly_rule(moments: list[datetime]) -> vRecur | None:
    """The RRULE that yields exactly these moments (one a year), or None when no BYDAY rule does."""
    years = [m.year for m in moments]
    if years != list(range(years[0], years[0] + len(years))):
        return None
    first = moments[0]
    if any((m.month, m.weekday(), m.time()) != (first.month, first.weekday(), first.time()) for m in moments):
        return None
    ordinals = [_ordinal(m.date()) for m in moments]
    if all(is_last for _, is_last in ordinals):
        position = -1
    elif len({n for n, _ in ordinals}) == 1 and ordinals[0][0] <= 4:
        position = ordinals[0][0]
    else:
        return None
    return vRecur(freq="YEARLY", bymonth=first.month, byday=f"{position}{WEEKDAYS[first.weekday()]}")


def _observance(transition: Transition, rule: vRecur | None) -> TimezoneStandard | TimezoneDaylight:
    observance = TimezoneDaylight() if transition.daylight else TimezoneStandard()
    observance.add("DTSTART", transition.local)
    if rule is not None:
        observance.add("RRULE", rule)
    observance.add("TZNAME", transition.name)
    observance.add("TZOFFSETFROM", transition.offset_from)
    observance.add("TZOFFSETTO", transition.offset_to)
    return observance


def compact_vtimezone(name: str, first: date, last: date) -> Timezone | None:
    """The zone as yearly rules (or one fixed offset), or None when its transitions follow no rule."""
    zone = ZoneInfo(name)
    changes = transitions(zone, first, last)
    timezone = Timezone()
    timezone.add("TZID", name)
    if not changes:
        start = datetime(first.year, first.month, first.day, tzinfo=UTC).astimezone(zone)
        offset = start.utcoffset()
        assert offset is not None
        fixed = Transition(start.replace(tzinfo=None), offset, offset, start.tzname() or "", False)
        timezone.add_component(_observance(fixed, None))
        return timezone
    kinds: dict[tuple[timedelta, timedelta, str, bool], list[Transition]] = {}
    for change in changes:
        kinds.setdefault((change.offset_from, change.offset_to, change.name, change.daylight), []).append(
            change
        )
    if len(kinds) > 2:
        return None
    for group in kinds.values():
        rule = yearly_rule([t.local for t in group])
        if rule is None:
            return None
        timezone.add_component(_observance(group[0], rule))
    return timezone


def add_timezones(calendar: Calendar, names: Iterable[str], first_year: int, last_year: int) -> None:
    """A VTIMEZONE for each zone, for a window from a year before ``first_year`` to after ``last_year``.

    The window starts early enough that the first event falls after an
    observance begins, as RFC 5545 requires.
    """
    first, last = date(first_year - 1, 1, 1), date(last_year + 2, 1, 1)
    fallback = False
    for name in sorted(set(names)):
        if name in ("UTC", "Etc/UTC"):
            continue  # written as UTC times by the library; no VTIMEZONE needed
        compact = compact_vtimezone(name, first, last)
        if compact is None:
            fallback = True
            continue
        calendar.subcomponents.insert(0, compact)  # zones before the events that name them
    if fallback:
        calendar.add_missing_timezones(first_date=first, last_date=last)
