"""Tracks and sessions: the schedule of an event, and telling people when it moves.

A change of a session's time, room or join link raises its SEQUENCE in the
same transaction that writes the change and queues updated invites to
everyone who holds a copy; a change of seat limit can move people in or out
of the set of holders, and they get a REQUEST or a CANCEL. Cancelling is a
state, not a delete: attendance and history keep pointing at the session.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from typing import Any

import msgspec

from accounts.audit import trail as audit
from accounts.principal import Principal
from accounts.services.programs import runs_program
from accounts.tables import Person
from events import errors
from events.registration_status import LIVE, RegistrationStatus
from events.schemas import SessionCreate, SessionOut, SessionUpdate, TrackCreate, TrackOut, TrackUpdate
from events.services.access import event_for_staff, session_for_staff
from events.services.invites import copies as invites
from events.services.registration.lifecycle import cancel_by_staff, capacity_raised
from events.services.registration.seats import Place, lock_event, seats_taken
from events.services.scheduling import is_web_link
from events.tables import Event, Registration, Session, SessionSpeaker, Track
from grandrounds.db import now, write_transaction
from grandrounds.errors import NotFound
from notifications.outbox import enqueue_email


async def _visible_event(principal: Principal | None, event_id: int) -> tuple[dict[str, Any], bool]:
    """The event and whether the caller runs it; a draft is invisible (404) to everyone else."""
    event = await Event.select().where(Event.id == event_id).first()
    if event is None:
        raise errors.event_not_found()
    staff = principal is not None and await runs_program(principal, event["program"])
    if event["status"] == "draft" and not staff:
        raise errors.event_not_found()
    return event, staff


async def _open_event(event_id: int) -> dict[str, Any]:
    event = await lock_event(event_id)
    if event["status"] == "cancelled":
        raise errors.event_cancelled()
    return event


async def _still_open(event_id: int) -> None:
    """The refusal :func:`_open_event` gives, without a lock, for a change that asks for nothing."""
    event = await Event.select(Event.status).where(Event.id == event_id).first()
    if event is None:
        raise errors.event_not_found()
    if event["status"] == "cancelled":
        raise errors.event_cancelled()


# Tracks


def _track_out(row: dict[str, Any]) -> TrackOut:
    return TrackOut(id=row["id"], event_id=row["event"], name=row["name"], position=row["position"])


async def list_tracks(principal: Principal | None, event_id: int) -> list[TrackOut]:
    await _visible_event(principal, event_id)
    rows = await Track.select().where(Track.event == event_id).order_by(Track.position).order_by(Track.id)
    return [_track_out(r) for r in rows]


def _track_name(name: str) -> str:
    cleaned = " ".join(name.split())
    if not cleaned:
        raise errors.track_name_blank()
    return cleaned


async def create_track(principal: Principal, event_id: int, data: TrackCreate) -> TrackOut:
    await event_for_staff(principal, event_id)
    name = _track_name(data.name)
    async with write_transaction():
        await _open_event(event_id)
        row = (
            await Track.insert(Track(event=event_id, name=name, position=data.position)).returning(Track.id)
        )[0]
        await audit.record(
            "track.create",
            "track",
            row["id"],
            after={"name": name, "position": data.position},
            details={"event_id": event_id},
        )
    track = await Track.select().where(Track.id == row["id"]).first()
    assert track is not None
    return _track_out(track)


async def _track_for_staff(principal: Principal, track_id: int) -> dict[str, Any]:
    track = await Track.select().where(Track.id == track_id).first()
    if track is None:
        raise errors.track_not_found()
    await event_for_staff(principal, track["event"])
    return track


async def update_track(principal: Principal, track_id: int, data: TrackUpdate) -> TrackOut:
    track = await _track_for_staff(principal, track_id)
    changes: dict[str, Any] = {}
    if data.name is not msgspec.UNSET:
        changes["name"] = _track_name(data.name)
    if data.position is not msgspec.UNSET:
        changes["position"] = data.position
    if not changes:
        # Nothing asked: nothing written or recorded; a cancelled event still refuses.
        await _still_open(track["event"])
        return _track_out(track)
    async with write_transaction():
        await _open_event(track["event"])
        await Track.update({getattr(Track, k): v for k, v in changes.items()}).where(Track.id == track_id)
        await audit.record(
            "track.update",
            "track",
            track_id,
            before={k: track[k] for k in changes},
            after=changes,
            details={"event_id": track["event"]},
        )
    fresh = await Track.select().where(Track.id == track_id).first()
    assert fresh is not None
    return _track_out(fresh)


async def delete_track(principal: Principal, track_id: int) -> None:
    """Remove a track no scheduled session uses; cancelled sessions simply lose it."""
    track = await _track_for_staff(principal, track_id)
    async with write_transaction():
        await _open_event(track["event"])
        in_use = await Session.exists().where((Session.track == track_id) & (Session.status == "scheduled"))
        if in_use:
            raise errors.track_in_use()
        cleared = await (
            Session.update({Session.track: None}).where(Session.track == track_id).returning(Session.id)
        )
        await Track.delete().where(Track.id == track_id)
        await audit.record(
            "track.delete",
            "track",
            track_id,
            before={"name": track["name"], "position": track["position"]},
            details={"event_id": track["event"], "cancelled_sessions_cleared": len(cleared)},
        )


# Sessions


async def _accepted_speakers(session_ids: list[int]) -> dict[int, list[str]]:
    names: dict[int, list[str]] = {sid: [] for sid in session_ids}
    if not session_ids:
        return names
    rows = (
        await SessionSpeaker.select(SessionSpeaker.session, SessionSpeaker.name)
        .where(SessionSpeaker.session.is_in(session_ids) & (SessionSpeaker.status == "accepted"))
        .order_by(SessionSpeaker.id)
    )
    for row in rows:
        names[row["session"]].append(row["name"])
    return names


def _session_out(row: dict[str, Any], event: dict[str, Any], speakers: list[str], staff: bool) -> SessionOut:
    return SessionOut(
        id=row["id"],
        event_id=row["event"],
        track_id=row["track"],
        title=row["title"],
        description=row["description"],
        starts_at=row["starts_at"],
        ends_at=row["ends_at"],
        time_zone=event["time_zone"],
        room=row["room"],
        capacity=row["capacity"],
        cme_quarters=row["cme_quarters"],
        counts_toward_completion=row["counts_toward_completion"],
        status=row["status"],
        sequence=row["sequence"],
        speakers=speakers,
        join_url=(row["join_url"] or None) if staff else None,
    )


async def list_sessions(principal: Principal | None, event_id: int) -> list[SessionOut]:
    event, staff = await _visible_event(principal, event_id)
    rows = (
        await Session.select()
        .where(Session.event == event_id)
        .order_by(Session.starts_at)
        .order_by(Session.id)
    )
    speakers = await _accepted_speakers([r["id"] for r in rows])
    return [_session_out(r, event, speakers[r["id"]], staff) for r in rows]


async def get_session(principal: Principal | None, session_id: int) -> SessionOut:
    row = await Session.select().where(Session.id == session_id).first()
    if row is None:
        raise errors.session_not_found()
    try:
        event, staff = await _visible_event(principal, row["event"])
    except NotFound:
        raise errors.session_not_found() from None
    speakers = await _accepted_speakers([session_id])
    return _session_out(row, event, speakers[session_id], staff)


def _utc(moment: datetime, field: str) -> datetime:
    if moment.tzinfo is None:
        raise errors.times_naive(field)
    return moment.astimezone(UTC)


def _fields(data: SessionCreate | SessionUpdate) -> dict[str, Any]:
    """The given fields, cleaned; checks that need the event come in :func:`_check`."""
    fields: dict[str, Any] = {}
    for name in SessionUpdate.__struct_fields__:
        value = getattr(data, name)
        if value is msgspec.UNSET:
            continue
        if name == "track_id":
            fields["track"] = value
        elif name in ("starts_at", "ends_at"):
            fields[name] = _utc(value, name)
        elif name == "title":
            fields[name] = " ".join(value.split())
            if not fields[name]:
                raise errors.session_title_blank()
        elif name in ("room", "join_url"):
            fields[name] = value.strip()
        else:
            fields[name] = value
    return fields


async def _check(event: dict[str, Any], session: dict[str, Any], session_id: int | None) -> None:
    if session["ends_at"] <= session["starts_at"]:
        raise errors.session_times_invalid()
    if session["starts_at"] < event["starts_at"] or session["ends_at"] > event["ends_at"]:
        raise errors.session_outside_event()
    if session["track"] is not None and not await Track.exists().where(
        (Track.id == session["track"]) & (Track.event == event["id"])
    ):
        raise errors.session_track_invalid()
    capacity = session["capacity"]
    if capacity is not None:
        if not 1 <= capacity <= event["capacity"]:
            raise errors.session_capacity_invalid(event["capacity"])
        if session_id is not None and capacity < (taken := await seats_taken(event["id"], session_id)):
            raise errors.session_capacity_below_registrations(taken)
    most = int((session["ends_at"] - session["starts_at"]).total_seconds() // 900)
    if not 0 <= session["cme_quarters"] <= most:
        raise errors.session_cme_invalid(most)
    if session["join_url"] and not is_web_link(session["join_url"]):
        raise errors.session_join_url_invalid()


async def create_session(principal: Principal, event_id: int, data: SessionCreate) -> SessionOut:
    await event_for_staff(principal, event_id)
    fields = _fields(data)
    async with write_transaction():
        event = await _open_event(event_id)
        await _check(event, fields, None)
        row = (
            await Session.insert(
                Session(event=event_id, checkin_secret=secrets.token_hex(32), **fields)
            ).returning(Session.id)
        )[0]
        # Confirmed registrants whose registration covers it get it in their calendars.
        await invites.announce_session_change(row["id"], {}, moved=False)
        await audit.record(
            "session.create", "session", row["id"], after=fields, details={"event_id": event_id}
        )
    return await get_session(principal, row["id"])


def _moved(old: dict[str, Any], new: dict[str, Any], event: dict[str, Any]) -> bool:
    """Did time, place or link change, counting the event's venue and link a session falls back on?"""
    moved: bool = (
        old["starts_at"] != new["starts_at"]
        or old["ends_at"] != new["ends_at"]
        or (old["room"] or event["venue"]) != (new["room"] or event["venue"])
        or (old["join_url"] or event["join_url"]) != (new["join_url"] or event["join_url"])
    )
    return moved


async def update_session(principal: Principal, session_id: int, data: SessionUpdate) -> SessionOut:
    found, _ = await session_for_staff(principal, session_id)
    fields = _fields(data)
    if not fields:
        # Nothing asked: nothing written or recorded, with the refusals a change would meet.
        await _still_open(found["event"])
        if found["status"] == "cancelled":
            raise errors.session_cancelled()
        return await get_session(principal, session_id)
    async with write_transaction():
        event = await _open_event(found["event"])
        session = await Session.select().where(Session.id == session_id).first()
        assert session is not None
        if session["status"] == "cancelled":
            raise errors.session_cancelled()
        merged = {**session, **fields}
        await _check(event, merged, session_id)
        moved = _moved(session, merged, event)
        before = await invites.invitees(session_id)
        values: dict[Any, Any] = {getattr(Session, k): v for k, v in fields.items()}
        values[Session.updated_at] = now()
        if moved:
            values[Session.sequence] = session["sequence"] + 1
        await Session.update(values).where(Session.id == session_id)
        await invites.announce_session_change(session_id, before, moved=moved)
        if merged["capacity"] is not None and (session["capacity"] or 0) < merged["capacity"]:
            # More seats in a session booked on its own: its line moves up.
            await capacity_raised(Place(event, merged), principal.person_id)
        rescheduled = session["starts_at"] != merged["starts_at"] or session["ends_at"] != merged["ends_at"]
        await audit.record(
            "session.reschedule" if rescheduled else "session.update",
            "session",
            session_id,
            before={k: session[k] for k in fields},
            after=fields,
            details={"event_id": event["id"]},
        )
    return await get_session(principal, session_id)


async def cancel_session(principal: Principal, session_id: int, reason: str = "") -> SessionOut:
    """Cancel the session, tell every holder of a copy, and end the places booked in it alone."""
    found, _ = await session_for_staff(principal, session_id)
    reason = " ".join(reason.split())[:200]
    async with write_transaction():
        event = await _open_event(found["event"])
        session = await Session.select().where(Session.id == session_id).first()
        assert session is not None
        if session["status"] == "cancelled":
            raise errors.session_cancelled()
        await Session.update(
            {
                Session.status: "cancelled",
                Session.sequence: session["sequence"] + 1,
                Session.updated_at: now(),
            }
        ).where(Session.id == session_id)
        await invites.announce_session_cancelled(session_id, reason)
        live = await Registration.select().where(
            (Registration.session == session_id) & Registration.status.is_in(list(LIVE))
        )
        await _end_session_places(principal, event, session, live, reason)
        await audit.record(
            "session.cancel",
            "session",
            session_id,
            before={"status": session["status"]},
            after={"status": "cancelled"},
            details={"event_id": event["id"], "reason": reason, "registrations_cancelled": len(live)},
        )
    return await get_session(principal, session_id)


async def _end_session_places(
    principal: Principal,
    event: dict[str, Any],
    session: dict[str, Any],
    live: list[dict[str, Any]],
    reason: str,
) -> None:
    if not live:
        return
    why = f"session cancelled: {reason}" if reason else "session cancelled"
    await cancel_by_staff(live, principal.person_id, why)
    # Confirmed people were told by their CANCEL; the rest never held a copy.
    waiting = [r for r in live if r["status"] != RegistrationStatus.CONFIRMED]
    ids = list({r["person"] for r in waiting})
    names = (
        {p["id"]: p["name"] for p in await Person.select(Person.id, Person.name).where(Person.id.is_in(ids))}
        if ids
        else {}
    )
    for reg in waiting:
        context = {"event_title": event["title"], "session_title": session["title"], "reason": reason}
        await enqueue_email(
            "event_cancelled",
            reg["email_key"],
            {"name": names.get(reg["person"], ""), **context},
            person_id=reg["person"],
        )
