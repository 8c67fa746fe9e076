"""Public event pages: the catalogue, one event with its schedule and tickets, and registering.

The event page never shows a join link: that belongs to confirmed registrants
and is shown only on their "my registrations" page. A draft is "not found"
to everyone but the staff who run it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from datetime import date
from typing import Any
from urllib.parse import urlencode

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, URLEncodedBody
from litestar.response import Redirect, Template

from accounts.principal import Principal, Role
from accounts.services.people import time_zone_of
from events import errors
from events.errors import registration_form_invalid as form_invalid
from events.pages import display
from events.schemas import EventOut, EventPage
from events.services import catalogue, pricing, scheduling
from events.services.access import may_run_event
from events.services.registration import registering as registration
from grandrounds.db import now
from grandrounds.errors import DomainError
from grandrounds.registry import Registry
from grandrounds.web.auth import signed_in
from grandrounds.web.dependencies import CurrentPrincipal, Viewer
from grandrounds.web.payments import payments_open

Form = URLEncodedBody[dict[str, str]]
PAGE_SIZE = 20
KIND_LABELS = {
    "conference": "Conference",
    "webinar": "Webinar",
    "workshop": "Workshop",
    "consultation": "Consultation",
}
TIER_LABELS = {"member": "Members", "non_member": "Non-members", "guest": "Guests"}
# Where a non-member is invited to join; the membership pages live there.
JOIN_PATH = "/membership"
# Links other packages put on an event's page, e.g. the library's "recording available"; the shell
# registers them (events imports none of them). Each gives [{"href": ..., "text": ...}] for an event id.
EventLinks = Callable[[int], Awaitable[list[dict[str, str]]]]
EVENT_LINKS: Registry[EventLinks] = Registry("event page links")


def register_event_links(source: EventLinks) -> None:
    EVENT_LINKS.add(source)


async def viewer_zone(principal: Principal | None) -> str | None:
    """The signed-in person's own time zone, to show times in it beside the event's."""
    return None if principal is None else await time_zone_of(principal.person_id)


def optional_id(raw: str | None, field: str, message: str) -> int | None:
    """A chosen id from a form: blank means none; anything but a positive whole number is refused."""
    text = (raw or "").strip()
    if not text:
        return None
    if not text.isdigit() or len(text) > 12 or int(text) < 1:
        raise form_invalid(field, message)
    return int(text)


def _page_number(raw: str | None) -> int:
    text = (raw or "").strip()
    return int(text) if text.isdigit() and 0 < len(text) < 7 and int(text) > 0 else 1


def _card(event: EventOut, zone: str | None) -> dict[str, Any]:
    return {
        "id": event.id,
        "title": event.title,
        "kind": KIND_LABELS.get(event.kind, event.kind),
        "topic": event.topic,
        "venue": event.venue,
        "member_only": event.member_only,
        "seats_left": event.seats_left,
        "when": display.when_span(event.starts_at, event.ends_at, event.time_zone, zone),
        "time_zone": event.time_zone,
    }


class CataloguePages(Controller):
    include_in_schema = False

    @get("/events")
    async def catalogue(self, request: Request[Any, Any, Any], viewer: Viewer) -> Template:
        params = request.query_params
        filters = {key: (params.get(key) or "")[:300] for key in ("kind", "topic", "from", "to", "q")}
        page = _page_number(params.get("page"))
        error: DomainError | None = None
        found = EventPage(items=[], total=0, limit=PAGE_SIZE, offset=0)
        try:
            query = catalogue.parse_query(
                kind=filters["kind"],
                topic=filters["topic"],
                date_from=filters["from"],
                date_to=filters["to"],
                q=filters["q"],
                limit=PAGE_SIZE,
                offset=(page - 1) * PAGE_SIZE,
            )
            found = await scheduling.list_published(query)
        except DomainError as exc:
            error = exc
        zone = await viewer_zone(viewer)
        cards = [_card(event, zone) for event in found.items]
        kept = {k: v for k, v in filters.items() if v}

        def page_url(number: int) -> str:
            return "/events?" + urlencode({**kept, "page": number})

        last_page = max((found.total + PAGE_SIZE - 1) // PAGE_SIZE, 1)
        return Template(
            "events/list.html",
            context={
                "filters": filters,
                "kinds": KIND_LABELS,
                "topics": await catalogue.topics(),
                "events": cards,
                "total": found.total,
                "page": page,
                "first_shown": (page - 1) * PAGE_SIZE + 1,
                "last_shown": (page - 1) * PAGE_SIZE + len(cards),
                "prev_url": page_url(page - 1) if page > 1 else None,
                "next_url": page_url(page + 1) if page < last_page else None,
                "error": error.message if error else None,
                "error_field": error.details.get("field") if error else None,
            },
            status_code=error.status_code if error else 200,
        )

    @get("/events/{event_id:int}")
    async def event_page(
        self, request: Request[Any, Any, Any], viewer: Viewer, event_id: FromPath[int]
    ) -> Template:
        return await event_page(request, viewer, event_id)

    @post("/events/{event_id:int}/register", guards=[signed_in])
    async def register(
        self,
        request: Request[Any, Any, Any],
        principal: CurrentPrincipal,
        event_id: FromPath[int],
        data: Form,
    ) -> Response[Any]:
        try:
            ticket_type_id = optional_id(
                data.get("ticket_type_id"), "ticket_type_id", "Choose one of the ticket types listed."
            )
            session_id = optional_id(
                data.get("session_id"), "session_id", "Choose one of the sessions listed."
            )
            placed = await registration.register(
                principal,
                event_id,
                ticket_type_id=ticket_type_id,
                session_id=session_id,
                payments_open=payments_open(request.app.state),
            )
        except DomainError as exc:
            if exc.code == "event.not_found":
                raise
            return await event_page(request, principal, event_id, error=exc, form=data)
        return Redirect(
            path=f"/registrations?registered={placed.id}#registration-{placed.id}", status_code=303
        )


def _tickets(
    ticket_types: list[dict[str, Any]], principal: Principal | None, is_member: bool, payments_open: bool
) -> list[dict[str, Any]]:
    moment = now()
    tier = pricing.tier_for(principal.roles) if principal else None
    shown = []
    for ticket in ticket_types:
        if tier:
            own = pricing.price(ticket, tier, moment)
            prices = [
                (f"Your price ({TIER_LABELS[tier].lower()})", display.price_label(own.amount, own.currency))
            ]
            early = own.early_bird
            costs = own.amount > 0
        else:
            tiers = [pricing.price(ticket, t, moment) for t in pricing.TIERS]
            prices = [(TIER_LABELS[p.tier], display.price_label(p.amount, p.currency)) for p in tiers]
            early = any(p.early_bird for p in tiers)
            costs = all(p.amount > 0 for p in tiers)
        unavailable = None
        if ticket["sales_start"] and ticket["sales_start"] > moment:
            unavailable = "Not on sale yet"
        elif ticket["sales_end"] and ticket["sales_end"] <= moment:
            unavailable = "Sales have closed"
        elif ticket["left"] == 0:
            unavailable = "Sold out"
        elif ticket["member_only"] and principal is not None and not is_member:
            unavailable = "Members only"
        elif costs and not payments_open:
            unavailable = "Online payment is not set up on this site yet"
        shown.append(
            {
                "id": ticket["id"],
                "name": ticket["name"],
                "description": ticket["description"],
                "prices": prices,
                "early_bird": early,
                "early_bird_until": ticket["early_bird_until"],
                "member_only": ticket["member_only"],
                "left": ticket["left"],
                "unavailable": unavailable,
            }
        )
    return shown


def _schedule(detail: catalogue.EventDetail, zone: str, viewer_zone: str | None) -> list[dict[str, Any]]:
    """Sessions by day (days of the event's zone), then by track in the tracks' order."""
    days: dict[date, dict[int | None, list[dict[str, Any]]]] = {}
    for session in detail.sessions:
        day = display.local_day(session["starts_at"], zone)
        days.setdefault(day, {}).setdefault(session["track"], []).append(
            {
                "id": session["id"],
                "title": session["title"],
                "description": session["description"],
                "room": session["room"],
                "seats_left": session["seats_left"],
                "when": display.when_span(session["starts_at"], session["ends_at"], zone, viewer_zone),
            }
        )
    order = {track_id: i for i, track_id in enumerate(detail.tracks)}
    schedule = []
    for day in sorted(days):
        groups = sorted(days[day].items(), key=lambda item: -1 if item[0] is None else order.get(item[0], 0))
        schedule.append(
            {
                "label": display.day_label(day),
                "iso": day.isoformat(),
                "tracks": [
                    {"name": detail.tracks[t]["name"] if t in detail.tracks else None, "sessions": sessions}
                    for t, sessions in groups
                ],
            }
        )
    return schedule


async def event_page(
    request: Request[Any, Any, Any],
    viewer: Principal | None,
    event_id: int,
    *,
    error: DomainError | None = None,
    form: Mapping[str, str] | None = None,
) -> Template:
    detail = await catalogue.event_detail(event_id, include_draft=True)
    event = detail.event
    is_staff = viewer is not None and await may_run_event(viewer, event_id)
    if event["status"] == "draft" and not is_staff:
        raise errors.event_not_found()
    zone = await viewer_zone(viewer)
    is_member = viewer is not None and viewer.has_any(Role.MEMBER, Role.PROGRAM_STAFF)
    mine = [] if viewer is None else await catalogue.own_places(viewer.person_id, event_id)
    open_for_registration = event["status"] == "published" and event["ends_at"] > now()
    bookable = [
        {
            "id": s["id"],
            "title": s["title"],
            "seats_left": s["seats_left"],
            "when": display.when_span(s["starts_at"], s["ends_at"], event["time_zone"], zone),
        }
        for s in detail.sessions
        if s["capacity"] is not None and s["ends_at"] > now()
    ]
    return Template(
        "events/detail.html",
        context={
            "event": {
                "id": event["id"],
                "title": event["title"],
                "description": event["description"],
                "kind": KIND_LABELS.get(event["kind"], event["kind"]),
                "venue": event["venue"],
                "topic": event["topic"],
                "status": event["status"],
                "member_only": event["member_only"],
                "time_zone": event["time_zone"],
                "when": display.when_span(event["starts_at"], event["ends_at"], event["time_zone"], zone),
                "seats_left": detail.seats_left,
                "capacity": event["capacity"],
            },
            "viewer_zone": zone if zone and zone != event["time_zone"] else None,
            "schedule": _schedule(detail, event["time_zone"], zone),
            "tickets": _tickets(detail.ticket_types, viewer, is_member, payments_open(request.app.state)),
            "bookable_sessions": bookable,
            "signed_in": viewer is not None,
            "is_member": is_member,
            "is_staff": is_staff,
            "my_registrations": mine,
            "open_for_registration": open_for_registration,
            "join_path": JOIN_PATH,
            "next_path": f"/events/{event_id}",
            "related_links": [link for source in EVENT_LINKS for link in await source(event_id)],
            "error": error.message if error else None,
            "error_field": error.details.get("field") if error else None,
            "form": dict(form or {}),
        },
        status_code=error.status_code if error else 200,
    )


CONTROLLERS = [CataloguePages]
