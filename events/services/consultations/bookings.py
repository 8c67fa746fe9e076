"""Consultations: the expert holds a calendar copy of every booking of their slot.

A consultation is an event whose sessions are bookable slots (a session with
its own capacity; a registration names the slot). The person who books (a
member, or an organization's leader for a colleague) holds their copy of the
slot like any seat holder (events.services.invites.copies). The expert needs to know
the slot was taken and by whom, so each confirmed booking also gives every
expert a copy of its own, "Consultation with <booker>", with a UID per
(booking, expert): REQUEST when the booking is confirmed, CANCEL with the same
UID when it ends (the booker cancels, it is refunded, the slot or the event is
cancelled). A rebooked slot is a new booking and a new copy, so an expert's
calendar never shows a booking that is gone.

The expert is the slot's speaker (invited or accepted; a declined or
withdrawn speaker is not); a slot without one is hosted by whoever created
the event. Every function runs inside the caller's write transaction and
queues only a reference (kind ``booking``, id = the registration); the
calendar object is built at delivery by events.services.consultations.delivery.
"""

from __future__ import annotations

import hashlib
from typing import Any

from accounts.tables import Person
from events.registration_status import RegistrationStatus
from events.services.invites.holders import SPEAKER_PARTSTAT, SPEAKERS_UPDATED, Invitee, Method
from events.services.registration.seats import Place, Row
from events.tables import Event, Registration, Session, SessionSpeaker
from grandrounds.settings import get_settings
from notifications.invites import InviteRef, enqueue_invite

KIND = "consultation"
BOOKED = "consultation_booked"
BOOKING_CANCELLED = "consultation_booking_cancelled"


def booking_uid(registration_id: int, person_id: int | None, email: str) -> str:
    """One expert's copy of one booking; an expert without an account is named by a hash."""
    host = get_settings().base_url.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0] or "grandrounds"
    if person_id is not None:
        return f"booking-{registration_id}-expert-{person_id}@{host}"
    digest = hashlib.sha256(email.strip().lower().encode()).hexdigest()[:24]
    return f"booking-{registration_id}-expert-{digest}@{host}"


def is_booking(event: Row, session_id: int | None) -> bool:
    """A registration for one slot of a consultation: the bookings experts hear about."""
    return event.get("kind") == KIND and session_id is not None


async def experts(registration_id: int, session_id: int, event: Row) -> list[Invitee]:
    """Who is the expert of a slot, each with their copy of this booking."""
    speakers = await SessionSpeaker.select().where(
        (SessionSpeaker.session == session_id) & SessionSpeaker.status.is_in(list(SPEAKERS_UPDATED))
    )
    if speakers:
        return [
            Invitee(
                uid=booking_uid(registration_id, s["person"], s["email_key"]),
                email=s["email_key"],
                person_id=s["person"],
                partstat=SPEAKER_PARTSTAT.get(s["status"], "NEEDS-ACTION"),
                may_join=True,
                speaker_id=s["id"],
            )
            for s in speakers
        ]
    if event.get("created_by") is None:
        return []
    host = await Person.select(Person.id, Person.email).where(Person.id == event["created_by"]).first()
    if host is None:
        return []
    uid = booking_uid(registration_id, host["id"], host["email"])
    return [
        Invitee(
            uid=uid, email=host["email"].lower(), person_id=host["id"], partstat="ACCEPTED", may_join=True
        )
    ]


async def _queue(reg: Row, session: Row, event: Row, method: Method, reason: str = "") -> int:
    booker = await Person.select(Person.name).where(Person.id == reg["person"]).first()
    queued = 0
    for expert in await experts(reg["id"], session["id"], event):
        if expert.person_id is not None and expert.person_id == reg["person"]:
            continue  # an expert booking their own slot already holds the booker's copy
        ref = InviteRef(
            kind="booking",
            id=reg["id"],
            uid=expert.uid,
            email=expert.email,
            method=method,
            partstat=expert.partstat,
            person_id=expert.person_id,
            speaker_id=expert.speaker_id,
            reveal_join_url=method == "REQUEST",
        )
        context = {
            "event_title": event["title"],
            "session_title": session["title"],
            "booker_name": booker["name"] if booker else "",
            "reason": reason,
            "is_update": False,
        }
        template = BOOKED if method == "REQUEST" else BOOKING_CANCELLED
        await enqueue_invite(
            template, ref, context, floor=session["sequence"], program_id=event.get("program")
        )
        queued += 1
    return queued


async def on_booking_confirmed(reg: Row, place: Place) -> int:
    """A slot was booked (confirmed): each expert gets a REQUEST naming the booker."""
    if place.session is None or not is_booking(place.event, reg["session"]):
        return 0
    return await _queue(reg, place.session, place.event, "REQUEST")


async def on_booking_withdrawn(reg: Row, place: Place, reason: str = "") -> int:
    """A confirmed booking ended: each expert's copy of it is cancelled (same UID)."""
    if place.session is None or not is_booking(place.event, reg["session"]):
        return 0
    return await _queue(reg, place.session, place.event, "CANCEL", reason)


async def cancel_bookings(session_ids: list[int], event_id: int, reason: str) -> int:
    """Slots (or the whole consultation) cancelled: CANCEL every expert's copy of a confirmed booking.
    Call before the registrations move, while their state still says who was booked."""
    event = await Event.select().where(Event.id == event_id).first()
    if event is None or event["kind"] != KIND or not session_ids:
        return 0
    sessions = {s["id"]: s for s in await Session.select().where(Session.id.is_in(session_ids))}
    booked = await Registration.select().where(
        Registration.session.is_in(session_ids) & (Registration.status == RegistrationStatus.CONFIRMED)
    )
    queued = 0
    for reg in booked:
        queued += await _queue(reg, sessions[reg["session"]], event, "CANCEL", reason)
    return queued


def booker_line(booker: dict[str, Any]) -> str:
    """How the expert's calendar names who booked: name and address, so they can reach them."""
    name, email = booker.get("name", ""), booker.get("email", "")
    return f"{name} <{email}>" if name and email else name or email
