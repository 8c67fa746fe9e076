"""An event's ticket types for its staff: the list with prices as people read them, add, deactivate.

Prices are typed as decimal amounts ("19.99") and stored as integer minor
units by the currency's exponent (1999 for USD, 1000 for 1000 JPY); an amount
the currency cannot hold exactly (19.999 USD) or a negative one is refused
before anything is written. Early-bird deadline and sales window are clock
times in the event's zone.
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, URLEncodedBody
from litestar.response import Redirect, Template

from accounts.principal import Principal, Role
from events import errors
from events.pages import display
from events.pages.catalogue import TIER_LABELS
from events.pages.staff_manage.forms import (
    Form,
    amount,
    checked,
    line,
    optional_local,
    optional_whole,
    problem,
    shaped,
    staff_event,
    staff_ticket,
    text,
)
from events.schemas import TicketTypeCreate, TicketTypeOut
from events.services import tickets
from events.services.pricing import TIERS
from grandrounds.errors import DomainError
from grandrounds.money import is_known_currency
from grandrounds.web.auth import requires
from grandrounds.web.dependencies import CurrentPrincipal

Body = URLEncodedBody[dict[str, str]]
TICKET_FIELDS = (
    "name", "description", "currency", "member_price", "non_member_price", "guest_price",
    "early_member_price", "early_non_member_price", "early_guest_price", "early_bird_until",
    "sales_start", "sales_end", "member_only", "quantity",
)  # fmt: skip
PRICE_LABELS = {"member": "member price", "non_member": "non-member price", "guest": "guest price"}
CURRENCIES = ("USD", "EUR", "GBP", "CAD", "AUD", "CHF", "JPY", "INR")
NOTICES = {
    "added": "Ticket type added.",
    "deactivated": "Ticket type no longer on sale; places already taken with it stay as they are.",
}


def ticket_request(form: Form, event: dict[str, Any]) -> TicketTypeCreate:
    """The form as the service's request: prices in minor units, times as instants in the event's zone."""
    zone = event["time_zone"]
    currency = (form.get("currency") or "").strip().upper()
    if not is_known_currency(currency):
        raise errors.ticket_currency_unknown()
    name = line(form.get("name"))
    if not name:
        raise errors.ticket_name_blank()
    values: dict[str, Any] = {
        "name": name,
        "description": text(form.get("description")),
        "currency": currency,
    }
    for tier in TIERS:
        field = f"{tier}_price"
        values[field] = amount(form.get(field), currency, field, PRICE_LABELS[tier])
    for tier in TIERS:
        field = f"early_{tier}_price"
        raw = (form.get(field) or "").strip()
        values[field] = amount(raw, currency, field, f"early-bird {PRICE_LABELS[tier]}") if raw else None
    for field in ("early_bird_until", "sales_start", "sales_end"):
        values[field] = optional_local(form.get(field), zone, field)
    early = [f"early_{tier}_price" for tier in TIERS if values[f"early_{tier}_price"] is not None]
    if early and values["early_bird_until"] is None:
        raise errors.ticket_early_bird_end_missing()
    values["member_only"] = checked(form, "member_only")
    values["quantity"] = optional_whole(
        form.get("quantity"),
        "quantity",
        1,
        100_000,
        "Quantity is a whole number from 1 to 100000, or empty for no limit but the event's capacity.",
    )
    return shaped(values, TicketTypeCreate)


def _row(ticket: TicketTypeOut, zone: str) -> dict[str, Any]:
    currency = ticket.currency
    early = {
        TIER_LABELS[tier]: display.price_label(price, currency)
        for tier in TIERS
        if (price := getattr(ticket, f"early_{tier}_price")) is not None
    }
    return {
        "ticket": ticket,
        "prices": {
            TIER_LABELS[t]: display.price_label(getattr(ticket, f"{t}_price"), currency) for t in TIERS
        },
        "early": early,
        "early_until": display.moment(ticket.early_bird_until, zone) if ticket.early_bird_until else "",
        "sales_start": display.moment(ticket.sales_start, zone) if ticket.sales_start else "",
        "sales_end": display.moment(ticket.sales_end, zone) if ticket.sales_end else "",
    }


async def tickets_page(
    request: Request[Any, Any, Any],
    principal: Principal,
    event: dict[str, Any],
    form: Form | None = None,
    error: DomainError | None = None,
    form_id: str = "",
) -> Template:
    listed = await tickets.list_ticket_types(principal, event["id"])
    return Template(
        "staff/manage_tickets.html",
        context={
            "event": event,
            "tickets": [_row(t, event["time_zone"]) for t in listed],
            "form": form if form is not None and form_id == "ticket" else {"currency": "USD"},
            "currencies": CURRENCIES,
            "price_labels": PRICE_LABELS,
            "notice": NOTICES.get(request.query_params.get("done") or ""),
            "editable": event["status"] != "cancelled",
            **problem(error, form_id),
        },
        status_code=error.status_code if error else 200,
    )


def _back(event_id: int, done: str) -> Redirect:
    return Redirect(path=f"/staff/events/{event_id}/tickets?done={done}", status_code=303)


class TicketPages(Controller):
    include_in_schema = False
    guards = [requires(Role.PROGRAM_STAFF)]

    @get("/staff/events/{event_id:int}/tickets")
    async def list_tickets(
        self, request: Request[Any, Any, Any], principal: CurrentPrincipal, event_id: FromPath[int]
    ) -> Template:
        return await tickets_page(request, principal, await staff_event(principal, event_id))

    @post("/staff/events/{event_id:int}/tickets", opt={"audit": "ticket_type.create"})
    async def add(
        self,
        request: Request[Any, Any, Any],
        principal: CurrentPrincipal,
        event_id: FromPath[int],
        data: Body,
    ) -> Response[Any]:
        event = await staff_event(principal, event_id)
        form = {k: v[:2_000] for k, v in data.items() if k in TICKET_FIELDS}
        try:
            if event["status"] == "cancelled":
                raise errors.event_cancelled()
            await tickets.create_ticket_type(principal, event_id, ticket_request(form, event))
        except DomainError as exc:
            return await tickets_page(request, principal, event, form, exc, "ticket")
        return _back(event_id, "added")

    @post("/staff/ticket-types/{ticket_type_id:int}/deactivate", opt={"audit": "ticket_type.deactivate"})
    async def deactivate(
        self, request: Request[Any, Any, Any], principal: CurrentPrincipal, ticket_type_id: FromPath[int]
    ) -> Response[Any]:
        _, event = await staff_ticket(principal, ticket_type_id)
        try:
            await tickets.deactivate_ticket_type(principal, ticket_type_id)
        except DomainError as exc:
            return await tickets_page(request, principal, event, None, exc, f"ticket-{ticket_type_id}")
        return _back(event["id"], "deactivated")
