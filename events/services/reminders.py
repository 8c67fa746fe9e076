"""Reminders before each session: defaults 24 h and 1 h, configurable per event.

A dispatcher chore calls :func:`send_due_reminders` once a minute for the
cluster. For each upcoming session it picks the nearest reminder that is due
(so a server that was down for a day sends one reminder, not both) and queues
one email per confirmed registrant with a dedupe key naming the session, the
person, the session's start and the offset. The work is found and queued in
sets, a fixed number of statements per run however large the audience. The
key makes it idempotent: a crash before the batch commits rolls all of it
back, the next run redoes it, and nobody already reminded is reminded twice; a
rescheduled session has a new start, hence new keys, hence fresh reminders.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from events.registration_status import RegistrationStatus
from events.tables import Registration, Session
from grandrounds.db import now, write_transaction
from grandrounds.settings import get_settings
from notifications.outbox import Email, enqueue_emails, queued_keys

DEFAULT_HOURS = (24, 1)
LONGEST_HOURS = 24 * 14


def reminder_hours(setting: str) -> tuple[int, ...]:
    """Parse an event's "24,1"-style setting; unusable pieces are ignored, an empty result means none."""
    hours = set()
    for piece in setting.split(","):
        piece = piece.strip()
        if piece.isdigit() and 0 < int(piece) <= LONGEST_HOURS:
            hours.add(int(piece))
    return tuple(sorted(hours, reverse=True))


def due_offset(starts_at: datetime, hours: tuple[int, ...], moment: datetime) -> int | None:
    """The nearest reminder offset (in hours) that is due at ``moment``, or None."""
    if moment >= starts_at:
        return None
    due = [h for h in hours if moment >= starts_at - timedelta(hours=h)]
    return min(due) if due else None


def local_wording(moment: datetime, zone: str) -> str:
    """'Tuesday 9 March 2027, 12:00 CST' in the reader's own zone."""
    local = moment.astimezone(ZoneInfo(zone))
    return f"{local:%A} {local.day} {local:%B %Y, %H:%M} {local.tzname()}"


async def _due_sessions(moment: datetime) -> list[tuple[dict[str, Any], int]]:
    """Upcoming sessions of published events with a reminder due now, and its offset: one query."""
    sessions = await Session.select(
        Session.id,
        Session.event,
        Session.title,
        Session.starts_at,
        Session.room,
        Session.join_url,
        Session.event.title.as_alias("event_title"),
        Session.event.time_zone.as_alias("event_zone"),
        Session.event.venue.as_alias("event_venue"),
        Session.event.join_url.as_alias("event_join_url"),
        Session.event.program.as_alias("event_program"),
        Session.event.reminder_hours.as_alias("event_reminder_hours"),
    ).where(
        (Session.status == "scheduled")
        & (Session.starts_at > moment)
        & (Session.starts_at <= moment + timedelta(hours=LONGEST_HOURS))
        & (Session.event.status == "published")
    )
    due = []
    for session in sessions:
        offset = due_offset(session["starts_at"], reminder_hours(session["event_reminder_hours"]), moment)
        if offset is not None:
            due.append((session, offset))
    return due


async def _confirmed(sessions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Confirmed registrants of these sessions' events, whole-event or booked by seat: one query."""
    rows: list[dict[str, Any]] = await Registration.select(
        Registration.event,
        Registration.session,
        Registration.person,
        Registration.email_key,
        Registration.person.name.as_alias("name"),
        Registration.person.time_zone.as_alias("time_zone"),
    ).where(
        Registration.event.is_in(sorted({s["event"] for s in sessions}))
        & (Registration.status == RegistrationStatus.CONFIRMED)
        & (Registration.session.is_in([s["id"] for s in sessions]) | Registration.session.is_null())
    )
    return rows


def _reminder(session: dict[str, Any], hours: int, person: dict[str, Any], base: str) -> Email:
    key = f"reminder:s{session['id']}:p{person['person']}:{session['starts_at']:%Y%m%dT%H%M}:{hours}h"
    context = {
        "name": person["name"],
        "event_title": session["event_title"],
        "session_title": session["title"],
        "hours": hours,
        "starts_local": local_wording(session["starts_at"], person["time_zone"] or "UTC"),
        "starts_event_zone": local_wording(session["starts_at"], session["event_zone"]),
        "place": session["room"] or session["event_venue"],
        # Reminders go to confirmed registrants only, so the link may be in them.
        "join_url": session["join_url"] or session["event_join_url"],
        "event_url": f"{base}/events/{session['event']}",
    }
    return Email(
        "session_reminder",
        person["email_key"],
        context,
        person_id=person["person"],
        program_id=session["event_program"],
        dedupe_key=key,
    )


async def send_due_reminders(at: datetime | None = None) -> int:
    """Queue every reminder due now; the number of emails queued.

    A fixed number of statements whatever the audience: the due sessions (with
    their events), their confirmed registrants, which of the keys are queued
    already, and, only when something is new, one insert in one short write
    transaction. Most runs of a reminder's window find everyone reminded and
    write nothing, so registrations never wait behind this chore's lock.
    """
    moment = at or now()
    due = await _due_sessions(moment)
    if not due:
        return 0
    people = await _confirmed([session for session, _ in due])
    base = get_settings().base_url
    emails = [
        _reminder(session, hours, person, base)
        for session, hours in due
        for person in people
        if person["event"] == session["event"] and person["session"] in (None, session["id"])
    ]
    done = await queued_keys(e.dedupe_key for e in emails if e.dedupe_key is not None)
    fresh = [e for e in emails if e.dedupe_key not in done]
    if not fresh:
        return 0
    async with write_transaction():
        return await enqueue_emails(fresh)
