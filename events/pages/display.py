"""Formatting for people: money in minor units, and instants shown in a named time zone.

An instant is stored in UTC; a person reads it in the event's zone (where the
thing happens) and, when they live elsewhere, in their own zone too. A
session at 14:00 in New York is 19:00 in London in February but 18:00 in the
fortnight between the American and the European clock change, so the
conversion is done per instant, never with a fixed offset.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from grandrounds.money import MINOR_UNIT_EXPONENT

DASH = "\u2013"  # en dash, as in 14:00\u201315:00
_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "INR": "₹", "KRW": "₩", "CAD": "CA$", "AUD": "A$"}


def money(amount: int, currency: str) -> str:
    """1999 USD -> "$19.99"; 1000 JPY -> "¥1,000"; 500 CHF -> "5.00 CHF"."""
    currency = currency.upper()
    exponent = MINOR_UNIT_EXPONENT.get(currency, 2)
    whole, fraction = divmod(abs(amount), 10**exponent)
    number = f"{whole:,}" + (f".{fraction:0{exponent}d}" if exponent else "")
    sign = "-" if amount < 0 else ""
    symbol = _SYMBOLS.get(currency)
    return f"{sign}{symbol}{number}" if symbol else f"{sign}{number} {currency}"


def price_label(amount: int, currency: str) -> str:
    return "Free" if amount == 0 else money(amount, currency)


def day_label(day: date) -> str:
    """Like "Sat 13 Mar 2027": unambiguous in every locale, short enough for a phone."""
    return f"{day:%a} {day.day} {day:%b %Y}"


def _clock(moment: datetime) -> str:
    return f"{moment:%H:%M}"


def span(starts_at: datetime, ends_at: datetime, zone: str) -> str:
    """A start-end range read in ``zone``, e.g. "Sat 13 Mar 2027, 14:00-15:00 EST" (with an en dash)."""
    tz = ZoneInfo(zone)
    start, end = starts_at.astimezone(tz), ends_at.astimezone(tz)
    if start.date() == end.date():
        if start.tzname() == end.tzname():
            return f"{day_label(start.date())}, {_clock(start)}{DASH}{_clock(end)} {end.tzname()}"
        return (
            f"{day_label(start.date())}, {_clock(start)} {start.tzname()}{DASH}{_clock(end)} {end.tzname()}"
        )
    return (
        f"{day_label(start.date())} {_clock(start)} {start.tzname()} {DASH} "
        f"{day_label(end.date())} {_clock(end)} {end.tzname()}"
    )


def moment(at: datetime, zone: str) -> str:
    """One instant read in ``zone``, e.g. "Mon 15 Mar 2027, 14:00 EDT"."""
    local = at.astimezone(ZoneInfo(zone))
    return f"{day_label(local.date())}, {_clock(local)} {local.tzname()}"


@dataclass(frozen=True, slots=True)
class When:
    """A time shown in the event's zone, and in the viewer's when that is another zone."""

    iso: str  # machine-readable start for <time datetime>
    here: str
    viewer: str | None


def when_span(starts_at: datetime, ends_at: datetime, zone: str, viewer_zone: str | None) -> When:
    other = viewer_zone if viewer_zone and viewer_zone != zone else None
    return When(
        iso=starts_at.isoformat(),
        here=span(starts_at, ends_at, zone),
        viewer=span(starts_at, ends_at, other) if other else None,
    )


def when_moment(at: datetime, zone: str, viewer_zone: str | None) -> When:
    other = viewer_zone if viewer_zone and viewer_zone != zone else None
    return When(iso=at.isoformat(), here=moment(at, zone), viewer=moment(at, other) if other else None)


def local_day(at: datetime, zone: str) -> date:
    """The calendar day ``at`` falls on in ``zone`` (a schedule's "day" is never the UTC day)."""
    return at.astimezone(ZoneInfo(zone)).date()
