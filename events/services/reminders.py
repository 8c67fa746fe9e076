"""Reminders before each session: defaults 24 h and 1 h, configurable per event.

A dispatcher chore calls :func:`send_due_reminders` on every pass. For each
upcoming session it picks the nearest reminder that is due (so a server that
was down for a day sends one reminder, not both) and queues one email per
confirmed registrant with a dedupe key naming the session, the person, the
session's start and the offset. The key makes the work idempotent: a crash in
the middle of a batch rolls back that session's transaction, the next pass
redoes it, and nobody already reminded is reminded twice; a rescheduled
session has a new start, hence new keys, hence fresh reminders.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from events.registration_status import RegistrationStatus
from events.tables import Event, Registration, Session
from grandrounds.db import now, write_transaction
from grandrounds.settings import get_settings
from notifications.outbox import enqueue_email

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


async def _recipients(session: dict[str, Any]) -> list[dict[str, Any]]:
    """Confirmed registrants of the whole event, and of this session when it is booked by seat."""
    scope = (Registration.session == session["id"]) | Registration.session.is_null()
    rows: list[dict[str, Any]] = await Registration.select(
        Registration.person,
        Registration.email_key,
        Registration.person.name.as_alias("name"),
        Registration.person.time_zone.as_alias("time_zone"),
    ).where(
        (Registration.event == session["event"])
        & (Registration.status == RegistrationStatus.CONFIRMED)
        & scope
    )
    return rows


async def _remind_session(session: dict[str, Any], event: dict[str, Any], hours: int) -> int:
    base = get_settings().base_url
    queued = 0
    async with write_transaction():
        for person in await _recipients(session):
            key = f"reminder:s{session['id']}:p{person['person']}:{session['starts_at']:%Y%m%dT%H%M}:{hours}h"
            context = {
                "name": person["name"],
                "event_title": event["title"],
                "session_title": session["title"],
                "hours": hours,
                "starts_local": local_wording(session["starts_at"], person["time_zone"] or "UTC"),
                "starts_event_zone": local_wording(session["starts_at"], event["time_zone"]),
                "place": session["room"] or event["venue"],
                # Reminders go to confirmed registrants only, so the link may be in them.
                "join_url": session["join_url"] or event["join_url"],
                "event_url": f"{base}/events/{event['id']}",
            }
            queued += await enqueue_email(
                "session_reminder",
                person["email_key"],
                context,
                person_id=person["person"],
                program_id=event.get("program"),
                dedupe_key=key,
            )
    return queued


async def send_due_reminders(at: datetime | None = None) -> int:
    """Queue every reminder due now; the number of emails queued."""
    moment = at or now()
    sessions = await Session.select().where(
        (Session.status == "scheduled")
        & (Session.starts_at > moment)
        & (Session.starts_at <= moment + timedelta(hours=LONGEST_HOURS))
        & (Session.event.status == "published")
    )
    queued = 0
    events: dict[int, dict[str, Any]] = {}
    for session in sessions:
        if session["event"] not in events:
            events[session["event"]] = await Event.select().where(Event.id == session["event"]).first() or {}
        event = events[session["event"]]
        offset = due_offset(session["starts_at"], reminder_hours(event.get("reminder_hours", "")), moment)
        if offset is not None:
            queued += await _remind_session(session, event, offset)
    return queued
