"""Calendar invites: who holds a copy, and queuing REQUEST/CANCEL with the change.

Every function here runs inside the caller's write transaction, so an invite
is queued with the change that causes it or not at all. What is queued is a
small reference (notifications.invites.InviteRef); the calendar object is
built when the message goes out (events.services.invites.delivery), so the
transaction stays short and the invite carries the rows as they are then.

Who holds which copy:

- a session's copy (UID per session and person): its invited and accepted
  speakers; registrants who booked a seat in it (the registration names the
  session); and at a one-sitting event (webinar, workshop, consultation) the
  confirmed whole-event registrants, for each session without a seat limit;
- the event's copy (UID per event and person, SEQUENCE ``Event.sequence``):
  a confirmed whole-event registration at a conference. Its sessions are in
  the person's feed, so adding or moving one sends them nothing; the copy
  changes only with the event's own span, zone, venue or link.

Each copy has its own UID, so one person's withdrawal cancels only their
copy. Whether the join link may be shown is decided here from the person's
state (speakers still invited or accepted, confirmed registrants) and checked
again at delivery; a pending or waitlisted person never holds a copy.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from accounts.tables import Person
from events.registration_status import RegistrationStatus
from events.services.consultations import bookings as consultations
from events.services.invites.holders import (
    SPEAKERS_CANCELLED,
    SPEAKERS_UPDATED,
    Invitee,
    Method,
    covering,
    enqueue_event_copy,
    enqueue_session_copy,
    event_holders,
    event_moved,
    event_uid,
    holds_event_copy,
    invitees,
    registrant,
    registrant_uid,
    session_event,
    speaker_invitee,
)
from events.services.invites.holders import speaker_uid as speaker_uid  # a new speaker's UID
from events.tables import Event, Registration, RegistrationChange, Session, SessionSpeaker
from notifications.outbox import enqueue_email


async def _ever_confirmed(registration_id: int) -> bool:
    return bool(
        await RegistrationChange.exists().where(
            (RegistrationChange.registration == registration_id)
            & (RegistrationChange.to_status == RegistrationStatus.CONFIRMED)
        )
    )


async def _speaker_holds(session_id: int, uid: str, person_id: int) -> bool:
    """Does the person hold this very copy (same UID) as a speaker still invited or accepted?"""
    same = (SessionSpeaker.invite_uid == uid) | (
        (SessionSpeaker.invite_uid == "") & (SessionSpeaker.person == person_id)
    )
    return bool(
        await SessionSpeaker.exists().where(
            (SessionSpeaker.session == session_id)
            & SessionSpeaker.status.is_in(list(SPEAKERS_UPDATED))
            & same
        )
    )


async def enqueue_registrant_invite(registration_id: int, method: Method) -> int:
    """REQUEST when a registration becomes confirmed; CANCEL when a confirmed one ends.

    Safe to call at any state change: a REQUEST for an unconfirmed
    registration, or a CANCEL for one that never held a copy, sends nothing.
    A whole-event place at a conference is one copy of the event; otherwise
    one copy per session the place covers. Copies the person still holds
    another way (as a speaker, or through a second registration) are left
    alone. Returns the number of invites queued. Reads only the rows it
    needs: this runs inside every confirmation.
    """
    reg = await Registration.select().where(Registration.id == registration_id).first()
    if reg is None:
        return 0
    if method == "REQUEST" and reg["status"] != RegistrationStatus.CONFIRMED:
        return 0
    if method == "CANCEL" and (
        reg["status"] == RegistrationStatus.CONFIRMED or not await _ever_confirmed(registration_id)
    ):
        return 0
    event = await Event.select().where(Event.id == reg["event"]).first()
    if event is None or event["status"] == "cancelled":
        return 0
    if reg["session"] is None and holds_event_copy(event):
        await enqueue_event_copy(
            event, registrant(event_uid(event["id"], reg["person"]), reg, method), method
        )
        return 1
    scope = (Session.event == reg["event"]) & (Session.status == "scheduled")
    scope = scope & (Session.id == reg["session"] if reg["session"] else Session.capacity.is_null())
    queued = 0
    for session in await Session.select().where(scope).order_by(Session.starts_at):
        uid = registrant_uid(session["id"], reg["person"])
        if await _speaker_holds(session["id"], uid, reg["person"]):
            continue  # their speaker copy stands for this one, and stays
        if method == "CANCEL" and await Registration.exists().where(
            covering(session, event)
            & (Registration.person == reg["person"])
            & (Registration.status == RegistrationStatus.CONFIRMED)
            & (Registration.id != reg["id"])
        ):
            continue  # still held through another registration
        await enqueue_session_copy(session, event, registrant(uid, reg, method), method)
        queued += 1
    return queued


async def enqueue_speaker_invite(
    speaker_id: int, method: Method, *, respond_url: str = "", reason: str = ""
) -> int:
    """REQUEST (the first one carries the accept/decline link) or CANCEL to one speaker.

    Withdrawing a speaker who also holds the session's copy as a registrant
    turns their copy back into an attendee's instead of cancelling it. The
    answer link is a secret: the outbox row blanks it once delivered.
    """
    row = await SessionSpeaker.select().where(SessionSpeaker.id == speaker_id).first()
    if row is None:
        return 0
    session, event = await session_event(row["session"])
    if session["status"] != "scheduled" or event["status"] == "cancelled":
        return 0
    invitee = speaker_invitee(row)
    if method == "CANCEL":
        attending = None
        if row["person"] is not None and invitee.uid == registrant_uid(session["id"], row["person"]):
            attending = (
                await Registration.select(Registration.person, Registration.email_key)
                .where(
                    covering(session, event)
                    & (Registration.person == row["person"])
                    & (Registration.status == RegistrationStatus.CONFIRMED)
                )
                .first()
            )
        if attending is not None:
            await enqueue_session_copy(session, event, registrant(invitee.uid, attending), "REQUEST")
        else:
            await enqueue_session_copy(session, event, invitee, "CANCEL", reason=reason)
        return 1
    if respond_url:
        await enqueue_session_copy(
            session,
            event,
            invitee,
            "REQUEST",
            template="speaker_invitation",
            extra={"respond_url": respond_url},
            secret_keys=("respond_url",),
        )
    else:
        await enqueue_session_copy(session, event, invitee, "REQUEST", reason=reason)
    return 1


async def announce_session_change(
    session_id: int, before: dict[str, Invitee], *, moved: bool, reason: str = ""
) -> int:
    """After a change: updates to everyone who holds a copy (all of them when time, place or
    link moved; else only newcomers), and CANCEL to anyone the change left without one.

    ``before`` is :func:`invitees` taken before the change. A conference's
    whole-event registrants hold no session copies, so they hear nothing.
    """
    session, event = await session_event(session_id)
    if event["status"] == "cancelled" or session["status"] != "scheduled":
        return 0
    after = await invitees(session_id)
    queued = 0
    for uid, invitee in before.items():
        if uid not in after:
            await enqueue_session_copy(session, event, invitee, "CANCEL", reason=reason)
            queued += 1
    for uid, invitee in after.items():
        if moved or uid not in before:
            await enqueue_session_copy(session, event, invitee, "REQUEST", reason=reason)
            queued += 1
    return queued


async def announce_session_cancelled(session_id: int, reason: str) -> int:
    """CANCEL to every holder of a copy; call after the session's status and SEQUENCE changed."""
    session, event = await session_event(session_id)
    holders = await invitees(session_id, SPEAKERS_CANCELLED)
    for invitee in holders.values():
        await enqueue_session_copy(session, event, invitee, "CANCEL", reason=reason)
    return len(holders) + await consultations.cancel_bookings([session_id], event["id"], reason)


async def announce_event_change(old: dict[str, Any], new: dict[str, Any]) -> int:
    """After an event's own span, zone, venue or link changed: raise its SEQUENCE and send every
    holder of its copy (a conference's whole-event registrants) one update.

    ``old`` is the event row before the change, ``new`` the same with the
    changes applied. Sessions that moved with it are announced on their own.
    """
    if not event_moved(old, new):
        return 0
    sequence = old["sequence"] + 1
    await Event.update({Event.sequence: sequence}).where(Event.id == old["id"])
    event = {**new, "sequence": sequence}
    holders = await event_holders(event)
    for invitee in holders:
        await enqueue_event_copy(event, invitee, "REQUEST")
    return len(holders)


@dataclass(frozen=True, slots=True)
class _Copy:
    """One calendar copy a registrant holds: a session's, or (session None) the event's."""

    session: dict[str, Any] | None
    invitee: Invitee


async def _cancel_copy(
    event: dict[str, Any],
    copy: _Copy,
    reason: str,
    template: str | None = None,
    extra: dict[str, Any] | None = None,
) -> None:
    if copy.session is None:
        await enqueue_event_copy(event, copy.invitee, "CANCEL", template=template, reason=reason, extra=extra)
    else:
        await enqueue_session_copy(
            copy.session, event, copy.invitee, "CANCEL", template=template, reason=reason, extra=extra
        )


async def announce_event_cancelled(
    event_id: int, session_ids: list[int], live: list[dict[str, Any]], reason: str
) -> int:
    """Tell everyone with a live registration, and every speaker, that the event is off.

    Call before the registrations are moved (their state decides who held a
    copy) and after the sessions were marked cancelled with a higher SEQUENCE;
    the event's own SEQUENCE goes up here. One CANCEL per copy a person holds:
    a registrant with a single copy (a webinar's session, a conference as a
    whole) gets one email that carries it; with several, one email plus a
    CANCEL per copy. Pending and waitlisted people get the email without any
    calendar part.
    """
    found = await Event.select().where(Event.id == event_id).first()
    assert found is not None
    event = {**found, "sequence": found["sequence"] + 1}
    await Event.update({Event.sequence: event["sequence"]}).where(Event.id == event_id)
    copies: dict[int, list[_Copy]] = {}
    queued = await consultations.cancel_bookings(session_ids, event_id, reason)
    for session_id in session_ids:
        session, _ = await session_event(session_id)
        for invitee in (await invitees(session_id, SPEAKERS_CANCELLED)).values():
            if invitee.speaker_id is None and invitee.person_id is not None:
                copies.setdefault(invitee.person_id, []).append(_Copy(session, invitee))
            else:
                await enqueue_session_copy(session, event, invitee, "CANCEL", reason=reason)
                queued += 1
    for invitee in await event_holders(event):
        assert invitee.person_id is not None
        copies.setdefault(invitee.person_id, []).append(_Copy(None, invitee))
    names = await _names({r["person"] for r in live})
    told: set[int] = set()
    for reg in live:
        if reg["person"] in told:
            continue
        told.add(reg["person"])
        held = copies.pop(reg["person"], [])
        extra = {"event_title": event["title"], "reason": reason, "session_title": ""}
        if len(held) == 1:
            await _cancel_copy(event, held[0], reason, template="event_cancelled", extra=extra)
        else:
            await enqueue_email(
                "event_cancelled",
                reg["email_key"],
                {"name": names.get(reg["person"], ""), **extra},
                person_id=reg["person"],
                program_id=event["program"],
            )
            for copy in held:
                await _cancel_copy(event, copy, reason)
                queued += 1
        queued += 1
    return queued


async def _names(ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = await Person.select(Person.id, Person.name).where(Person.id.is_in(list(ids)))
    return {r["id"]: r["name"] for r in rows}
