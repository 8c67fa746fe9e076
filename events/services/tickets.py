"""Ticket types: what an event sells, at which prices, when, and to whom; and the codes on tickets.

Staff of the event's program define them; everyone may see the active types
of a published event. Every rule is checked on the whole, merged record
before anything is written, so a refused change leaves nothing behind.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from typing import Any

import msgspec

from accounts.audit import trail as audit
from accounts.principal import Principal
from events import errors
from events.schemas import TicketTypeCreate, TicketTypeOut, TicketTypeUpdate
from events.services.access import event_for_staff, may_run_event
from events.services.pricing import TIERS, is_free
from events.services.registration.seats import ticket_taken, tickets_taken
from events.tables import Event, TicketType
from grandrounds.db import now, write_transaction
from grandrounds.money import is_known_currency

# Ten million in major units of a two-decimal currency: far above any ticket, far below overflow.
MAX_PRICE = 1_000_000_000
PRICE_FIELDS = tuple(f"{tier}_price" for tier in TIERS)
EARLY_FIELDS = tuple(f"early_{tier}_price" for tier in TIERS)
TIME_FIELDS = ("early_bird_until", "sales_start", "sales_end")


def new_ticket_code() -> str:
    """A random, URL-safe code (128 bits) printed on a confirmed registrant's ticket."""
    return secrets.token_urlsafe(16)


def _check_price(field: str, value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_PRICE:
        raise errors.ticket_price_invalid(field)


def _validated(values: dict[str, Any], event: dict[str, Any]) -> dict[str, Any]:
    """The record as it will be stored (times in UTC), or the first rule it breaks."""
    if not is_known_currency(values["currency"]):
        raise errors.ticket_currency_unknown()
    for field in PRICE_FIELDS:
        _check_price(field, values[field])
    for field in EARLY_FIELDS:
        if values[field] is not None:
            _check_price(field, values[field])
    for field in TIME_FIELDS:
        moment = values[field]
        if moment is not None:
            if moment.tzinfo is None:
                raise errors.ticket_time_naive(field)
            values[field] = moment.astimezone(UTC)
    has_early = any(values[f] is not None for f in EARLY_FIELDS)
    if has_early and values["early_bird_until"] is None:
        raise errors.ticket_early_bird_incomplete()
    if values["early_bird_until"] is not None and values["early_bird_until"] > event["starts_at"]:
        raise errors.ticket_early_bird_after_start()
    for early, regular in zip(EARLY_FIELDS, PRICE_FIELDS, strict=True):
        if values[early] is not None and values[early] > values[regular]:
            raise errors.ticket_early_price_above_regular(early)
    start, end = values["sales_start"], values["sales_end"]
    if start is not None and end is not None and end <= start:
        raise errors.ticket_sales_window_invalid()
    if values["quantity"] is not None and values["quantity"] < 1:
        raise errors.ticket_quantity_invalid()
    values["name"] = " ".join(values["name"].split())
    if not values["name"]:
        raise errors.ticket_name_blank()
    return values


def _out(row: dict[str, Any], taken: int) -> TicketTypeOut:
    quantity = row["quantity"]
    return TicketTypeOut(
        id=row["id"],
        event_id=row["event"],
        name=row["name"],
        description=row["description"],
        currency=row["currency"],
        member_price=row["member_price"],
        non_member_price=row["non_member_price"],
        guest_price=row["guest_price"],
        early_bird_until=row["early_bird_until"],
        early_member_price=row["early_member_price"],
        early_non_member_price=row["early_non_member_price"],
        early_guest_price=row["early_guest_price"],
        sales_start=row["sales_start"],
        sales_end=row["sales_end"],
        member_only=row["member_only"],
        quantity=quantity,
        remaining=None if quantity is None else max(quantity - taken, 0),
        position=row["position"],
        active=row["active"],
        free=is_free(row),
    )


async def ticket_type_out(ticket_type_id: int) -> TicketTypeOut:
    row = await TicketType.select().where(TicketType.id == ticket_type_id).first()
    if row is None:
        raise errors.ticket_not_found()
    return _out(row, await ticket_taken(ticket_type_id))


async def list_ticket_types(principal: Principal | None, event_id: int) -> list[TicketTypeOut]:
    """Active types of a published (or cancelled) event for everyone; every type for its staff."""
    event = await Event.select(Event.status).where(Event.id == event_id).first()
    if event is None:
        raise errors.event_not_found()
    staff = principal is not None and await may_run_event(principal, event_id)
    if event["status"] == "draft" and not staff:
        raise errors.event_not_found()
    query = TicketType.select().where(TicketType.event == event_id)
    if not staff:
        query = query.where(TicketType.active == True)  # noqa: E712 - SQL comparison
    rows = await query.order_by(TicketType.position).order_by(TicketType.id)
    taken = await tickets_taken(event_id)
    return [_out(row, taken.get(row["id"], 0)) for row in rows]


async def create_ticket_type(principal: Principal, event_id: int, data: TicketTypeCreate) -> TicketTypeOut:
    event = await event_for_staff(principal, event_id)
    values = _validated(msgspec.structs.asdict(data), event)
    async with write_transaction():
        row = (await TicketType.insert(TicketType(event=event_id, **values)).returning(TicketType.id))[0]
        await audit.record(
            "ticket_type.create", "ticket_type", row["id"], after=values, details={"event_id": event_id}
        )
    return await ticket_type_out(row["id"])


async def _for_staff(principal: Principal, ticket_type_id: int) -> tuple[dict[str, Any], dict[str, Any]]:
    row = await TicketType.select().where(TicketType.id == ticket_type_id).first()
    if row is None:
        raise errors.ticket_not_found()
    return row, await event_for_staff(principal, row["event"])


async def update_ticket_type(
    principal: Principal, ticket_type_id: int, data: TicketTypeUpdate
) -> TicketTypeOut:
    """Change some fields; registrations already made keep the price they were given."""
    row, event = await _for_staff(principal, ticket_type_id)
    changes = {k: v for k, v in msgspec.structs.asdict(data).items() if v is not msgspec.UNSET}
    merged = _validated({**row, **changes}, event)
    columns = [*PRICE_FIELDS, *EARLY_FIELDS, *TIME_FIELDS, "name", "description", "currency"]
    columns += ["member_only", "quantity", "position", "active"]
    if all(merged[c] == row[c] for c in columns):
        # Nothing changes: nothing written, nothing to record.
        return await ticket_type_out(ticket_type_id)
    async with write_transaction():
        if merged["quantity"] is not None and merged["quantity"] != row["quantity"]:
            taken = await ticket_taken(ticket_type_id)
            if merged["quantity"] < taken:
                raise errors.ticket_quantity_below_taken(taken)
        await TicketType.update({getattr(TicketType, c): merged[c] for c in columns}).where(
            TicketType.id == ticket_type_id
        )
        await audit.record(
            "ticket_type.update",
            "ticket_type",
            ticket_type_id,
            before={c: row[c] for c in columns},
            after={c: merged[c] for c in columns},
            details={"event_id": row["event"]},
        )
    return await ticket_type_out(ticket_type_id)


async def deactivate_ticket_type(principal: Principal, ticket_type_id: int) -> TicketTypeOut:
    """Stop selling a type; places already taken with it stay as they are."""
    row, _ = await _for_staff(principal, ticket_type_id)
    if not row["active"]:
        return await ticket_type_out(ticket_type_id)
    async with write_transaction():
        was = await (
            TicketType.update({TicketType.active: False})
            .where((TicketType.id == ticket_type_id) & (TicketType.active == True))  # noqa: E712
            .returning(TicketType.id)
        )
        # Recorded even when a simultaneous request deactivated it first: this transaction commits.
        await audit.record(
            "ticket_type.deactivate",
            "ticket_type",
            ticket_type_id,
            before={"active": bool(was)},
            after={"active": False},
            details={"event_id": row["event"]},
        )
    return await ticket_type_out(ticket_type_id)


def on_sale(ticket: dict[str, Any], at: datetime) -> bool:
    """Inside the type's sales window (an open end means no limit on that side)."""
    start, end = ticket["sales_start"], ticket["sales_end"]
    return (start is None or start <= at) and (end is None or at < end)


async def ticket_for_registration(event_id: int, ticket_type_id: int | None) -> dict[str, Any] | None:
    """The active type asked for; the only one when none is named; None for an event without types.

    One query of at most two rows, inside the registration's lock.
    """
    query = TicketType.select().where((TicketType.event == event_id) & (TicketType.active == True))  # noqa: E712
    if ticket_type_id is not None:
        ticket = await query.where(TicketType.id == ticket_type_id).first()
        if ticket is None:
            raise errors.ticket_unknown()
        return ticket
    offered = await query.limit(2)
    if len(offered) > 1:
        raise errors.ticket_required()
    return offered[0] if offered else None


async def check_sale(ticket: dict[str, Any], wanted: int, outsiders: list[int]) -> None:
    """May ``wanted`` more places of this type be sold now? ``outsiders``: the people among them
    who may not take member places. Counts the type's places only when it has a quantity."""
    if ticket["member_only"] and outsiders:
        raise errors.ticket_members_only(outsiders)
    if not on_sale(ticket, now()):
        raise errors.ticket_not_on_sale()
    if ticket["quantity"] is not None and await ticket_taken(ticket["id"]) + wanted > ticket["quantity"]:
        raise errors.ticket_sold_out()
