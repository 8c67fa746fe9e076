"""Reading staff forms: whole numbers, money, CME credits and clock times as people type them.

Every field arrives as text. Each reader returns what the services expect, or
an InvalidInput naming the field, so the page can show the form again with
the message beside the field and nothing written. Money is typed as a decimal
amount ("19.99") and kept as integer minor units by the currency's exponent
(1999 USD cents, 1000 yen), never through a float. Clock times are read in
the event's zone by the create form's own reader, which refuses a time the
clocks skip.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import msgspec

from accounts.principal import Principal
from events import errors
from events.pages import display
from events.pages.staff import form_invalid, local_instant
from events.services.access import event_for_staff, session_for_staff
from events.services.tickets import MAX_PRICE
from events.tables import SessionSpeaker, TicketType, Track
from grandrounds.errors import DomainError, NotFound
from grandrounds.money import MINOR_UNIT_EXPONENT, to_minor_units

# Ids beyond a 32-bit column are simply not found (PostgreSQL refuses them as parameters).
LARGEST_ID = 2**31 - 1
_AMOUNT = re.compile(r"\d{1,12}(\.\d{1,12})?")
_CREDITS = re.compile(r"\d{1,3}(\.\d{1,4})?")

Form = Mapping[str, str]
Shape = TypeVar("Shape")


def line(raw: str | None) -> str:
    """One line of text with runs of white space made single."""
    return " ".join((raw or "").split())


def text(raw: str | None) -> str:
    return (raw or "").replace("\r\n", "\n").strip()


def checked(form: Form, name: str) -> bool:
    return form.get(name) == "on"


def whole(raw: str | None, field: str, low: int, high: int, message: str) -> int:
    digits = (raw or "").strip()
    if not digits.isdigit() or len(digits) > 7 or not low <= int(digits) <= high:
        raise form_invalid(field, message)
    return int(digits)


def optional_whole(raw: str | None, field: str, low: int, high: int, message: str) -> int | None:
    return whole(raw, field, low, high, message) if (raw or "").strip() else None


def local_value(moment: datetime | None, zone: str) -> str:
    """An instant as a datetime-local field shows it: the clock time in ``zone``."""
    if moment is None:
        return ""
    return moment.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%dT%H:%M")


def differs(wanted: Any, stored: Any) -> bool:
    """Has the form changed this value? A datetime-local field shows minutes, so a stored time
    with seconds that comes back to the minute is unchanged; so is text that differs only by
    the spaces around it (the form trims them)."""
    if isinstance(wanted, datetime) and isinstance(stored, datetime):
        return bool(wanted != stored.replace(second=0, microsecond=0))
    if isinstance(wanted, str) and isinstance(stored, str):
        return wanted != stored.strip()
    return bool(wanted != stored)


def optional_local(raw: str | None, zone: str, field: str) -> datetime | None:
    return local_instant(raw, zone, field) if raw and raw.strip() else None


def amount(raw: str | None, currency: str, field: str, label: str) -> int:
    """ "19.99" USD -> 1999; "1000" JPY -> 1000; more decimals than the currency has, or a
    negative, a sign or a thousands separator is refused with words saying which."""
    typed = (raw or "").strip()
    exponent = MINOR_UNIT_EXPONENT[currency]
    example = "1000" if exponent == 0 else "19." + "99"[:exponent].ljust(exponent, "0")
    if not typed:
        raise errors.ticket_amount_missing(label, field)
    if typed.startswith("-"):
        raise errors.ticket_amount_negative(label, field)
    if not _AMOUNT.fullmatch(typed):
        raise errors.ticket_amount_invalid(label, field, example)
    try:
        minor = to_minor_units(typed, currency)
    except ValueError:
        places = "no decimals" if exponent == 0 else f"at most {exponent} decimal places"
        raise errors.ticket_amount_too_precise(label, field, typed, currency, places) from None
    if minor > MAX_PRICE:
        raise errors.ticket_amount_too_high(label, field, display.money(MAX_PRICE, currency))
    return minor


def amount_text(minor: int | None, currency: str) -> str:
    """Minor units back as the decimal amount a person typed: 1999 USD -> "19.99"."""
    if minor is None:
        return ""
    exponent = MINOR_UNIT_EXPONENT.get(currency, 2)
    return f"{Decimal(minor).scaleb(-exponent):.{exponent}f}"


def cme_quarters(raw: str | None, field: str = "cme_credits") -> int:
    """ "0.75" -> 3 quarter hours; empty is none. Credits come in quarters, as CME designates them."""
    typed = (raw or "").strip() or "0"
    value = Decimal(typed) * 4 if _CREDITS.fullmatch(typed) else None
    if value is None or value != value.to_integral_value():
        raise errors.session_cme_not_quarters(field)
    return int(value)


def cme_label(quarters: int) -> str:
    """3 -> "0.75", 4 -> "1", 6 -> "1.5"."""
    value = Decimal(quarters) / 4
    return f"{value:f}" if value != value.to_integral_value() else str(int(value))


def shaped(values: dict[str, Any], shape: type[Shape]) -> Shape:
    """Values as the service's request shape; a length bound broken is a message about that field."""
    try:
        return msgspec.convert(values, shape)
    except msgspec.ValidationError as exc:
        field = str(exc).rsplit("$.", 1)[-1].rstrip("`") if "$." in str(exc) else "title"
        raise form_invalid(field, f"Please check the {field.replace('_', ' ')}: it is too long.") from None


def problem(
    error: DomainError | None, form_id: str = "", renamed: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """What a page needs to show an error: the message, which form, and the field to mark invalid."""
    if error is None:
        return {"error": None, "error_form": "", "error_field": ""}
    field = str(error.details.get("field", ""))
    return {
        "error": error.message,
        "error_form": form_id,
        "error_field": (renamed or {}).get(field, field),
    }


def _known(row_id: int, missing: NotFound) -> None:
    if not 0 < row_id <= LARGEST_ID:
        raise missing


async def staff_event(principal: Principal, event_id: int) -> dict[str, Any]:
    """The event if the caller runs its program: 404 unknown, 403 someone else's."""
    _known(event_id, errors.event_not_found())
    return await event_for_staff(principal, event_id)


async def staff_session(principal: Principal, session_id: int) -> tuple[dict[str, Any], dict[str, Any]]:
    _known(session_id, errors.session_not_found())
    return await session_for_staff(principal, session_id)


async def staff_track(principal: Principal, track_id: int) -> tuple[dict[str, Any], dict[str, Any]]:
    _known(track_id, errors.track_not_found())
    track = await Track.select().where(Track.id == track_id).first()
    if track is None:
        raise errors.track_not_found()
    return track, await event_for_staff(principal, track["event"])


async def staff_speaker(
    principal: Principal, speaker_id: int
) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """(invitation, session, event) if the caller runs the session's event."""
    _known(speaker_id, errors.speaker_not_found())
    row = await SessionSpeaker.select().where(SessionSpeaker.id == speaker_id).first()
    if row is None:
        raise errors.speaker_not_found()
    session, event = await session_for_staff(principal, row["session"])
    return row, session, event


async def staff_ticket(principal: Principal, ticket_type_id: int) -> tuple[dict[str, Any], dict[str, Any]]:
    _known(ticket_type_id, errors.ticket_not_found())
    row = await TicketType.select().where(TicketType.id == ticket_type_id).first()
    if row is None:
        raise errors.ticket_not_found()
    return row, await event_for_staff(principal, row["event"])
