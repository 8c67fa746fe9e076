"""How a registration is shown: to its registrant and the event's staff whole, to whoever booked it
for them without the ticket code or the join link."""

from __future__ import annotations

from typing import Any

from events import errors
from events.registration_status import RegistrationStatus
from events.schemas import RegistrationOut
from events.services.join_links import whole_event_links
from events.services.registration.seats import Row
from events.tables import Registration


def out(reg: Row, join_url: str | None, *, owner_view: bool) -> RegistrationOut:
    """The registration as its owner (or the event's staff) sees it. Anyone else who may see it
    (whoever booked it for them) gets neither the ticket code nor the join link, and nobody gets
    them before the place is confirmed."""
    shown = owner_view and reg["status"] == RegistrationStatus.CONFIRMED
    return RegistrationOut(
        id=reg["id"],
        event_id=reg["event"],
        status=reg["status"],
        created_at=reg["created_at"],
        offer_expires_at=reg["offer_expires_at"],
        join_url=(join_url or None) if shown else None,
        ticket_type_id=reg["ticket_type"],
        session_id=reg["session"],
        price_tier=reg["price_tier"],
        amount=reg["amount"],
        currency=reg["currency"],
        hold_expires_at=reg["hold_expires_at"],
        ticket_code=reg["ticket_code"] if shown else None,
        party=reg["party"],
        booked_by=reg["booked_by"],
    )


def _with_links() -> list[Any]:
    return [
        *Registration.all_columns(),
        Registration.event.join_url.as_alias("event_join_url"),
        Registration.session.join_url.as_alias("session_join_url"),
    ]


async def _shown_links(rows: list[Row]) -> list[str]:
    """Each registration's join link, as its invites and feed entries show it (events.services.join_links)."""
    whole = await whole_event_links({r["event"] for r in rows if r["session"] is None})
    return [r["session_join_url"] or r["event_join_url"] if r["session"] else whole[r["event"]] for r in rows]


async def registration_out(registration_id: int, *, owner_view: bool = True) -> RegistrationOut:
    row = await Registration.select(*_with_links()).where(Registration.id == registration_id).first()
    if row is None:
        raise errors.registration_not_found()
    [link] = await _shown_links([row])
    return out(row, link, owner_view=owner_view)


async def my_registrations(person_id: int) -> list[RegistrationOut]:
    rows = await (
        Registration.select(*_with_links()).where(Registration.person == person_id).order_by(Registration.id)
    )
    links = await _shown_links(rows)
    return [out(row, link, owner_view=True) for row, link in zip(rows, links, strict=True)]
