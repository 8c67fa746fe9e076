"""Self check-in through the session's rotating code, shown on a screen in the room.

The code is six digits derived by HMAC-SHA256 from the session's secret and
the current minute (the TOTP construction of RFC 6238 with a 60-second step),
so every server process computes the same code without storing it, and a code
photographed and sent to someone at home is useless a minute or two later. The
current and the previous step are accepted, so a code read off the screen just
before it changed still works.

Self check-in is open from 15 minutes before the session starts until it ends
(people arrive early; a code entered after the end proves nothing). Wrong
codes are counted per person and session: after five in ten minutes further
tries are refused, so a million codes cannot be guessed a few at a time.

The pure functions take the instant ``at`` so the rules are tested without a
clock.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from piccolo.engine.postgres import PostgresEngine

from accounts.principal import Principal
from events import errors
from events.registration_status import RegistrationStatus
from events.schemas import CheckInCodeOut, CheckInOut
from events.services.access import session_for_staff
from events.services.checkin import records as checkin
from events.tables import CheckIn, CheckInCodeFailure, Registration, Session
from grandrounds.db import engine, now, write_transaction
from grandrounds.errors import DomainError
from grandrounds.settings import get_settings

STEP_SECONDS = 60
DIGITS = 6
ACCEPTED_STEPS_BACK = 1
OPENS_BEFORE = timedelta(minutes=15)
MAX_WRONG_CODES = 5
WRONG_CODE_WINDOW = timedelta(minutes=10)


def step_of(at: datetime) -> int:
    return int(at.timestamp()) // STEP_SECONDS


def _code_for_step(secret: str, step: int) -> str:
    digest = hmac.new(secret.encode(), step.to_bytes(8, "big"), hashlib.sha256).digest()
    offset = digest[-1] & 0x0F
    value = int.from_bytes(digest[offset : offset + 4], "big") & 0x7FFFFFFF
    return f"{value % 10**DIGITS:0{DIGITS}d}"


def code_at(secret: str, at: datetime) -> str:
    """The code shown in the room at ``at``."""
    return _code_for_step(secret, step_of(at))


def seconds_left(at: datetime) -> int:
    """Seconds until the code shown at ``at`` changes (1..STEP_SECONDS)."""
    return STEP_SECONDS - int(at.timestamp()) % STEP_SECONDS


def normalize(code: str) -> str:
    """What a person typed, without the spaces or dashes they may add ("123 456", "123-456").

    Digits of other scripts (a phone keyboard set to Arabic types ١٢٣) become ASCII digits.
    """
    kept = (ch for ch in code if ch not in " -\t")
    return "".join(str(d) if (d := unicodedata.decimal(ch, None)) is not None else ch for ch in kept)


def accepts(secret: str, code: str, at: datetime) -> bool:
    """True if ``code`` is the code of the step of ``at`` or of the step before."""
    typed = normalize(code)
    if len(typed) != DIGITS or not (typed.isascii() and typed.isdigit()):
        return False
    step = step_of(at)
    # Compare every candidate so the time taken says nothing about which one matched.
    matches = [
        hmac.compare_digest(_code_for_step(secret, step - back), typed)
        for back in range(ACCEPTED_STEPS_BACK + 1)
    ]
    return any(matches)


def window(starts_at: datetime, ends_at: datetime) -> tuple[datetime, datetime]:
    """When self check-in opens and closes for a session with these times."""
    return starts_at - OPENS_BEFORE, ends_at


def is_open(starts_at: datetime, ends_at: datetime, at: datetime) -> bool:
    opens, closes = window(starts_at, ends_at)
    return opens <= at < closes


def self_checkin_url(session_id: int) -> str:
    """The page the room's QR code points to; it carries no secret, only the session."""
    return f"{get_settings().base_url}/checkin/{session_id}"


async def ensure_secret(session: dict[str, Any]) -> str:
    """The session's check-in secret, made on first use for sessions created without one."""
    if session["checkin_secret"]:
        return str(session["checkin_secret"])
    async with write_transaction():
        await Session.update({Session.checkin_secret: secrets.token_hex(32)}).where(
            (Session.id == session["id"]) & (Session.checkin_secret == "")
        )
    row = await Session.select(Session.checkin_secret).where(Session.id == session["id"]).first()
    assert row is not None
    return str(row["checkin_secret"])


async def current_code(principal: Principal, session_id: int, at: datetime | None = None) -> CheckInCodeOut:
    """For the screen in the room (staff only): the code now and how long it stays."""
    at = at or now()
    session, _ = await session_for_staff(principal, session_id)
    opens, closes = window(session["starts_at"], session["ends_at"])
    return CheckInCodeOut(
        session_id=session_id,
        code=code_at(await ensure_secret(session), at),
        seconds_left=seconds_left(at),
        step_seconds=STEP_SECONDS,
        open=is_open(session["starts_at"], session["ends_at"], at),
        opens_at=opens,
        closes_at=closes,
        self_checkin_url=self_checkin_url(session_id),
    )


async def own_registration(person_id: int, session: dict[str, Any]) -> dict[str, Any]:
    """This person's confirmed registration covering the session (a session's own seat first).

    403 if they hold none at all, 409 if theirs is not confirmed (waitlisted,
    pending payment, cancelled...).
    """
    rows = (
        await Registration.select(
            Registration.id,
            Registration.event,
            Registration.session,
            Registration.person,
            Registration.status,
            Registration.person.name.as_alias("name"),
        )
        .where(
            (Registration.event == session["event"])
            & (Registration.person == person_id)
            & checkin.covers(session["id"])
        )
        .order_by(Registration.id, ascending=False)
    )
    confirmed = [r for r in rows if r["status"] == RegistrationStatus.CONFIRMED]
    if confirmed:
        return sorted(confirmed, key=lambda r: r["session"] is None)[0]
    if rows:
        raise errors.checkin_not_confirmed(rows[0]["status"])
    raise errors.checkin_not_registered()


async def _verify_with_throttle(
    registration: dict[str, Any], session: dict[str, Any], code: str, at: datetime
) -> None:
    """Refuse a wrong code and count it; refuse everything after too many wrong ones."""
    since = at - WRONG_CODE_WINDOW
    mine = (CheckInCodeFailure.session == session["id"]) & (
        CheckInCodeFailure.person == registration["person"]
    )
    secret = await ensure_secret(session)
    async with write_transaction():
        if isinstance(engine(), PostgresEngine):
            # One person's tries take turns, so parallel guesses cannot slip past the count.
            await (
                Registration.select(Registration.id)
                .where(Registration.id == registration["id"])
                .lock_rows("UPDATE")
            )
        failures = await CheckInCodeFailure.select(CheckInCodeFailure.at).where(
            mine & (CheckInCodeFailure.at > since)
        )
        if len(failures) >= MAX_WRONG_CODES:
            oldest = min(f["at"] for f in failures)
            retry_after = max(int((oldest + WRONG_CODE_WINDOW - at).total_seconds()) + 1, 1)
            raise errors.checkin_too_many_attempts(retry_after)
        wrong = not accepts(secret, code, at)
        if wrong:
            await CheckInCodeFailure.insert(
                CheckInCodeFailure(session=session["id"], person=registration["person"], at=at)
            )
    if wrong:
        raise errors.checkin_code_invalid()


async def self_check_in(
    principal: Principal, session_id: int, code: str, at: datetime | None = None
) -> CheckInOut:
    """A signed-in confirmed registrant checks in with the code shown in the room."""
    at = at or now()
    session, event = await checkin.session_and_event(session_id)
    checkin.ensure_not_cancelled(session, event)
    registration = await own_registration(principal.person_id, session)
    if not is_open(session["starts_at"], session["ends_at"], at):
        raise errors.checkin_session_closed()
    await _verify_with_throttle(registration, session, code, at)
    return await checkin.record_once(session, registration, "self", principal.person_id)


@dataclass(frozen=True, slots=True)
class SelfCheckInView:
    """What the attendee's self check-in page says before they type anything."""

    session_id: int
    session_title: str
    event_title: str
    time_zone: str
    room: str
    opens_at: datetime
    closes_at: datetime
    open: bool
    cancelled: bool
    registration_status: str | None  # None: not registered for this session
    checked_in_at: datetime | None


async def self_checkin_view(
    principal: Principal, session_id: int, at: datetime | None = None
) -> SelfCheckInView:
    at = at or now()
    session, event = await checkin.session_and_event(session_id)
    status: str | None
    try:
        registration = await own_registration(principal.person_id, session)
        status = RegistrationStatus.CONFIRMED
    except DomainError as exc:
        status = exc.details.get("status") if exc.code == "checkin.not_confirmed" else None
        registration = None
    checked_in_at = None
    if registration is not None:
        standing = (
            await CheckIn.select(CheckIn.at)
            .where((CheckIn.session == session_id) & (CheckIn.registration == registration["id"]))
            .first()
        )
        checked_in_at = standing["at"] if standing else None
    opens, closes = window(session["starts_at"], session["ends_at"])
    return SelfCheckInView(
        session_id=session_id,
        session_title=session["title"],
        event_title=event["title"],
        time_zone=event["time_zone"],
        room=session["room"],
        opens_at=opens,
        closes_at=closes,
        open=is_open(session["starts_at"], session["ends_at"], at),
        cancelled=session["status"] == "cancelled" or event["status"] == "cancelled",
        registration_status=status,
        checked_in_at=checked_in_at,
    )
