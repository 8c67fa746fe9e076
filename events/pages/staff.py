"""Staff pages: the events of my programs, creating one, publishing it, and its roster.

Program staff see only the events of programs they run; admins see all.
Another program's event is 403 and an unknown one 404, as in the API. The
roster is personal data, so its page and CSV go through the same check.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, URLEncodedBody
from litestar.response import Redirect, Template
from piccolo.query.functions.aggregate import Count

from accounts.principal import Principal, Role
from accounts.services.programs import programs_run_by
from accounts.tables import Program
from events import errors
from events.errors import event_form_invalid as form_invalid
from events.errors import time_nonexistent
from events.pages import display
from events.pages.catalogue import KIND_LABELS, viewer_zone
from events.pages.registrations import STATUS_LABELS
from events.registration_status import RegistrationStatus
from events.schemas import EventCreate
from events.services import scheduling
from events.services.access import event_for_staff
from events.services.catalogue import KINDS
from events.services.registration import roster
from events.tables import Event, Registration, Session
from grandrounds.errors import DomainError
from grandrounds.web.auth import requires
from grandrounds.web.dependencies import CurrentPrincipal
from grandrounds.web.downloads import csv_response

Form = URLEncodedBody[dict[str, str]]
ROSTER_PAGE_SIZE = 50
EVENT_FIELDS = (
    "title", "kind", "program_id", "time_zone", "starts_at", "ends_at", "capacity",
    "venue", "join_url", "topic", "description", "member_only", "offer_hours",
)  # fmt: skip


def local_instant(raw: str, zone: str, field: str) -> datetime:
    """A datetime-local field ("2027-03-14T09:00") read as wall-clock time in ``zone``."""
    try:
        wall = datetime.fromisoformat(raw.strip())
    except ValueError:
        raise form_invalid(field, "Give a date and time, e.g. 2027-03-14 09:00.") from None
    if wall.tzinfo is not None:
        raise form_invalid(field, "Give the time as shown on a clock in the event's time zone.")
    instant = wall.replace(tzinfo=ZoneInfo(zone))
    if instant.astimezone(UTC).astimezone(ZoneInfo(zone)).replace(tzinfo=None) != wall:
        raise time_nonexistent(field)
    return instant


def _whole(raw: str, field: str, low: int, high: int, message: str) -> int:
    text = raw.strip()
    if not text.isdigit() or len(text) > 7 or not low <= int(text) <= high:
        raise form_invalid(field, message)
    return int(text)


def event_from_form(form: Mapping[str, str], programs: list[int], is_admin: bool) -> EventCreate:
    """The form as an EventCreate, or the first thing wrong with it (with the field it concerns)."""
    title = " ".join(form.get("title", "").split())
    if not title:
        raise form_invalid("title", "Give the event a title.")
    if form.get("kind", "") not in KINDS:
        raise errors.kind_unknown()
    raw_program = form.get("program_id", "").strip()
    program_id = int(raw_program) if raw_program.isdigit() and len(raw_program) < 12 else None
    if (raw_program and program_id is None) or (program_id is None and not is_admin):
        raise form_invalid("program_id", "Choose the program that runs this event.")
    if program_id is not None and program_id not in programs:
        raise errors.not_your_program()
    zone = scheduling.check_zone(form.get("time_zone", "").strip())
    starts_at = local_instant(form.get("starts_at", ""), zone, "starts_at")
    ends_at = local_instant(form.get("ends_at", ""), zone, "ends_at")
    capacity = _whole(
        form.get("capacity", ""), "capacity", 1, 100_000, "Capacity must be a whole number from 1 to 100000."
    )
    offer_hours = _whole(
        form.get("offer_hours", "48") or "48", "offer_hours", 1, 336, "Offers last from 1 to 336 hours."
    )
    values = {
        "kind": form["kind"],
        "title": title,
        "time_zone": zone,
        "starts_at": starts_at,
        "ends_at": ends_at,
        "capacity": capacity,
        "description": form.get("description", "").replace("\r\n", "\n").strip(),
        "venue": form.get("venue", "").strip(),
        "join_url": form.get("join_url", "").strip(),
        "member_only": form.get("member_only") == "on",
        "offer_hours": offer_hours,
        "program_id": program_id,
        "topic": " ".join(form.get("topic", "").split()),
    }
    try:
        return msgspec.convert(values, EventCreate)
    except msgspec.ValidationError as exc:
        field = str(exc).rsplit("$.", 1)[-1].rstrip("`") if "$." in str(exc) else "title"
        raise form_invalid(field, f"Please check {field.replace('_', ' ')}: it is too long.") from None


async def _programs(principal: Principal) -> list[dict[str, Any]]:
    ids = await programs_run_by(principal)
    if not ids:
        return []
    return list(
        await Program.select(Program.id, Program.name).where(Program.id.is_in(ids)).order_by(Program.name)
    )


async def _counts(event_ids: list[int]) -> dict[int, dict[str, int]]:
    if not event_ids:
        return {}
    rows = await (
        Registration.select(Registration.event, Registration.status, Count(alias="n"))
        .where(Registration.event.is_in(event_ids))
        .group_by(Registration.event, Registration.status)
    )
    counts: dict[int, dict[str, int]] = {}
    for r in rows:
        counts.setdefault(r["event"], {})[r["status"]] = r["n"]
    return counts


async def _new_event_page(
    principal: Principal, form: Mapping[str, str] | None = None, error: DomainError | None = None
) -> Template:
    zone = await viewer_zone(principal)
    return Template(
        "staff/event_new.html",
        context={
            "programs": await _programs(principal),
            "is_admin": principal.is_admin,
            "kinds": KIND_LABELS,
            "form": {"time_zone": zone or "UTC", "offer_hours": "48", "capacity": "", **(form or {})},
            "error": error.message if error else None,
            "error_field": error.details.get("field") if error else None,
        },
        status_code=error.status_code if error else 200,
    )


async def _roster_page(request: Request[Any, Any, Any], principal: Principal, event_id: int) -> Template:
    event = await event_for_staff(principal, event_id)
    params = request.query_params
    filters = {"status": (params.get("status") or "")[:40], "q": (params.get("q") or "")[:300]}
    raw_page = params.get("page") or "1"
    page = int(raw_page) if raw_page.isdigit() and 0 < len(raw_page) < 7 and int(raw_page) > 0 else 1
    error: DomainError | None = None
    entries: list[Any] = []
    total = 0
    try:
        query = roster.parse_query(
            filters["status"], filters["q"], ROSTER_PAGE_SIZE, (page - 1) * ROSTER_PAGE_SIZE
        )
        found = await roster.roster(principal, event_id, query)
        entries, total = found.items, found.total
    except DomainError as exc:
        error = exc
    kept = {k: v for k, v in filters.items() if v}
    last_page = max((total + ROSTER_PAGE_SIZE - 1) // ROSTER_PAGE_SIZE, 1)
    base = f"/staff/events/{event_id}/roster?"
    rows = [
        {
            "entry": e,
            "status_label": STATUS_LABELS.get(e.status, e.status),
            "registered": display.moment(e.registered_at, event["time_zone"]),
            "amount": display.price_label(e.amount, e.currency) if e.amount else "",
        }
        for e in entries
    ]
    return Template(
        "staff/roster.html",
        context={
            "event": event,
            "rows": rows,
            "total": total,
            "filters": filters,
            "statuses": STATUS_LABELS,
            "page": page,
            "prev_url": base + urlencode({**kept, "page": page - 1}) if page > 1 else None,
            "next_url": base + urlencode({**kept, "page": page + 1}) if page < last_page else None,
            "csv_url": f"/staff/events/{event_id}/roster.csv" + (f"?{urlencode(kept)}" if kept else ""),
            "error": error.message if error else None,
        },
        status_code=error.status_code if error else 200,
    )


class StaffPages(Controller):
    include_in_schema = False
    guards = [requires(Role.PROGRAM_STAFF)]

    @get("/staff")
    async def staff_home(self) -> Redirect:
        return Redirect(path="/staff/events")

    @get("/staff/events")
    async def events(self, principal: CurrentPrincipal) -> Template:
        query = Event.select(*Event.all_columns(), Event.program.name.as_alias("program_name"))
        if not principal.is_admin:
            programs = await programs_run_by(principal)
            query = query.where(Event.program.is_in(programs or [-1]))
        rows = await query.order_by(Event.starts_at)
        counts = await _counts([r["id"] for r in rows])
        listed = [
            {
                "id": r["id"],
                "title": r["title"],
                "kind": KIND_LABELS.get(r["kind"], r["kind"]),
                "status": r["status"],
                "program": r["program_name"] or "No program",
                "when": display.span(r["starts_at"], r["ends_at"], r["time_zone"]),
                "confirmed": counts.get(r["id"], {}).get(RegistrationStatus.CONFIRMED, 0),
                "waitlisted": counts.get(r["id"], {}).get(RegistrationStatus.WAITLISTED, 0),
            }
            for r in rows
        ]
        return Template("staff/events.html", context={"events": listed})

    @get("/staff/events/new")
    async def new_event_form(self, principal: CurrentPrincipal) -> Template:
        return await _new_event_page(principal)

    @post("/staff/events/new", opt={"audit": "event.create"})
    async def create_event(self, principal: CurrentPrincipal, data: Form) -> Response[Any]:
        form = {k: v[:20_000] for k, v in data.items() if k in EVENT_FIELDS}
        try:
            programs = await programs_run_by(principal)
            created = await scheduling.create_event(
                principal, event_from_form(form, programs, principal.is_admin)
            )
        except DomainError as exc:
            return await _new_event_page(principal, form, exc)
        return Redirect(path=f"/staff/events/{created.id}?created=1", status_code=303)

    @get("/staff/events/{event_id:int}")
    async def event(
        self, request: Request[Any, Any, Any], principal: CurrentPrincipal, event_id: FromPath[int]
    ) -> Template:
        event = await event_for_staff(principal, event_id)
        sessions = (
            await Session.select()
            .where(Session.event == event_id)
            .order_by(Session.starts_at)
            .order_by(Session.id)
        )
        zone = event["time_zone"]
        program = await Program.select(Program.name).where(Program.id == event["program"]).first()
        counts = (await _counts([event_id])).get(event_id, {})
        return Template(
            "staff/event.html",
            context={
                "event": event,
                "kind": KIND_LABELS.get(event["kind"], event["kind"]),
                "program": program["name"] if program else "No program",
                "when": display.span(event["starts_at"], event["ends_at"], zone),
                "sessions": [
                    {**s, "when": display.span(s["starts_at"], s["ends_at"], zone)} for s in sessions
                ],
                "counts": [(STATUS_LABELS.get(s, s), counts[s]) for s in STATUS_LABELS if s in counts],
                "created": request.query_params.get("created") == "1",
                "published": request.query_params.get("published") == "1",
            },
        )

    @post("/staff/events/{event_id:int}/publish", opt={"audit": "event.publish"})
    async def publish(self, principal: CurrentPrincipal, event_id: FromPath[int]) -> Redirect:
        await scheduling.publish_event(principal, event_id)
        return Redirect(path=f"/staff/events/{event_id}?published=1", status_code=303)

    @get("/staff/events/{event_id:int}/roster")
    async def roster_page(
        self, request: Request[Any, Any, Any], principal: CurrentPrincipal, event_id: FromPath[int]
    ) -> Template:
        return await _roster_page(request, principal, event_id)


@get(
    "/staff/events/{event_id:int}/roster.csv",
    guards=[requires(Role.PROGRAM_STAFF)],
    opt={"audit": "export.roster_csv"},
    include_in_schema=False,
)
async def roster_csv(
    request: Request[Any, Any, Any], principal: CurrentPrincipal, event_id: FromPath[int]
) -> Response[str]:
    """The roster as CSV: an export of personal data, so the roster service records each download.

    A plain handler with its own guard rather than a method of StaffPages: the OPTIONS
    handler Litestar adds for the path would inherit the controller's guard and look
    like a second, unrecorded export to the audit walk.
    """
    params = request.query_params
    query = roster.parse_query(params.get("status"), params.get("q"))
    body = await roster.roster_csv(principal, event_id, query)
    return csv_response(body, f"event-{event_id}-roster.csv")


CONTROLLERS = [StaffPages, roster_csv]
