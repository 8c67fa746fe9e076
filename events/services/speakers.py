"""Speakers: invited by email, answering through a private link or on their own /speaking page.

The invitation link carries a random token; only its SHA-256 is kept, and
withdrawing the speaker blanks it, so an old link stops working. Anyone who
holds the link may answer (that is what the link is for); a signed-in person
who answers is linked to the invitation, and so is one whose account email
is the invited address. Accepting grants nothing beyond the session itself.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from accounts.audit import trail as audit
from accounts.principal import Principal
from accounts.services.email_verification import is_verified
from accounts.services.people import normalize_email
from accounts.tables import Person
from events import errors
from events.schemas import SpeakerCreate, SpeakerOut, SpeakingOut
from events.services.access import session_for_staff
from events.services.invites import copies as invites
from events.services.registration.seats import lock_event
from events.tables import Event, Session, SessionSpeaker
from grandrounds.db import now, unique_violation, write_transaction
from grandrounds.errors import DomainError
from grandrounds.settings import get_settings

ANSWERS = {"accept": "accepted", "decline": "declined"}
LONGEST_TOKEN = 128


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def respond_url(token: str) -> str:
    return f"{get_settings().base_url}/speaking/respond/{token}"


def _speaker_out(row: dict[str, Any]) -> SpeakerOut:
    return SpeakerOut(
        id=row["id"],
        session_id=row["session"],
        name=row["name"],
        email=row["email_key"],
        status=row["status"],
        invited_at=row["invited_at"],
        responded_at=row["responded_at"],
        person_id=row["person"],
    )


async def list_speakers(principal: Principal, session_id: int) -> list[SpeakerOut]:
    await session_for_staff(principal, session_id)
    rows = (
        await SessionSpeaker.select().where(SessionSpeaker.session == session_id).order_by(SessionSpeaker.id)
    )
    return [_speaker_out(r) for r in rows]


async def _open_session(session_id: int) -> dict[str, Any]:
    """Lock the event, then the session must still be on."""
    session = await Session.select().where(Session.id == session_id).first()
    if session is None:
        raise errors.session_not_found()
    event = await lock_event(session["event"])
    if event["status"] == "cancelled":
        raise errors.event_cancelled()
    session = await Session.select().where(Session.id == session_id).first()
    assert session is not None
    if session["status"] == "cancelled":
        raise errors.session_cancelled()
    return session


async def add_speaker(principal: Principal, session_id: int, data: SpeakerCreate) -> SpeakerOut:
    """Invite someone to speak: an email with accept/decline links and a calendar REQUEST."""
    await session_for_staff(principal, session_id)
    try:
        email = normalize_email(data.email)
    except DomainError:
        raise errors.speaker_email_invalid() from None
    name = " ".join(data.name.split())
    if not name:
        raise errors.speaker_name_blank()
    token = secrets.token_urlsafe(32)
    with unique_violation(becomes=errors.speaker_duplicate()):
        async with write_transaction():
            await _open_session(session_id)
            # Only a confirmed address is trusted to be the speaker's (sign-up does not prove it).
            person = (
                await Person.select(Person.id)
                .where((Person.email == email) & Person.email_verified_at.is_not_null())
                .first()
            )
            person_id = person["id"] if person else None
            existing = (
                await SessionSpeaker.select()
                .where((SessionSpeaker.session == session_id) & (SessionSpeaker.email_key == email))
                .first()
            )
            if existing is not None and existing["status"] != "withdrawn":
                raise errors.speaker_duplicate()
            if existing is not None:
                # Invited again after a withdrawal: the same copy (UID) comes back, with a new link.
                speaker_id = existing["id"]
                speaker_person = existing["person"] or person_id
                await SessionSpeaker.update(
                    {
                        SessionSpeaker.name: name,
                        SessionSpeaker.status: "invited",
                        SessionSpeaker.token_hash: token_hash(token),
                        SessionSpeaker.invited_by: principal.person_id,
                        SessionSpeaker.invited_at: now(),
                        SessionSpeaker.responded_at: None,
                        SessionSpeaker.person: speaker_person,
                    }
                ).where(SessionSpeaker.id == speaker_id)
            else:
                uid = invites.speaker_uid(session_id, person_id, email)
                row = (
                    await SessionSpeaker.insert(
                        SessionSpeaker(
                            session=session_id,
                            email_key=email,
                            person=person_id,
                            invite_uid=uid,
                            name=name,
                            token_hash=token_hash(token),
                            invited_by=principal.person_id,
                        )
                    ).returning(SessionSpeaker.id)
                )[0]
                speaker_id = row["id"]
                speaker_person = person_id
            await invites.enqueue_speaker_invite(speaker_id, "REQUEST", respond_url=respond_url(token))
            await audit.record(
                "speaker.invite",
                "speaker",
                speaker_id,
                subject_id=speaker_person,
                before={"status": existing["status"]} if existing is not None else None,
                after={"status": "invited"},
                details={"session_id": session_id},
            )
    return await _speaker(speaker_id)


async def _speaker(speaker_id: int) -> SpeakerOut:
    row = await SessionSpeaker.select().where(SessionSpeaker.id == speaker_id).first()
    if row is None:
        raise errors.speaker_not_found()
    return _speaker_out(row)


async def withdraw_speaker(principal: Principal, speaker_id: int) -> SpeakerOut:
    """Staff take a speaker off the session: their link dies and their calendar copy is cancelled."""
    row = await SessionSpeaker.select().where(SessionSpeaker.id == speaker_id).first()
    if row is None:
        raise errors.speaker_not_found()
    session, _ = await session_for_staff(principal, row["session"])
    async with write_transaction():
        await lock_event(session["event"])
        fresh = await SessionSpeaker.select().where(SessionSpeaker.id == speaker_id).first()
        if fresh is None:
            raise errors.speaker_not_found()
        if fresh["status"] == "withdrawn":
            raise errors.speaker_withdrawn()
        await SessionSpeaker.update(
            {
                SessionSpeaker.status: "withdrawn",
                SessionSpeaker.token_hash: "",
                SessionSpeaker.responded_at: None,
            }
        ).where(SessionSpeaker.id == speaker_id)
        await invites.enqueue_speaker_invite(
            speaker_id, "CANCEL", reason="The organisers have withdrawn this speaking invitation."
        )
        await audit.record(
            "speaker.withdraw",
            "speaker",
            speaker_id,
            subject_id=fresh["person"],
            before={"status": fresh["status"]},
            after={"status": "withdrawn"},
            details={"session_id": fresh["session"]},
        )
    return await _speaker(speaker_id)


async def _by_token(token: str) -> dict[str, Any]:
    if not token or len(token) > LONGEST_TOKEN:
        raise errors.speaker_invitation_unknown()
    row = await SessionSpeaker.select().where(SessionSpeaker.token_hash == token_hash(token)).first()
    if row is None or row["status"] == "withdrawn":
        raise errors.speaker_invitation_unknown()
    return row


async def _respond(row: dict[str, Any], answer: str, principal: Principal | None) -> None:
    status = ANSWERS.get(answer)
    if status is None:
        raise errors.speaker_answer_invalid()
    async with write_transaction():
        await _open_session(row["session"])
        fresh = await SessionSpeaker.select().where(SessionSpeaker.id == row["id"]).first()
        if fresh is None or fresh["status"] == "withdrawn":
            raise errors.speaker_withdrawn()
        values: dict[Any, Any] = {}
        if principal is not None and fresh["person"] is None:
            taken = await SessionSpeaker.exists().where(
                (SessionSpeaker.session == fresh["session"]) & (SessionSpeaker.person == principal.person_id)
            )
            if not taken:
                values[SessionSpeaker.person] = principal.person_id
        if fresh["status"] != status:
            values.update({SessionSpeaker.status: status, SessionSpeaker.responded_at: now()})
        if values:
            await SessionSpeaker.update(values).where(SessionSpeaker.id == row["id"])
        if fresh["status"] != status:
            # Their answer becomes PARTSTAT in their own copy, now and in every later update.
            await invites.enqueue_speaker_invite(row["id"], "REQUEST")


async def invitation(token: str, viewer: Principal | None) -> SpeakingOut:
    """What the private link shows (read only)."""
    row = await _by_token(token)
    return await _speaking_out(row, await _zone_of(viewer))


async def respond_by_token(token: str, answer: str, viewer: Principal | None) -> SpeakingOut:
    row = await _by_token(token)
    await _respond(row, answer, viewer)
    fresh = await SessionSpeaker.select().where(SessionSpeaker.id == row["id"]).first()
    assert fresh is not None
    return await _speaking_out(fresh, await _zone_of(viewer))


async def _mine(principal: Principal) -> Any:
    """Invitations linked to the person, and, once their address is confirmed, those sent to it."""
    linked = SessionSpeaker.person == principal.person_id
    if not await is_verified(principal.person_id):
        return linked
    return linked | (SessionSpeaker.person.is_null() & (SessionSpeaker.email_key == principal.email))


async def my_speaking(principal: Principal) -> list[SpeakingOut]:
    rows = await SessionSpeaker.select().where(
        await _mine(principal) & (SessionSpeaker.status != "withdrawn")
    )
    zone = await _zone_of(principal)
    found = [await _speaking_out(r, zone) for r in rows]
    return sorted(found, key=lambda s: (s.starts_at, s.speaker_id))


async def respond_as_me(principal: Principal, speaker_id: int, answer: str) -> SpeakingOut:
    """Answer from the /speaking page or the API; someone else's invitation is simply not found."""
    row = (
        await SessionSpeaker.select()
        .where((SessionSpeaker.id == speaker_id) & await _mine(principal))
        .first()
    )
    if row is None or row["status"] == "withdrawn":
        raise errors.speaker_not_found()
    await _respond(row, answer, principal)
    fresh = await SessionSpeaker.select().where(SessionSpeaker.id == speaker_id).first()
    assert fresh is not None
    return await _speaking_out(fresh, await _zone_of(principal))


async def _zone_of(principal: Principal | None) -> str | None:
    if principal is None:
        return None
    row = await Person.select(Person.time_zone).where(Person.id == principal.person_id).first()
    return row["time_zone"] if row else None


def _local(moment: datetime, zone: str) -> datetime:
    return moment.astimezone(ZoneInfo(zone))


async def _speaking_out(row: dict[str, Any], my_zone: str | None) -> SpeakingOut:
    session = await Session.select().where(Session.id == row["session"]).first()
    assert session is not None
    event = await Event.select().where(Event.id == session["event"]).first()
    assert event is not None
    zone = event["time_zone"]
    mine = my_zone or zone
    on = session["status"] == "scheduled" and event["status"] != "cancelled"
    link = session["join_url"] or event["join_url"]
    return SpeakingOut(
        speaker_id=row["id"],
        session_id=session["id"],
        event_id=event["id"],
        event_title=event["title"],
        session_title=session["title"],
        status=row["status"],
        session_status="cancelled" if not on else "scheduled",
        starts_at=session["starts_at"],
        ends_at=session["ends_at"],
        time_zone=zone,
        local_starts_at=_local(session["starts_at"], zone),
        local_ends_at=_local(session["ends_at"], zone),
        my_time_zone=mine,
        my_starts_at=_local(session["starts_at"], mine),
        my_ends_at=_local(session["ends_at"], mine),
        room=session["room"] or event["venue"],
        join_url=link if on and link and row["status"] in invites.SPEAKERS_UPDATED else None,
    )
