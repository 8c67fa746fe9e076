"""What the events package puts in calendar feeds.

A person's feed holds the sessions of their confirmed registrations (every
session of a whole-event registration, or the one seat they booked) and the
sessions they speak at. Nothing for pending, waitlisted or offered places:
those people may not see the join link, and a feed is no place for maybes.
Public schedules never carry join links.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from events import errors
from events.registration_status import RegistrationStatus
from events.services.invites.holders import registrant_uid
from events.services.join_links import join_link
from events.tables import Event, Registration, Session, SessionSpeaker
from grandrounds.settings import get_settings
from notifications.feeds import FeedEntry
from notifications.invites import copy_sequences

SPEAKING = ("invited", "accepted")


def _entry(session: dict[str, Any], event: dict[str, Any], reveal_join_url: bool) -> FeedEntry:
    base = get_settings().base_url
    summary = (
        session["title"] if session["title"] == event["title"] else f"{session['title']} ({event['title']})"
    )
    return FeedEntry(
        key=f"session-{session['id']}",
        starts_at=session["starts_at"],
        ends_at=session["ends_at"],
        time_zone=event["time_zone"],
        summary=summary,
        place=session["room"] or event["venue"],
        description=session["description"] or "",
        url=f"{base}/events/{event['id']}",
        join_url=join_link(session, event) if reveal_join_url else "",
        sequence=session["sequence"],
        cancelled=session["status"] == "cancelled" or event["status"] == "cancelled",
    )


async def _events(ids: set[int]) -> dict[int, dict[str, Any]]:
    if not ids:
        return {}
    return {e["id"]: e for e in await Event.select().where(Event.id.is_in(list(ids)))}


async def for_person(person_id: int) -> list[FeedEntry]:
    registrations = await Registration.select(Registration.event, Registration.session).where(
        (Registration.person == person_id) & (Registration.status == RegistrationStatus.CONFIRMED)
    )
    whole_events = {r["event"] for r in registrations if r["session"] is None}
    seats = {r["session"] for r in registrations if r["session"] is not None}
    speaker_uids = {
        r["session"]: r["invite_uid"]
        for r in await SessionSpeaker.select(SessionSpeaker.session, SessionSpeaker.invite_uid).where(
            (SessionSpeaker.person == person_id) & SessionSpeaker.status.is_in(list(SPEAKING))
        )
    }
    speaking = set(speaker_uids)
    condition: Any = Session.id.is_in(list(seats | speaking)) if seats | speaking else None
    if whole_events:
        # A whole-event place covers the sessions open to everyone, not seat-booked ones.
        everyone = Session.event.is_in(list(whole_events)) & Session.capacity.is_null()
        condition = everyone if condition is None else condition | everyone
    if condition is None:
        return []
    sessions = await Session.select().where(condition)
    events = await _events({s["event"] for s in sessions})
    entries = {
        s["id"]: _entry(s, events[s["event"]], reveal_join_url=True)
        for s in sessions
        if events[s["event"]]["status"] != "draft"
    }
    return await as_copies(entries, person_id, speaker_uids)


async def as_copies(
    entries: dict[int, FeedEntry], person_id: int, speaker_uids: dict[int, str] | None = None
) -> list[FeedEntry]:
    """The entries (by session id) as the person's own copies: the UID and SEQUENCE of their invites.

    A speaker invited before they had an account keeps the UID their invite
    was sent under. A copy never sent keeps the session's SEQUENCE.
    """
    uids = {
        session_id: (speaker_uids or {}).get(session_id) or registrant_uid(session_id, person_id)
        for session_id in entries
    }
    sent = await copy_sequences(list(uids.values()))
    return [
        dataclasses.replace(entry, uid=uids[sid], sequence=max(entry.sequence, sent.get(uids[sid], 0)))
        for sid, entry in entries.items()
    ]


async def session_entries(session_ids: set[int], reveal_join_url: bool, person_id: int) -> list[FeedEntry]:
    """A person's entries for given sessions (e.g. their cohort's curriculum), skipping drafts."""
    if not session_ids:
        return []
    sessions = await Session.select().where(Session.id.is_in(list(session_ids)))
    events = await _events({s["event"] for s in sessions})
    entries = {
        s["id"]: _entry(s, events[s["event"]], reveal_join_url)
        for s in sessions
        if events[s["event"]]["status"] != "draft"
    }
    return await as_copies(entries, person_id)


async def event_schedule(event_id: int) -> tuple[dict[str, Any], list[FeedEntry]]:
    """A published event's public schedule, without join links."""
    event = await Event.select().where(Event.id == event_id).first()
    if event is None or event["status"] == "draft":
        raise errors.event_not_found()
    sessions = await Session.select().where(Session.event == event_id).order_by(Session.starts_at)
    return event, [_entry(s, event, reveal_join_url=False) for s in sessions]


async def session_entry(session_id: int) -> tuple[dict[str, Any], FeedEntry]:
    session = await Session.select().where(Session.id == session_id).first()
    if session is None:
        raise errors.session_not_found()
    event = await Event.select().where(Event.id == session["event"]).first()
    if event is None or event["status"] == "draft":
        raise errors.session_not_found()
    return session, _entry(session, event, reveal_join_url=False)
