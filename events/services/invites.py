"""Calendar invites for sessions: who holds a copy, and queuing REQUEST/CANCEL with the change.

Every function here runs inside the caller's write transaction, so an invite
is queued with the change that causes it or not at all.

Who holds a copy of a session: its invited and accepted speakers, and its
confirmed registrants (a whole-event registration covers every session that
has no seat limit of its own; a seat in a limited session is a registration
naming that session). Each copy has its own UID, so one person's withdrawal
cancels only their copy. The join link goes only to speakers and confirmed
registrants; a pending or waitlisted person never holds a copy at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal
from zoneinfo import ZoneInfo

from accounts.tables import Person
from events.tables import Event, Registration, RegistrationChange, Session, SessionSpeaker
from grandrounds.db import now
from grandrounds.settings import get_settings
from notifications.calendar import Invitation, PartStat, build_invite, invite_uid
from notifications.outbox import enqueue_email

Method = Literal["REQUEST", "CANCEL"]
SPEAKER_PARTSTAT: dict[str, PartStat] = {
    "invited": "NEEDS-ACTION",
    "accepted": "ACCEPTED",
    "declined": "DECLINED",
}
# Speakers who get updates; a cancellation also reaches those who declined.
SPEAKERS_UPDATED = ("invited", "accepted")
SPEAKERS_CANCELLED = ("invited", "accepted", "declined")
DASH = "\N{EN DASH}"


@dataclass(frozen=True, slots=True)
class Invitee:
    uid: str
    email: str
    name: str
    person_id: int | None
    partstat: PartStat
    may_join: bool
    time_zone: str = ""
    speaker_id: int | None = None


def registrant_uid(session_id: int, person_id: int) -> str:
    return invite_uid(session_id, get_settings().base_url, person_id=person_id)


def speaker_uid(session_id: int, person_id: int | None, email: str) -> str:
    return invite_uid(session_id, get_settings().base_url, person_id=person_id, email=email)


async def _people(ids: set[int]) -> dict[int, dict[str, Any]]:
    if not ids:
        return {}
    rows = await Person.select(Person.id, Person.name, Person.time_zone).where(Person.id.is_in(list(ids)))
    return {r["id"]: r for r in rows}


def _speaker_invitee(row: dict[str, Any], zone: str) -> Invitee:
    return Invitee(
        uid=row["invite_uid"] or speaker_uid(row["session"], row["person"], row["email_key"]),
        email=row["email_key"],
        name=row["name"],
        person_id=row["person"],
        partstat=SPEAKER_PARTSTAT.get(row["status"], "NEEDS-ACTION"),
        may_join=row["status"] in SPEAKERS_UPDATED,
        time_zone=zone,
        speaker_id=row["id"],
    )


async def _speakers(session_id: int, statuses: tuple[str, ...]) -> list[Invitee]:
    rows = await SessionSpeaker.select().where(
        (SessionSpeaker.session == session_id) & SessionSpeaker.status.is_in(list(statuses))
    )
    people = await _people({r["person"] for r in rows if r["person"] is not None})
    return [_speaker_invitee(r, people.get(r["person"], {}).get("time_zone", "")) for r in rows]


async def _registrants(session: dict[str, Any]) -> list[Invitee]:
    covers = Registration.session == session["id"]
    if session["capacity"] is None:
        covers = covers | ((Registration.event == session["event"]) & Registration.session.is_null())
    rows = await Registration.select(Registration.person, Registration.email_key).where(
        covers & (Registration.status == "confirmed")
    )
    people = await _people({r["person"] for r in rows})
    return [
        Invitee(
            uid=registrant_uid(session["id"], r["person"]),
            email=r["email_key"],
            name=people.get(r["person"], {}).get("name", ""),
            person_id=r["person"],
            partstat="ACCEPTED",
            may_join=True,
            time_zone=people.get(r["person"], {}).get("time_zone", ""),
        )
        for r in rows
    ]


async def invitees(session_id: int, speakers: tuple[str, ...] = SPEAKERS_UPDATED) -> dict[str, Invitee]:
    """Everyone who holds a copy of the session now, by UID; a speaker's copy wins over a registrant's."""
    session = await Session.select().where(Session.id == session_id).first()
    if session is None:
        return {}
    found: dict[str, Invitee] = {}
    for invitee in await _speakers(session_id, speakers) + await _registrants(session):
        found.setdefault(invitee.uid, invitee)
    return found


def span_wording(starts_at: datetime, ends_at: datetime, zone: str) -> str:
    """'Tue 16 Mar 2027, 09:00-10:00 CDT (America/Chicago)', read where the session happens."""
    tz = ZoneInfo(zone)
    start, end = starts_at.astimezone(tz), ends_at.astimezone(tz)
    day = f"{start:%a} {start.day} {start:%b %Y}"
    if start.date() == end.date():
        return f"{day}, {start:%H:%M}{DASH}{end:%H:%M} {end.tzname()} ({zone})"
    return f"{day} {start:%H:%M} {DASH} {end:%a} {end.day} {end:%b %Y} {end:%H:%M} {end.tzname()} ({zone})"


async def _session_event(session_id: int) -> tuple[dict[str, Any], dict[str, Any]]:
    session = await Session.select().where(Session.id == session_id).first()
    if session is None:
        raise LookupError(f"session {session_id} is gone")
    event = await Event.select().where(Event.id == session["event"]).first()
    assert event is not None
    return session, event


async def _enqueue(
    session: dict[str, Any],
    event: dict[str, Any],
    invitee: Invitee,
    method: Method,
    *,
    template: str | None = None,
    reason: str = "",
    extra: dict[str, Any] | None = None,
) -> None:
    settings = get_settings()
    link = session["join_url"] or event["join_url"]
    reveal = invitee.may_join and method == "REQUEST" and bool(link)
    place = session["room"] or event["venue"]
    details_url = f"{settings.base_url}/events/{event['id']}"
    summary = (
        session["title"] if session["title"] == event["title"] else f"{session['title']} · {event['title']}"
    )
    ics = build_invite(
        Invitation(
            method=method,
            uid=invitee.uid,
            sequence=session["sequence"],
            starts_at=session["starts_at"],
            ends_at=session["ends_at"],
            time_zone=event["time_zone"],
            summary=summary,
            organizer=settings.mail_from,
            attendee_email=invitee.email,
            attendee_name=invitee.name,
            partstat=invitee.partstat,
            place=place,
            description=session["description"],
            url=details_url,
            join_url=link if reveal else "",
            reveal_join_url=reveal,
            stamp=now(),
        )
    )
    yours = ""
    if invitee.time_zone and invitee.time_zone != event["time_zone"]:
        yours = span_wording(session["starts_at"], session["ends_at"], invitee.time_zone)
    context = {
        "name": invitee.name,
        "event_title": event["title"],
        "session_title": session["title"],
        "when": span_wording(session["starts_at"], session["ends_at"], event["time_zone"]),
        "when_yours": yours,
        "place": place,
        "join_url": link if reveal else "",
        "details_url": details_url,
        "is_update": session["sequence"] > 0,
        "partstat": invitee.partstat,
        "reason": reason,
        "ics": ics,
        "ics_method": method,
        **(extra or {}),
    }
    if template is None:
        template = "session_invite" if method == "REQUEST" else "session_invite_cancelled"
    await enqueue_email(template, invitee.email, context, person_id=invitee.person_id)


async def _ever_confirmed(registration_id: int) -> bool:
    return bool(
        await RegistrationChange.exists().where(
            (RegistrationChange.registration == registration_id)
            & (RegistrationChange.to_status == "confirmed")
        )
    )


async def enqueue_registrant_invite(registration_id: int, method: Method) -> int:
    """REQUEST when a registration becomes confirmed; CANCEL when a confirmed one ends.

    Safe to call at any state change: a REQUEST for an unconfirmed
    registration, or a CANCEL for one that never held a copy, sends nothing.
    Copies the person still holds another way (as a speaker, or through a
    second registration) are left alone. Returns the number of invites queued.
    """
    reg = await Registration.select().where(Registration.id == registration_id).first()
    if reg is None:
        return 0
    if method == "REQUEST" and reg["status"] != "confirmed":
        return 0
    if method == "CANCEL" and (reg["status"] == "confirmed" or not await _ever_confirmed(registration_id)):
        return 0
    event = await Event.select().where(Event.id == reg["event"]).first()
    if event is None or event["status"] == "cancelled":
        return 0
    scope = (Session.event == reg["event"]) & (Session.status == "scheduled")
    scope = scope & (Session.id == reg["session"] if reg["session"] else Session.capacity.is_null())
    person = (await _people({reg["person"]})).get(reg["person"], {})
    queued = 0
    for session in await Session.select().where(scope).order_by(Session.starts_at):
        uid = registrant_uid(session["id"], reg["person"])
        holder = (await invitees(session["id"])).get(uid)
        if method == "REQUEST" and holder is not None and holder.speaker_id is not None:
            continue  # their speaker copy stands for this one
        if method == "CANCEL" and holder is not None:
            continue  # still held another way
        invitee = Invitee(
            uid=uid,
            email=reg["email_key"],
            name=person.get("name", ""),
            person_id=reg["person"],
            partstat="ACCEPTED",
            may_join=method == "REQUEST",
            time_zone=person.get("time_zone", ""),
        )
        await _enqueue(session, event, invitee, method)
        queued += 1
    return queued


async def enqueue_speaker_invite(
    speaker_id: int, method: Method, *, respond_url: str = "", reason: str = ""
) -> int:
    """REQUEST (the first one carries the accept/decline link) or CANCEL to one speaker.

    Withdrawing a speaker who also holds a confirmed registration for the
    session turns their copy back into an attendee's instead of cancelling it.
    """
    row = await SessionSpeaker.select().where(SessionSpeaker.id == speaker_id).first()
    if row is None:
        return 0
    session, event = await _session_event(row["session"])
    if session["status"] != "scheduled" or event["status"] == "cancelled":
        return 0
    person = (await _people({row["person"]} if row["person"] else set())).get(row["person"], {})
    invitee = _speaker_invitee(row, person.get("time_zone", ""))
    if method == "CANCEL":
        registrants = {i.uid: i for i in await _registrants(session)}
        if invitee.uid in registrants:
            await _enqueue(session, event, registrants[invitee.uid], "REQUEST")
            return 1
        await _enqueue(session, event, invitee, "CANCEL", reason=reason)
        return 1
    if respond_url:
        await _enqueue(
            session,
            event,
            invitee,
            "REQUEST",
            template="speaker_invitation",
            extra={"respond_url": respond_url},
        )
    else:
        await _enqueue(session, event, invitee, "REQUEST", reason=reason)
    return 1


async def announce_session_change(
    session_id: int, before: dict[str, Invitee], *, moved: bool, reason: str = ""
) -> int:
    """After a change: updates to everyone who holds a copy (all of them when time, place or
    link moved; else only newcomers), and CANCEL to anyone the change left without one.

    ``before`` is :func:`invitees` taken before the change.
    """
    session, event = await _session_event(session_id)
    if event["status"] == "cancelled" or session["status"] != "scheduled":
        return 0
    after = await invitees(session_id)
    queued = 0
    for uid, invitee in before.items():
        if uid not in after:
            await _enqueue(session, event, invitee, "CANCEL", reason=reason)
            queued += 1
    for uid, invitee in after.items():
        if moved or uid not in before:
            await _enqueue(session, event, invitee, "REQUEST", reason=reason)
            queued += 1
    return queued


async def announce_session_cancelled(session_id: int, reason: str) -> int:
    """CANCEL to every holder of a copy; call after the session's status and SEQUENCE changed."""
    session, event = await _session_event(session_id)
    holders = await invitees(session_id, SPEAKERS_CANCELLED)
    for invitee in holders.values():
        await _enqueue(session, event, invitee, "CANCEL", reason=reason)
    return len(holders)


async def announce_event_cancelled(
    event_id: int, session_ids: list[int], live: list[dict[str, Any]], reason: str
) -> int:
    """Tell everyone with a live registration, and every speaker, that the event is off.

    Call before the registrations are moved (their state decides who held a
    copy) and after the sessions were marked cancelled with a higher SEQUENCE.
    A registrant with a single copy (a webinar, a workshop) gets one email
    that carries the CANCEL; with several, one email plus a CANCEL per session.
    Pending and waitlisted people get the email without any calendar part.
    """
    event = await Event.select().where(Event.id == event_id).first()
    assert event is not None
    copies: dict[int, list[tuple[dict[str, Any], Invitee]]] = {}
    queued = 0
    for session_id in session_ids:
        session, _ = await _session_event(session_id)
        for invitee in (await invitees(session_id, SPEAKERS_CANCELLED)).values():
            if invitee.speaker_id is None and invitee.person_id is not None:
                copies.setdefault(invitee.person_id, []).append((session, invitee))
            else:
                await _enqueue(session, event, invitee, "CANCEL", reason=reason)
                queued += 1
    people = await _people({r["person"] for r in live})
    told: set[int] = set()
    for reg in live:
        if reg["person"] in told:
            continue
        told.add(reg["person"])
        held = copies.pop(reg["person"], [])
        extra = {"event_title": event["title"], "reason": reason, "session_title": ""}
        if len(held) == 1:
            session, invitee = held[0]
            await _enqueue(
                session, event, invitee, "CANCEL", template="event_cancelled", reason=reason, extra=extra
            )
        else:
            name = people.get(reg["person"], {}).get("name", "")
            await enqueue_email(
                "event_cancelled", reg["email_key"], {"name": name, **extra}, person_id=reg["person"]
            )
            for session, invitee in held:
                await _enqueue(session, event, invitee, "CANCEL", reason=reason)
                queued += 1
        queued += 1
    return queued
