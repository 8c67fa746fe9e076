"""Who holds which calendar copy, and queuing one copy's REQUEST or CANCEL.

The pieces events.services.invites.copies is made of. A session's copy (UID per
session and person) is held by its invited and accepted speakers, by
registrants who booked a seat in it, and at a one-sitting event (webinar,
workshop, consultation) by the confirmed whole-event registrants, for each
session without a seat limit. A conference's whole-event registrant holds one
copy of the event instead (UID per event and person, SEQUENCE
``Event.sequence``). Queuing writes only a reference (notifications.invites):
time, place, link and the calendar object come at delivery.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from events.registration_status import RegistrationStatus
from events.tables import Event, Registration, Session, SessionSpeaker
from grandrounds.settings import get_settings
from notifications.calendar import PartStat, event_invite_uid, invite_uid
from notifications.invites import InviteRef, enqueue_invite

Method = Literal["REQUEST", "CANCEL"]
SPEAKER_PARTSTAT: dict[str, PartStat] = {
    "invited": "NEEDS-ACTION",
    "accepted": "ACCEPTED",
    "declined": "DECLINED",
}
# Speakers who get updates; a cancellation also reaches those who declined.
SPEAKERS_UPDATED = ("invited", "accepted")
SPEAKERS_CANCELLED = ("invited", "accepted", "declined")
# Kinds whose whole-event registrants hold one copy of the event, not one per session.
EVENT_COPY_KINDS = ("conference",)


@dataclass(frozen=True, slots=True)
class Invitee:
    uid: str
    email: str
    person_id: int | None
    partstat: PartStat
    may_join: bool
    speaker_id: int | None = None


def registrant_uid(session_id: int, person_id: int) -> str:
    return invite_uid(session_id, get_settings().base_url, person_id=person_id)


def speaker_uid(session_id: int, person_id: int | None, email: str) -> str:
    return invite_uid(session_id, get_settings().base_url, person_id=person_id, email=email)


def event_uid(event_id: int, person_id: int) -> str:
    return event_invite_uid(event_id, get_settings().base_url, person_id)


def holds_event_copy(event: dict[str, Any]) -> bool:
    """Do whole-event registrants of this event hold one copy of the event (a conference)?"""
    return event["kind"] in EVENT_COPY_KINDS


def event_moved(old: dict[str, Any], new: dict[str, Any]) -> bool:
    """Did the event's own span, zone, venue or join link change (what its copy shows)?"""
    return any(old[k] != new[k] for k in ("starts_at", "ends_at", "time_zone", "venue", "join_url"))


def covering(session: dict[str, Any], event: dict[str, Any]) -> Any:
    """Registrations whose confirmed place holds a copy of the session."""
    covers = Registration.session == session["id"]
    if session["capacity"] is None and not holds_event_copy(event):
        covers = covers | ((Registration.event == event["id"]) & Registration.session.is_null())
    return covers


def speaker_invitee(row: dict[str, Any]) -> Invitee:
    return Invitee(
        uid=row["invite_uid"] or speaker_uid(row["session"], row["person"], row["email_key"]),
        email=row["email_key"],
        person_id=row["person"],
        partstat=SPEAKER_PARTSTAT.get(row["status"], "NEEDS-ACTION"),
        may_join=row["status"] in SPEAKERS_UPDATED,
        speaker_id=row["id"],
    )


def registrant(uid: str, row: dict[str, Any], method: Method = "REQUEST") -> Invitee:
    return Invitee(
        uid=uid,
        email=row["email_key"],
        person_id=row["person"],
        partstat="ACCEPTED",
        may_join=method == "REQUEST",
    )


async def speakers_of(session_id: int, statuses: tuple[str, ...]) -> list[Invitee]:
    rows = await SessionSpeaker.select().where(
        (SessionSpeaker.session == session_id) & SessionSpeaker.status.is_in(list(statuses))
    )
    return [speaker_invitee(r) for r in rows]


async def registrants(session: dict[str, Any], event: dict[str, Any]) -> list[Invitee]:
    rows = await Registration.select(Registration.person, Registration.email_key).where(
        covering(session, event) & (Registration.status == RegistrationStatus.CONFIRMED)
    )
    return [registrant(registrant_uid(session["id"], r["person"]), r) for r in rows]


async def event_holders(event: dict[str, Any]) -> list[Invitee]:
    if not holds_event_copy(event):
        return []
    rows = await Registration.select(Registration.person, Registration.email_key).where(
        (Registration.event == event["id"])
        & Registration.session.is_null()
        & (Registration.status == RegistrationStatus.CONFIRMED)
    )
    return [registrant(event_uid(event["id"], r["person"]), r) for r in rows]


async def session_event(session_id: int) -> tuple[dict[str, Any], dict[str, Any]]:
    session = await Session.select().where(Session.id == session_id).first()
    if session is None:
        raise LookupError(f"session {session_id} is gone")
    event = await Event.select().where(Event.id == session["event"]).first()
    assert event is not None
    return session, event


async def invitees(session_id: int, speakers: tuple[str, ...] = SPEAKERS_UPDATED) -> dict[str, Invitee]:
    """Everyone who holds a copy of the session now, by UID; a speaker's copy wins over a registrant's."""
    try:
        session, event = await session_event(session_id)
    except LookupError:
        return {}
    found: dict[str, Invitee] = {}
    for invitee in await speakers_of(session_id, speakers) + await registrants(session, event):
        found.setdefault(invitee.uid, invitee)
    return found


async def enqueue_session_copy(
    session: dict[str, Any],
    event: dict[str, Any],
    invitee: Invitee,
    method: Method,
    *,
    template: str | None = None,
    reason: str = "",
    extra: dict[str, Any] | None = None,
    secret_keys: tuple[str, ...] = (),
) -> None:
    """Queue one person's copy of a session; time, place, link and calendar come at delivery."""
    ref = InviteRef(
        kind="session",
        id=session["id"],
        uid=invitee.uid,
        email=invitee.email,
        method=method,
        partstat=invitee.partstat,
        person_id=invitee.person_id,
        speaker_id=invitee.speaker_id,
        reveal_join_url=invitee.may_join and method == "REQUEST",
    )
    context = {
        "event_title": event["title"],
        "session_title": session["title"],
        "is_update": session["sequence"] > 0,
        "reason": reason,
        **(extra or {}),
    }
    if template is None:
        template = "session_invite" if method == "REQUEST" else "session_invite_cancelled"
    await enqueue_invite(
        template,
        ref,
        context,
        floor=session["sequence"],
        secret_keys=secret_keys,
        program_id=event.get("program"),
    )


async def enqueue_event_copy(
    event: dict[str, Any],
    invitee: Invitee,
    method: Method,
    *,
    template: str | None = None,
    reason: str = "",
    extra: dict[str, Any] | None = None,
) -> None:
    """Queue one person's copy of a whole event (a conference)."""
    ref = InviteRef(
        kind="event",
        id=event["id"],
        uid=invitee.uid,
        email=invitee.email,
        method=method,
        partstat=invitee.partstat,
        person_id=invitee.person_id,
        reveal_join_url=invitee.may_join and method == "REQUEST",
    )
    context = {
        "event_title": event["title"],
        "session_title": "",
        "is_update": event["sequence"] > 0,
        "reason": reason,
        **(extra or {}),
    }
    if template is None:
        template = "event_invite" if method == "REQUEST" else "event_invite_cancelled"
    await enqueue_invite(template, ref, context, floor=event["sequence"], program_id=event.get("program"))
