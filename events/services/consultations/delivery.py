"""An expert's copy of a consultation booking, built at delivery from the rows as they are then.

Registered by the shell as the resolver of ``booking`` invites (see
events.services.consultations.bookings). The copy says who booked (name and address,
so the expert can reach them), when and where, with the slot's SEQUENCE. The
join link is written only while the booking is still confirmed. A REQUEST
whose booking ended or whose slot was cancelled since is not sent: the
CANCEL queued with that change supersedes it.
"""

from __future__ import annotations

from typing import Any

from accounts.tables import Person
from events.registration_status import RegistrationStatus
from events.services.consultations.bookings import booker_line
from events.services.invites.delivery import Shown, organizer, span_wording
from events.services.join_links import join_link
from events.tables import Event, Registration, Session, SessionSpeaker
from grandrounds.db import now
from grandrounds.settings import get_settings
from notifications.calendar import Invitation
from notifications.invites import InviteRef, InviteUnavailable, ResolvedInvite


async def _rows(ref: InviteRef) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    reg = await Registration.select().where(Registration.id == ref.id).first()
    if reg is None or reg["session"] is None:
        raise InviteUnavailable(f"booking {ref.id} no longer exists")
    session = await Session.select().where(Session.id == reg["session"]).first()
    event = await Event.select().where(Event.id == reg["event"]).first()
    if session is None or event is None:
        raise InviteUnavailable(f"booking {ref.id}: its slot or event no longer exists")
    return reg, session, event


async def resolve_booking(ref: InviteRef) -> ResolvedInvite:
    """The expert's copy of one booking."""
    reg, session, event = await _rows(ref)
    live = reg["status"] == RegistrationStatus.CONFIRMED and "cancelled" not in (
        session["status"],
        event["status"],
    )
    if ref.method == "REQUEST" and not live:
        raise InviteUnavailable(f"booking {ref.id} ended after this invite was queued")
    booker = await Person.select(Person.name, Person.email).where(Person.id == reg["person"]).first() or {}
    expert: dict[str, Any] = {}
    if ref.person_id is not None:
        found = await Person.select(Person.name, Person.time_zone).where(Person.id == ref.person_id).first()
        expert = found or {}
    if ref.speaker_id is not None:  # a speaker is named as invited, account or not
        speaker = (
            await SessionSpeaker.select(SessionSpeaker.name)
            .where(SessionSpeaker.id == ref.speaker_id)
            .first()
        )
        expert = {**expert, "name": speaker["name"]} if speaker else expert
    who = booker_line(booker)
    link = join_link(session, event)
    place = session["room"] or event["venue"]
    summary = f"Consultation with {booker.get('name') or who} · {session['title']}"
    description = f"Booked by {who} ({event['title']})."
    shown = Shown(summary, place, description, link if live else "", session["sequence"])
    zone, mine = event["time_zone"], expert.get("time_zone") or ""
    span = (session["starts_at"], session["ends_at"])
    settings = get_settings()
    invitation = Invitation(
        method=ref.method,
        uid=ref.uid,
        sequence=shown.sequence,
        starts_at=span[0],
        ends_at=span[1],
        time_zone=zone,
        summary=shown.summary,
        organizer=await organizer(event),
        attendee_email=ref.email,
        attendee_name=expert.get("name", ""),
        partstat=ref.partstat,
        place=shown.place,
        description=shown.description,
        url=f"{settings.base_url}/events/{event['id']}",
        join_url=shown.join_url,
        reveal_join_url=bool(shown.join_url),
        stamp=now(),
    )
    context = {
        "name": expert.get("name", ""),
        "event_title": event["title"],
        "session_title": session["title"],
        "booker": who,
        "when": span_wording(*span, zone),
        "when_yours": span_wording(*span, mine) if mine and mine != zone else "",
        "place": place,
        "details_url": f"{settings.base_url}/events/{event['id']}",
        "is_update": False,
    }
    return ResolvedInvite(invitation=invitation, context=context)
