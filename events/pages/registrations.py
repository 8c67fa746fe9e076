"""My registrations: each place or place in line, and what its holder can do with it.

Only the holder sees a registration here; someone else's id is "not found".
The join link of an online event is shown to a confirmed registrant only,
never while the place is pending payment, waitlisted or offered. Cancelling
asks for confirmation on a page of its own, so it works without JavaScript.
Offer emails link here; the sign-in form brings the person back.
"""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from accounts.principal import Principal
from events import errors
from events.pages import display
from events.pages.catalogue import KIND_LABELS, viewer_zone
from events.registration_status import LIVE, RegistrationStatus
from events.services.registration import registering as registration
from events.tables import Registration
from grandrounds.db import now
from grandrounds.errors import DomainError
from grandrounds.web.auth import signed_in
from grandrounds.web.dependencies import CurrentPrincipal

STATUS_LABELS = {
    RegistrationStatus.PENDING_PAYMENT: "Pending payment",
    RegistrationStatus.CONFIRMED: "Confirmed",
    RegistrationStatus.WAITLISTED: "Waitlisted",
    RegistrationStatus.OFFERED: "Seat offered",
    RegistrationStatus.CANCELLED: "Cancelled",
    RegistrationStatus.REFUNDED: "Refunded",
    RegistrationStatus.DECLINED: "Offer declined",
    RegistrationStatus.EXPIRED: "Expired",
}
DONE_MESSAGES = {
    "cancelled": "Your registration is cancelled.",
    "claimed": "The seat is yours: your registration is confirmed.",
    "declined": "You declined the offer; the seat goes to the next person in line.",
}

_COLUMNS = (
    *Registration.all_columns(),
    Registration.event.title.as_alias("event_title"),
    Registration.event.kind.as_alias("event_kind"),
    Registration.event.time_zone.as_alias("event_zone"),
    Registration.event.starts_at.as_alias("event_starts_at"),
    Registration.event.ends_at.as_alias("event_ends_at"),
    Registration.event.venue.as_alias("event_venue"),
    Registration.event.join_url.as_alias("event_join_url"),
    Registration.event.status.as_alias("event_status"),
    Registration.session.title.as_alias("session_title"),
    Registration.session.starts_at.as_alias("session_starts_at"),
    Registration.session.ends_at.as_alias("session_ends_at"),
    Registration.session.join_url.as_alias("session_join_url"),
    Registration.ticket_type.name.as_alias("ticket_type_name"),
)


async def place_in_line(reg: dict[str, Any]) -> int:
    """1 for the front of the line: waitlisted places of the same event and session signed up earlier."""
    same_place = (Registration.event == reg["event"]) & (Registration.status == RegistrationStatus.WAITLISTED)
    same_place &= (
        Registration.session.is_null() if reg["session"] is None else Registration.session == reg["session"]
    )
    earlier = (Registration.created_at < reg["created_at"]) | (
        (Registration.created_at == reg["created_at"]) & (Registration.id < reg["id"])
    )
    ahead: int = await Registration.count().where(same_place & earlier)
    return ahead + 1


def join_link(reg: dict[str, Any]) -> str | None:
    """The online room, for a confirmed place at an event that is still on; nobody else gets it."""
    if reg["status"] != RegistrationStatus.CONFIRMED or reg["event_status"] == "cancelled":
        return None
    return reg["session_join_url"] or reg["event_join_url"] or None


def time_left(until: datetime, moment: datetime) -> str:
    """How long a hold still runs, in words a person reads at a glance ("12 minutes", "1 h 05 min")."""
    minutes = max(math.ceil((until - moment).total_seconds() / 60), 1)
    if minutes < 60:
        return "1 minute" if minutes == 1 else f"{minutes} minutes"
    return f"{minutes // 60} h {minutes % 60:02d} min"


async def _view(reg: dict[str, Any], zone: str | None, moment: datetime) -> dict[str, Any]:
    event_zone = reg["event_zone"]
    starts, ends = reg["event_starts_at"], reg["event_ends_at"]
    if reg["session"] is not None and reg["session_starts_at"] is not None:
        starts, ends = reg["session_starts_at"], reg["session_ends_at"]
    offer_open = (
        reg["status"] == RegistrationStatus.OFFERED
        and reg["offer_expires_at"]
        and reg["offer_expires_at"] > moment
    )
    hold = reg["hold_expires_at"] if reg["status"] == RegistrationStatus.PENDING_PAYMENT else None
    return {
        "id": reg["id"],
        "event_id": reg["event"],
        "event_title": reg["event_title"],
        "event_cancelled": reg["event_status"] == "cancelled",
        "kind": KIND_LABELS.get(reg["event_kind"], reg["event_kind"]),
        "session_title": reg["session_title"],
        "ticket_type": reg["ticket_type_name"],
        "venue": reg["event_venue"],
        "time_zone": event_zone,
        "when": display.when_span(starts, ends, event_zone, zone),
        "status": reg["status"],
        "status_label": STATUS_LABELS.get(reg["status"], reg["status"]),
        "place_in_line": await place_in_line(reg) if reg["status"] == RegistrationStatus.WAITLISTED else None,
        "offer_open": bool(offer_open),
        "offer_expires": display.when_moment(reg["offer_expires_at"], event_zone, zone)
        if offer_open
        else None,
        "amount": display.price_label(reg["amount"], reg["currency"]) if reg["amount"] else None,
        "hold_expires": display.when_moment(hold, event_zone, zone) if hold else None,
        # Pay now: the checkout form (billing's /registrations/{id}/pay) while the hold still runs.
        "can_pay": bool(hold and hold > moment and reg["amount"] > 0),
        "hold_left": time_left(hold, moment) if hold and hold > moment else None,
        "join_url": join_link(reg),
        "has_ticket": reg["status"] == RegistrationStatus.CONFIRMED,
        "can_cancel": reg["status"] in LIVE and ends > moment,
        "is_current": reg["status"] in LIVE and ends > moment,
    }


async def registrations_page(
    request: Request[Any, Any, Any], principal: Principal, *, error: DomainError | None = None
) -> Template:
    zone = await viewer_zone(principal)
    rows = (
        await Registration.select(*_COLUMNS)
        .where(Registration.person == principal.person_id)
        .order_by(Registration.event.starts_at)
        .order_by(Registration.id)
    )
    moment = now()
    views = [await _view(row, zone, moment) for row in rows]
    done = request.query_params.get("done")
    registered = request.query_params.get("registered")
    return Template(
        "events/registrations.html",
        context={
            "current": [v for v in views if v["is_current"]],
            "closed": [v for v in views if not v["is_current"]],
            "notice": DONE_MESSAGES.get(done or ""),
            "registered": next((v for v in views if str(v["id"]) == registered), None),
            "error": error.message if error else None,
        },
        status_code=error.status_code if error else 200,
    )


async def own_registration(principal: Principal, registration_id: int) -> dict[str, Any]:
    """The caller's own registration with its event; anyone else's is "not found" here."""
    row = await Registration.select(*_COLUMNS).where(Registration.id == registration_id).first()
    if row is None or row["person"] != principal.person_id:
        raise errors.registration_not_found()
    return row


class RegistrationPages(Controller):
    include_in_schema = False
    guards = [signed_in]

    @get("/registrations")
    async def mine(self, request: Request[Any, Any, Any], principal: CurrentPrincipal) -> Template:
        return await registrations_page(request, principal)

    @get("/registrations/{registration_id:int}/cancel")
    async def confirm_cancel(self, principal: CurrentPrincipal, registration_id: FromPath[int]) -> Template:
        row = await own_registration(principal, registration_id)
        view = await _view(row, await viewer_zone(principal), now())
        if not view["can_cancel"]:
            raise errors.not_live()
        return Template("events/cancel.html", context={"registration": view})

    @post("/registrations/{registration_id:int}/cancel")
    async def cancel(
        self, request: Request[Any, Any, Any], principal: CurrentPrincipal, registration_id: FromPath[int]
    ) -> Response[Any]:
        return await self._act(request, principal, registration_id, registration.cancel, "cancelled")

    @post("/registrations/{registration_id:int}/claim")
    async def claim(
        self, request: Request[Any, Any, Any], principal: CurrentPrincipal, registration_id: FromPath[int]
    ) -> Response[Any]:
        return await self._act(request, principal, registration_id, registration.claim_offer, "claimed")

    @post("/registrations/{registration_id:int}/decline")
    async def decline(
        self, request: Request[Any, Any, Any], principal: CurrentPrincipal, registration_id: FromPath[int]
    ) -> Response[Any]:
        return await self._act(request, principal, registration_id, registration.decline_offer, "declined")

    async def _act(
        self,
        request: Request[Any, Any, Any],
        principal: Principal,
        registration_id: int,
        action: Any,
        done: str,
    ) -> Response[Any]:
        await own_registration(principal, registration_id)
        try:
            await action(principal, registration_id)
        except DomainError as exc:
            return await registrations_page(request, principal, error=exc)
        return Redirect(path=f"/registrations?done={done}#registration-{registration_id}", status_code=303)


CONTROLLERS = [RegistrationPages]
