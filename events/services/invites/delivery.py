"""Queued invites, resolved at delivery from the rows as they are then.

The shell registers these with notifications.invites. A REQUEST carries the
session's (or event's) current time, place and SEQUENCE, so one queued before
a reschedule still says the right thing. The join link was allowed when the
invite was queued; it is written only if the person may still see it now: a
registration that covers the session (or the event) still confirmed, or the
speaker still invited or accepted. A copy whose session or event is gone, or
a REQUEST for one cancelled since (its CANCEL supersedes it), cannot be sent.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from email.utils import formataddr
from typing import Any
from zoneinfo import ZoneInfo

from accounts.tables import Person, Program
from events.registration_status import RegistrationStatus
from events.services.invites.holders import SPEAKERS_UPDATED
from events.services.join_links import join_link
from events.tables import Event, Registration, Session, SessionSpeaker
from grandrounds.db import now
from grandrounds.settings import get_settings
from notifications.calendar import Invitation
from notifications.invites import InviteRef, InviteUnavailable, ResolvedInvite

DASH = "\N{EN DASH}"


@dataclass(frozen=True, slots=True)
class Shown:
    """What the calendar entry says; ``join_url`` is empty unless the person may see it now."""

    summary: str
    place: str
    description: str
    join_url: str
    sequence: int


def span_wording(starts_at: datetime, ends_at: datetime, zone: str) -> str:
    """'Tue 16 Mar 2027, 09:00-10:00 CDT (America/Chicago)', read where the session happens."""
    tz = ZoneInfo(zone)
    start, end = starts_at.astimezone(tz), ends_at.astimezone(tz)
    day = f"{start:%a} {start.day} {start:%b %Y}"
    if start.date() == end.date():
        return f"{day}, {start:%H:%M}{DASH}{end:%H:%M} {end.tzname()} ({zone})"
    return f"{day} {start:%H:%M} {DASH} {end:%a} {end.day} {end:%b %Y} {end:%H:%M} {end.tzname()} ({zone})"


async def organizer(event: dict[str, Any]) -> str:
    """The ORGANIZER of an event's invites: its program's contact address, else MAIL_FROM.

    A client sends Accept/Decline to the organizer; grandrounds processes no
    replies, so invites ask for none (RSVP=FALSE) and name an address a
    person reads rather than the no-reply sender.
    """
    if event.get("program") is not None:
        program = (
            await Program.select(Program.name, Program.contact_email)
            .where(Program.id == event["program"])
            .first()
        )
        if program is not None and program["contact_email"]:
            return formataddr((program["name"], program["contact_email"]))
    return get_settings().mail_from


async def _person(person_id: int | None) -> dict[str, Any]:
    if person_id is None:
        return {}
    row = await Person.select(Person.name, Person.time_zone).where(Person.id == person_id).first()
    return row or {}


async def _event(event_id: int, what: str) -> dict[str, Any]:
    event = await Event.select().where(Event.id == event_id).first()
    if event is None:
        raise InviteUnavailable(f"{what}: event {event_id} no longer exists")
    return event


def _context(
    event: dict[str, Any],
    person: dict[str, Any],
    span: tuple[datetime, datetime],
    place: str,
    sequence: int,
    session_title: str,
) -> dict[str, Any]:
    zone = event["time_zone"]
    mine = person.get("time_zone") or ""
    return {
        "name": person.get("name", ""),
        "event_title": event["title"],
        "session_title": session_title,
        "when": span_wording(*span, zone),
        "when_yours": span_wording(*span, mine) if mine and mine != zone else "",
        "place": place,
        "details_url": f"{get_settings().base_url}/events/{event['id']}",
        "is_update": sequence > 0,
    }


async def _speaks(session_id: int, ref: InviteRef) -> bool:
    if ref.speaker_id is not None:
        who = SessionSpeaker.id == ref.speaker_id
    elif ref.person_id is not None:
        who = SessionSpeaker.person == ref.person_id
    else:
        who = SessionSpeaker.email_key == ref.email
    return bool(
        await SessionSpeaker.exists().where(
            (SessionSpeaker.session == session_id) & who & SessionSpeaker.status.is_in(list(SPEAKERS_UPDATED))
        )
    )


async def _attends(ref: InviteRef, covers: Any) -> bool:
    if ref.person_id is None:
        return False
    return bool(
        await Registration.exists().where(
            covers
            & (Registration.person == ref.person_id)
            & (Registration.status == RegistrationStatus.CONFIRMED)
        )
    )


async def resolve_session(ref: InviteRef) -> ResolvedInvite:
    """One person's copy of a session, from the session and event rows as they are now."""
    session = await Session.select().where(Session.id == ref.id).first()
    if session is None:
        raise InviteUnavailable(f"session {ref.id} no longer exists")
    event = await _event(session["event"], f"session {ref.id}")
    if ref.method == "REQUEST" and "cancelled" in (session["status"], event["status"]):
        raise InviteUnavailable(f"session {ref.id} was cancelled after this invite was queued")
    person = await _person(ref.person_id)
    if ref.speaker_id is not None:
        speaker = (
            await SessionSpeaker.select(SessionSpeaker.name)
            .where(SessionSpeaker.id == ref.speaker_id)
            .first()
        )
        person = {**person, "name": speaker["name"] if speaker else person.get("name", "")}
    link = join_link(session, event)
    may_join = False
    if ref.reveal_join_url and ref.method == "REQUEST" and link:
        # Any confirmed place that covers the session entitles to the link, a conference's too.
        covers = Registration.session == session["id"]
        if session["capacity"] is None:
            covers = covers | ((Registration.event == event["id"]) & Registration.session.is_null())
        may_join = await _speaks(session["id"], ref) or await _attends(ref, covers)
    place = session["room"] or event["venue"]
    summary = (
        session["title"] if session["title"] == event["title"] else f"{session['title']} · {event['title']}"
    )
    span = (session["starts_at"], session["ends_at"])
    context = _context(event, person, span, place, session["sequence"], session["title"])
    shown = Shown(summary, place, session["description"], link if may_join else "", session["sequence"])
    invitation = _invitation(ref, event, span, shown, context["name"], await organizer(event))
    return ResolvedInvite(invitation=invitation, context=context)


async def resolve_event(ref: InviteRef) -> ResolvedInvite:
    """One person's copy of a whole event (a conference): its span, venue and link as they are now."""
    event = await _event(ref.id, f"event {ref.id}")
    if ref.method == "REQUEST" and event["status"] == "cancelled":
        raise InviteUnavailable(f"event {ref.id} was cancelled after this invite was queued")
    person = await _person(ref.person_id)
    link = event["join_url"]
    may_join = False
    if ref.reveal_join_url and ref.method == "REQUEST" and link:
        may_join = await _attends(ref, (Registration.event == event["id"]) & Registration.session.is_null())
    span = (event["starts_at"], event["ends_at"])
    context = _context(event, person, span, event["venue"], event["sequence"], "")
    shown = Shown(
        event["title"], event["venue"], event["description"], link if may_join else "", event["sequence"]
    )
    invitation = _invitation(ref, event, span, shown, context["name"], await organizer(event))
    return ResolvedInvite(invitation=invitation, context=context)


def _invitation(
    ref: InviteRef,
    event: dict[str, Any],
    span: tuple[datetime, datetime],
    shown: Shown,
    name: str,
    organizer: str,
) -> Invitation:
    settings = get_settings()
    return Invitation(
        method=ref.method,
        uid=ref.uid,
        sequence=shown.sequence,
        starts_at=span[0],
        ends_at=span[1],
        time_zone=event["time_zone"],
        summary=shown.summary,
        organizer=organizer,
        attendee_email=ref.email,
        attendee_name=name,
        partstat=ref.partstat,
        place=shown.place,
        description=shown.description,
        url=f"{settings.base_url}/events/{event['id']}",
        join_url=shown.join_url,
        reveal_join_url=bool(shown.join_url),
        stamp=now(),
    )
