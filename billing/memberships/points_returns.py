"""Points spent on a place come back when the place ends unused.

Rules:

- A place that ends (cancelled, refunded in full, its checkout hold expired,
  or its session or event cancelled) gives back every point spent on it, to
  the person who spent them, in one ``return`` row keyed by the registration
  (so twice is once).
- Only while the membership the points came from still counts: points of a
  lapsed membership are forfeited (DOMAIN), so they stay gone.
- Not once the place was used: a check-in on any of its sessions keeps the
  points spent.
- Not while a Stripe checkout for the rest of the price may still be paid
  (an open or creating Checkout): a late payment could still confirm the
  place at its points-reduced price. Settlement calls :func:`return_points`
  again once that checkout is expired, or its late payment refunded because
  the seat was gone.
- Partial refunds give back money only: the points stay spent and the place
  stays. Only a refund of everything paid ends the place, and then the
  points come back with it. A place paid wholly with points has no charge to
  refund; cancelling it gives the points back.

:func:`on_place_ended` is registered with events' withdrawal hooks by the
shell and runs inside the transaction that ended the place.
"""

from __future__ import annotations

from billing.memberships.standing import counts
from billing.tables import Checkout, Membership, PointsEntry
from events.registration_status import ENDED
from events.tables import CheckIn, Registration
from grandrounds.db import now, write_transaction


async def _give_back(registration_id: int) -> int:
    """Write the return row if every rule allows it; the points given back (0 when none)."""
    reg = await Registration.select(Registration.status).where(Registration.id == registration_id).first()
    if reg is None or reg["status"] not in ENDED:
        return 0
    spent = (
        await PointsEntry.select()
        .where((PointsEntry.registration == registration_id) & (PointsEntry.kind == "redeem"))
        .first()
    )
    if spent is None or spent["amount"] >= 0:
        return 0
    key = f"return-{registration_id}"
    if await PointsEntry.exists().where(PointsEntry.key == key):
        return 0
    if await CheckIn.exists().where(CheckIn.registration == registration_id):
        return 0  # used: the points stay spent
    payable = await Checkout.exists().where(
        (Checkout.registration == registration_id) & Checkout.status.is_in(["creating", "open"])
    )
    if payable:
        return 0  # settlement asks again once Stripe's page is closed
    membership = await Membership.select().where(Membership.id == spent["membership"]).first()
    if membership is None or not counts(membership, now()):
        return 0  # forfeited with the membership
    points = -spent["amount"]
    inserted = (
        await PointsEntry.insert(
            PointsEntry(
                membership=spent["membership"],
                person=spent["person"],
                kind="return",
                amount=points,
                registration=registration_id,
                key=key,
                note=f"{points} points back: registration {registration_id} ended unused",
            )
        )
        .on_conflict(action="DO NOTHING")
        .returning(PointsEntry.id)
    )
    return points if inserted else 0


async def on_place_ended(registration_id: int) -> None:
    """The withdrawal hook: runs in the transaction that ended the place."""
    await _give_back(registration_id)


async def return_points(registration_id: int) -> int:
    """Give back the points of an ended place in a transaction of its own (settlement's call)."""
    async with write_transaction():
        return await _give_back(registration_id)
