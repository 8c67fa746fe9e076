"""Ending a checkout hold early, when Stripe says its Checkout Session can no longer be paid.

The registration leaves pending_payment for expired with its history row,
the registrant is told, and the seat passes down the waitlist: the same move
as events' expire_holds chore, for one registration and before its deadline.
It composes events' own lifecycle steps under the event's lock.
"""

from __future__ import annotations

from accounts.tables import Person
from events.services.registration.lifecycle import context, move, offer_next
from events.services.registration.seats import lock_event, place_of
from events.tables import Registration
from grandrounds.db import write_transaction
from notifications.outbox import enqueue_email


async def release_hold(registration_id: int, reason: str) -> bool:
    """Expire a pending registration now; False when it is not pending any more (paid, cancelled)."""
    first = await Registration.select(Registration.event).where(Registration.id == registration_id).first()
    if first is None:
        return False
    async with write_transaction():
        event = await lock_event(first["event"])
        reg = await Registration.select().where(Registration.id == registration_id).first()
        if reg is None or reg["status"] != "pending_payment":
            return False
        place = await place_of(event, reg)
        await move(reg, "expired", None, reason, offer_expires_at=None)
        person = await Person.select(Person.name).where(Person.id == reg["person"]).first()
        values = context(place, person["name"] if person else "")
        await enqueue_email("registration_hold_expired", reg["email_key"], values, person_id=reg["person"])
        await offer_next(place, None)
    return True
