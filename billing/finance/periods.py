"""Periods finance asks about: [start, end) in UTC, from what a person types or a client sends.

A date alone ("2026-10-01") is midnight UTC that day, and the end is
excluded, so October is ``from=2026-10-01&to=2026-11-01`` and consecutive
periods never count a transaction twice. A datetime with an offset is taken
as given; one without is read as UTC (Stripe's and the ledger's clock).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from billing import errors

MAX_DAYS = 400  # a year and a little: enough for an annual close, small enough to page through Stripe


@dataclass(frozen=True, slots=True)
class Period:
    start: datetime
    end: datetime


def _instant(raw: str, field: str) -> datetime:
    text = raw.strip()
    if len(text) > 40:
        raise errors.period_invalid(field, "Give a date like 2026-10-01.")
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            return datetime(day.year, day.month, day.day, tzinfo=UTC)
        value = datetime.fromisoformat(text)
    except ValueError:
        raise errors.period_invalid(field, "Give a date like 2026-10-01.") from None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def parse_period(start: str | None, end: str | None, *, required: bool = True) -> Period | None:
    """The period named by ``from`` and ``to``; None when both are empty and a period is optional."""
    start, end = (start or "").strip(), (end or "").strip()
    if not start and not end and not required:
        return None
    if not start:
        raise errors.period_invalid("from", "Give the first day of the period.")
    if not end:
        raise errors.period_invalid("to", "Give the day after the period (the end is excluded).")
    period = Period(_instant(start, "from"), _instant(end, "to"))
    if period.end <= period.start:
        raise errors.period_invalid("to", "The end of the period must come after its start.")
    if period.end - period.start > timedelta(days=MAX_DAYS):
        raise errors.period_invalid("to", f"A period can be at most {MAX_DAYS} days long.")
    return period


def month_of(instant: datetime) -> Period:
    """The calendar month (UTC) holding ``instant``: the form's default period."""
    start = datetime(instant.year, instant.month, 1, tzinfo=UTC)
    end = datetime(start.year + start.month // 12, start.month % 12 + 1, 1, tzinfo=UTC)
    return Period(start, end)
