"""An event's schedule for its staff: sessions (add, edit, cancel) and tracks (add, rename, remove).

Times are typed on the clock of the event's zone; CME credits as hours in
quarter steps ("0.75"). Editing a session sends only what changed, so the
sessions service raises SEQUENCE and sends updated invites exactly when the
time, room or link moved. Cancelling a session tells everyone who holds a
copy of it, so it asks for a reason on a confirmation page.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, URLEncodedBody
from litestar.response import Redirect, Template
from piccolo.query.functions.aggregate import Count

from accounts.principal import Role
from events import errors
from events.pages import display
from events.pages.staff import form_invalid, local_instant
from events.pages.staff_manage.forms import (
    Form,
    checked,
    cme_label,
    cme_quarters,
    differs,
    line,
    local_value,
    optional_whole,
    problem,
    shaped,
    staff_event,
    staff_session,
    staff_track,
    text,
)
from events.registration_status import LIVE
from events.schemas import SessionCreate, SessionUpdate, TrackCreate, TrackUpdate
from events.services import sessions as schedule
from events.tables import Registration, Session, SessionSpeaker, Track
from grandrounds.errors import DomainError
from grandrounds.web.auth import requires
from grandrounds.web.dependencies import CurrentPrincipal

Body = URLEncodedBody[dict[str, str]]
SESSION_FIELDS = (
    "title", "track_id", "starts_at", "ends_at", "room", "join_url", "capacity", "cme_credits",
    "counts_toward_completion", "description",
)  # fmt: skip
# Service fields named differently on the form.
RENAMED = {"cme_quarters": "cme_credits"}
NOTICES = {
    "session_added": "Session added.",
    "session_updated": "Session saved; if its time, room or link moved, invite holders get an update.",
    "session_unchanged": "Nothing to change: the form matched the session.",
    "session_cancelled": "Session cancelled; its speakers and registrants are told.",
    "track_added": "Track added.",
    "track_renamed": "Track renamed.",
    "track_removed": "Track removed.",
}
LONGEST_REASON = 200


def session_form(session: dict[str, Any], zone: str) -> dict[str, str]:
    return {
        "title": session["title"],
        "track_id": str(session["track"] or ""),
        "starts_at": local_value(session["starts_at"], zone),
        "ends_at": local_value(session["ends_at"], zone),
        "room": session["room"],
        "join_url": session["join_url"],
        "capacity": str(session["capacity"] or ""),
        "cme_credits": cme_label(session["cme_quarters"]),
        "counts_toward_completion": "on" if session["counts_toward_completion"] else "",
        "description": session["description"],
    }


def _blank_form(event: dict[str, Any]) -> dict[str, str]:
    zone = event["time_zone"]
    ends_at = min(event["starts_at"] + timedelta(hours=1), event["ends_at"])
    return {
        "starts_at": local_value(event["starts_at"], zone),
        "ends_at": local_value(ends_at, zone),
        "counts_toward_completion": "on",
    }


def session_values(form: Form, event: dict[str, Any]) -> dict[str, Any]:
    """The form as session fields (times as instants, credits in quarter hours), or what is wrong."""
    zone = event["time_zone"]
    title = line(form.get("title"))
    if not title:
        raise errors.session_title_blank()
    raw_track = (form.get("track_id") or "").strip()
    if raw_track and not (raw_track.isdigit() and len(raw_track) < 10):
        raise errors.session_track_invalid()
    starts_at = local_instant(form.get("starts_at", ""), zone, "starts_at")
    ends_at = local_instant(form.get("ends_at", ""), zone, "ends_at")
    if ends_at <= starts_at:
        raise errors.session_times_invalid()
    quarters = cme_quarters(form.get("cme_credits"))
    most = int((ends_at - starts_at).total_seconds() // 900)
    if quarters > most:
        raise errors.session_cme_too_long(cme_label(most))
    return {
        "title": title,
        "track_id": int(raw_track) if raw_track else None,
        "starts_at": starts_at,
        "ends_at": ends_at,
        "room": line(form.get("room")),
        "join_url": (form.get("join_url") or "").strip(),
        "capacity": optional_whole(
            form.get("capacity"),
            "capacity",
            1,
            100_000,
            "A session's own capacity is a whole number, or empty to share the event's seats.",
        ),
        "cme_quarters": quarters,
        "counts_toward_completion": checked(form, "counts_toward_completion"),
        "description": text(form.get("description")),
    }


def session_changes(form: Form, event: dict[str, Any], session: dict[str, Any]) -> SessionUpdate:
    """Only the fields that differ from the stored session."""
    stored = {**session, "track_id": session["track"]}
    changed = {k: v for k, v in session_values(form, event).items() if differs(v, stored[k])}
    return shaped(changed, SessionUpdate)


def track_name(form: Form) -> str:
    name = line(form.get("name"))
    if not name:
        raise errors.track_name_blank()
    return name


async def _next_position(event_id: int) -> int:
    """A new track goes last."""
    last = (
        await Track.select(Track.position)
        .where(Track.event == event_id)
        .order_by(Track.position, ascending=False)
        .first()
    )
    return int(last["position"]) + 1 if last else 0


async def _tracks(event_id: int) -> list[dict[str, Any]]:
    return list(
        await Track.select().where(Track.event == event_id).order_by(Track.position).order_by(Track.id)
    )


async def _rows(event: dict[str, Any], tracks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    sessions = (
        await Session.select()
        .where(Session.event == event["id"])
        .order_by(Session.starts_at)
        .order_by(Session.id)
    )
    ids = [s["id"] for s in sessions]
    speaking = (
        await SessionSpeaker.select(SessionSpeaker.session, Count(alias="n"))
        .where(SessionSpeaker.session.is_in(ids) & (SessionSpeaker.status != "withdrawn"))
        .group_by(SessionSpeaker.session)
        if ids
        else []
    )
    speakers = {r["session"]: r["n"] for r in speaking}
    names = {t["id"]: t["name"] for t in tracks}
    return [
        {
            **s,
            "when": display.span(s["starts_at"], s["ends_at"], event["time_zone"]),
            "track_name": names.get(s["track"], ""),
            "credits": cme_label(s["cme_quarters"]),
            "speakers": speakers.get(s["id"], 0),
        }
        for s in sessions
    ]


async def sessions_page(
    request: Request[Any, Any, Any],
    event: dict[str, Any],
    form: Form | None = None,
    error: DomainError | None = None,
    form_id: str = "",
) -> Template:
    """The schedule; on an error, the form it came from is shown again with the message."""
    tracks = await _tracks(event["id"])
    return Template(
        "staff/manage_sessions.html",
        context={
            "event": event,
            "tracks": tracks,
            "sessions": await _rows(event, tracks),
            "form": form if form is not None and form_id == "session" else _blank_form(event),
            "track_form": form if form is not None and form_id.startswith("track") else {},
            "notice": NOTICES.get(request.query_params.get("done") or ""),
            "editable": event["status"] != "cancelled",
            **problem(error, form_id, RENAMED),
        },
        status_code=error.status_code if error else 200,
    )


async def _session_page(
    event: dict[str, Any], session: dict[str, Any], form: Form, error: DomainError | None = None
) -> Template:
    return Template(
        "staff/manage_session.html",
        context={
            "event": event,
            "session": session,
            "form": form,
            "tracks": await _tracks(event["id"]),
            **problem(error, "session", RENAMED),
        },
        status_code=error.status_code if error else 200,
    )


async def _cancel_page(
    event: dict[str, Any], session: dict[str, Any], reason: str = "", error: DomainError | None = None
) -> Template:
    booked = await Registration.count().where(
        (Registration.session == session["id"]) & Registration.status.is_in(list(LIVE))
    )
    return Template(
        "staff/manage_session_cancel.html",
        context={
            "event": event,
            "session": session,
            "when": display.span(session["starts_at"], session["ends_at"], event["time_zone"]),
            "booked": booked,
            "reason": reason,
            **problem(error),
        },
        status_code=error.status_code if error else 200,
    )


def _back(event_id: int, done: str, anchor: str = "") -> Redirect:
    return Redirect(path=f"/staff/events/{event_id}/sessions?done={done}{anchor}", status_code=303)


def _scheduled(session: dict[str, Any]) -> dict[str, Any]:
    if session["status"] == "cancelled":
        raise errors.session_cancelled()
    return session


class SchedulePages(Controller):
    include_in_schema = False
    guards = [requires(Role.PROGRAM_STAFF)]

    @get("/staff/events/{event_id:int}/sessions")
    async def sessions(
        self, request: Request[Any, Any, Any], principal: CurrentPrincipal, event_id: FromPath[int]
    ) -> Template:
        return await sessions_page(request, await staff_event(principal, event_id))

    @post("/staff/events/{event_id:int}/sessions", opt={"audit": "session.create"})
    async def add_session(
        self,
        request: Request[Any, Any, Any],
        principal: CurrentPrincipal,
        event_id: FromPath[int],
        data: Body,
    ) -> Response[Any]:
        event = await staff_event(principal, event_id)
        form = {k: v[:20_000] for k, v in data.items() if k in SESSION_FIELDS}
        try:
            created = await schedule.create_session(
                principal, event_id, shaped(session_values(form, event), SessionCreate)
            )
        except DomainError as exc:
            return await sessions_page(request, event, form, exc, "session")
        return _back(event_id, "session_added", f"#session-{created.id}")

    @get("/staff/sessions/{session_id:int}/edit")
    async def edit_form(self, principal: CurrentPrincipal, session_id: FromPath[int]) -> Template:
        session, event = await staff_session(principal, session_id)
        _scheduled(session)
        return await _session_page(event, session, session_form(session, event["time_zone"]))

    @post("/staff/sessions/{session_id:int}/edit", opt={"audit": ("session.update", "session.reschedule")})
    async def edit(self, principal: CurrentPrincipal, session_id: FromPath[int], data: Body) -> Response[Any]:
        session, event = await staff_session(principal, session_id)
        form = {k: v[:20_000] for k, v in data.items() if k in SESSION_FIELDS}
        try:
            changes = session_changes(form, event, session)
            await schedule.update_session(principal, session_id, changes)
        except DomainError as exc:
            return await _session_page(event, session, form, exc)
        done = "session_unchanged" if changes == SessionUpdate() else "session_updated"
        return _back(event["id"], done, f"#session-{session_id}")

    @get("/staff/sessions/{session_id:int}/cancel")
    async def cancel_form(self, principal: CurrentPrincipal, session_id: FromPath[int]) -> Template:
        session, event = await staff_session(principal, session_id)
        return await _cancel_page(event, _scheduled(session))

    @post("/staff/sessions/{session_id:int}/cancel", opt={"audit": "session.cancel"})
    async def cancel(
        self, principal: CurrentPrincipal, session_id: FromPath[int], data: Body
    ) -> Response[Any]:
        session, event = await staff_session(principal, session_id)
        reason = line(data.get("reason"))[:1_000]
        try:
            if not reason:
                raise errors.session_cancel_reason_required()
            if len(reason) > LONGEST_REASON:
                raise form_invalid(
                    "reason", f"Keep the reason to {LONGEST_REASON} characters; it goes in an email."
                )
            await schedule.cancel_session(principal, session_id, reason)
        except DomainError as exc:
            return await _cancel_page(event, session, reason, exc)
        return _back(event["id"], "session_cancelled", f"#session-{session_id}")

    @post("/staff/events/{event_id:int}/tracks", opt={"audit": "track.create"})
    async def add_track(
        self,
        request: Request[Any, Any, Any],
        principal: CurrentPrincipal,
        event_id: FromPath[int],
        data: Body,
    ) -> Response[Any]:
        event = await staff_event(principal, event_id)
        form = {"name": (data.get("name") or "")[:1_000]}
        try:
            position = min(await _next_position(event_id), 10_000)
            track = shaped({"name": track_name(form), "position": position}, TrackCreate)
            await schedule.create_track(principal, event_id, track)
        except DomainError as exc:
            return await sessions_page(request, event, form, exc, "track")
        return _back(event_id, "track_added", "#tracks")

    @post("/staff/tracks/{track_id:int}/rename", opt={"audit": "track.update"})
    async def rename_track(
        self,
        request: Request[Any, Any, Any],
        principal: CurrentPrincipal,
        track_id: FromPath[int],
        data: Body,
    ) -> Response[Any]:
        _, event = await staff_track(principal, track_id)
        form = {"name": (data.get("name") or "")[:1_000]}
        try:
            await schedule.update_track(principal, track_id, shaped({"name": track_name(form)}, TrackUpdate))
        except DomainError as exc:
            return await sessions_page(request, event, form, exc, f"track-{track_id}")
        return _back(event["id"], "track_renamed", "#tracks")

    @post("/staff/tracks/{track_id:int}/remove", opt={"audit": "track.delete"})
    async def remove_track(
        self, request: Request[Any, Any, Any], principal: CurrentPrincipal, track_id: FromPath[int]
    ) -> Response[Any]:
        _, event = await staff_track(principal, track_id)
        try:
            await schedule.delete_track(principal, track_id)
        except DomainError as exc:
            return await sessions_page(request, event, None, exc, f"track-{track_id}")
        return _back(event["id"], "track_removed", "#tracks")
