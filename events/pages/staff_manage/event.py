"""Editing and cancelling an event from its staff page.

The edit form shows every field, but only what differs from the stored event
is sent to the scheduling service: an untouched title does not overwrite a
one-sitting event's session title, and an unchanged time moves nothing. A
reschedule sends the updates that service sends (higher SEQUENCE, updated
invites). Cancelling is final and tells everyone, so it asks for a reason on
a confirmation page of its own.
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, Response, get, post
from litestar.params import FromPath, URLEncodedBody
from litestar.response import Redirect, Template

from accounts.principal import Role
from events import errors
from events.pages import display
from events.pages.staff import form_invalid, local_instant
from events.pages.staff_manage.forms import (
    Form,
    checked,
    differs,
    line,
    local_value,
    problem,
    shaped,
    staff_event,
    text,
    whole,
)
from events.registration_status import LIVE
from events.schemas import CancelRequest, EventUpdate
from events.services import scheduling
from events.tables import Registration, Session
from grandrounds.errors import DomainError
from grandrounds.web.auth import requires
from grandrounds.web.dependencies import CurrentPrincipal

Body = URLEncodedBody[dict[str, str]]
EDIT_FIELDS = (
    "title", "description", "venue", "join_url", "capacity", "time_zone", "starts_at", "ends_at",
    "member_only", "topic", "reminder_hours",
)  # fmt: skip
LONGEST_REASON = 200


def event_form(event: dict[str, Any]) -> dict[str, str]:
    """The stored event as the edit form shows it (times on the clock of its own zone)."""
    zone = event["time_zone"]
    return {
        "title": event["title"],
        "description": event["description"],
        "venue": event["venue"],
        "join_url": event["join_url"],
        "capacity": str(event["capacity"]),
        "time_zone": zone,
        "starts_at": local_value(event["starts_at"], zone),
        "ends_at": local_value(event["ends_at"], zone),
        "member_only": "on" if event["member_only"] else "",
        "topic": event["topic"],
        "reminder_hours": event["reminder_hours"],
    }


def event_changes(form: Form, event: dict[str, Any]) -> EventUpdate:
    """What the form changes, as an EventUpdate holding only the fields that differ."""
    title = line(form.get("title"))
    if not title:
        raise errors.title_blank()
    zone = scheduling.check_zone((form.get("time_zone") or "").strip())
    wanted: dict[str, Any] = {
        "title": title,
        "description": text(form.get("description")),
        "venue": (form.get("venue") or "").strip(),
        "join_url": (form.get("join_url") or "").strip(),
        "capacity": whole(
            form.get("capacity"), "capacity", 1, 100_000, "Capacity must be a whole number from 1 to 100000."
        ),
        "time_zone": zone,
        "starts_at": local_instant(form.get("starts_at", ""), zone, "starts_at"),
        "ends_at": local_instant(form.get("ends_at", ""), zone, "ends_at"),
        "member_only": checked(form, "member_only"),
        "topic": line(form.get("topic")),
        "reminder_hours": scheduling.check_reminder_hours(form.get("reminder_hours") or ""),
    }
    return shaped({k: v for k, v in wanted.items() if differs(v, event[k])}, EventUpdate)


def _edit_page(event: dict[str, Any], form: Form, error: DomainError | None = None) -> Template:
    return Template(
        "staff/manage_event.html",
        context={
            "event": event,
            "form": form,
            **problem(error),
        },
        status_code=error.status_code if error else 200,
    )


async def _cancel_page(event: dict[str, Any], reason: str = "", error: DomainError | None = None) -> Template:
    live = await Registration.count().where(
        (Registration.event == event["id"]) & Registration.status.is_in(list(LIVE))
    )
    sessions = await Session.count().where((Session.event == event["id"]) & (Session.status == "scheduled"))
    return Template(
        "staff/manage_event_cancel.html",
        context={
            "event": event,
            "when": display.span(event["starts_at"], event["ends_at"], event["time_zone"]),
            "live": live,
            "sessions": sessions,
            "reason": reason,
            **problem(error),
        },
        status_code=error.status_code if error else 200,
    )


def _open(event: dict[str, Any]) -> dict[str, Any]:
    if event["status"] == "cancelled":
        raise errors.event_cancelled()
    return event


class EventManagePages(Controller):
    include_in_schema = False
    guards = [requires(Role.PROGRAM_STAFF)]

    @get("/staff/events/{event_id:int}/edit")
    async def edit_form(self, principal: CurrentPrincipal, event_id: FromPath[int]) -> Template:
        event = _open(await staff_event(principal, event_id))
        return _edit_page(event, event_form(event))

    @post("/staff/events/{event_id:int}/edit", opt={"audit": ("event.update", "event.reschedule")})
    async def edit(self, principal: CurrentPrincipal, event_id: FromPath[int], data: Body) -> Response[Any]:
        event = await staff_event(principal, event_id)
        form = {k: v[:20_000] for k, v in data.items() if k in EDIT_FIELDS}
        try:
            changes = event_changes(form, event)
            await scheduling.update_event(principal, event_id, changes)
        except DomainError as exc:
            return _edit_page(event, form, exc)
        done = "unchanged" if changes == EventUpdate() else "updated"
        return Redirect(path=f"/staff/events/{event_id}?done={done}", status_code=303)

    @get("/staff/events/{event_id:int}/cancel")
    async def cancel_form(self, principal: CurrentPrincipal, event_id: FromPath[int]) -> Template:
        event = _open(await staff_event(principal, event_id))
        return await _cancel_page(event)

    @post("/staff/events/{event_id:int}/cancel", opt={"audit": "event.cancel"})
    async def cancel(self, principal: CurrentPrincipal, event_id: FromPath[int], data: Body) -> Response[Any]:
        event = await staff_event(principal, event_id)
        reason = line(data.get("reason"))[:1_000]
        try:
            if len(reason) > LONGEST_REASON:
                raise form_invalid(
                    "reason", f"Keep the reason to {LONGEST_REASON} characters; it goes in an email."
                )
            await scheduling.cancel_event(principal, event_id, CancelRequest(reason=reason))
        except DomainError as exc:
            return await _cancel_page(event, reason, exc)
        return Redirect(path=f"/staff/events/{event_id}?done=cancelled", status_code=303)
