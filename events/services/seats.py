"""How many seats an event has given out: the one count capacity is checked against.

Confirmed places, unpaid checkouts and open waitlist offers all hold a seat;
an offer stops holding one the moment it expires, even before the expiry job
has marked it.
"""

from __future__ import annotations

from events.tables import Registration
from grandrounds.db import now

SEAT_HOLDING = ("confirmed", "pending_payment")
LIVE = ("pending_payment", "confirmed", "waitlisted", "offered")


async def seats_taken(event_id: int) -> int:
    held: int = await Registration.count().where(
        (Registration.event == event_id) & Registration.status.is_in(list(SEAT_HOLDING))
    )
    offered: int = await Registration.count().where(
        (Registration.event == event_id)
        & (Registration.status == "offered")
        & (Registration.offer_expires_at > now())
    )
    return held + offered
