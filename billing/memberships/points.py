"""Organization points: granted per paid term, moved by the leader, spent on event places, forfeited on lapse.

Rules (DOMAIN, Memberships): an organization receives points worth half its
dues for each paid term (4,000.00 USD dues -> 2,000 points); the leader
transfers them to colleagues holding seats; 1 point = 1 unit of the
membership's currency off an event place's price; points never pay dues;
they are forfeited when the membership lapses.

The ledger (``PointsEntry``) is append-only and signed. Grants land in the
organization's pool (``person`` None); a transfer is two rows. Balances
count only while the membership counts (billing.memberships.standing),
so a lapse takes points away that very day, before the ``forfeit`` rows that
record it are written (by the sync that sees the lapse, or the first page
that finds it).

Spending is opt-in per registration: the registrant applies points to a
place waiting for payment *before* opening Stripe's page; the registration's
amount drops by the points' value, so the Checkout Session asks only the
rest, and a place covered in full is confirmed without Stripe. A partly
used point is not split: covering 19.99 USD takes 20 points. A place that
ends unused gives its points back (billing.memberships.points_returns).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from piccolo.engine.postgres import PostgresEngine

from accounts.principal import Principal
from accounts.tables import Organization
from billing import errors
from billing.memberships.standing import counts
from billing.memberships.status import UNPAID
from billing.tables import Checkout, Membership, MembershipSeat, PointsEntry
from events.registration_status import RegistrationStatus
from events.services.registration.lifecycle import confirm_payment
from events.tables import Registration
from grandrounds.db import engine, now, unique_violation, write_transaction
from grandrounds.money import MINOR_UNIT_EXPONENT

TOO_LATE_SECONDS = (
    120  # an open checkout this close to its end no longer blocks points (see checkout.TOO_LATE)
)


@dataclass(frozen=True, slots=True)
class Redemption:
    registration_id: int
    points: int
    discount: int  # minor units taken off
    amount_left: int  # minor units still to pay through Stripe
    currency: str
    confirmed: bool


async def _membership(membership_id: int, *, lock: bool = False) -> dict[str, Any]:
    query = Membership.select().where(Membership.id == membership_id)
    if lock and isinstance(engine(), PostgresEngine):
        query = query.lock_rows("UPDATE")
    row = await query.first()
    if row is None:
        raise errors.membership_not_found()
    return dict(row)


async def _raw_balances(membership_id: int) -> dict[int | None, int]:
    rows = await PointsEntry.select(PointsEntry.person, PointsEntry.amount).where(
        PointsEntry.membership == membership_id
    )
    totals: dict[int | None, int] = {}
    for row in rows:
        totals[row["person"]] = totals.get(row["person"], 0) + row["amount"]
    return totals


async def balances(membership_id: int, at: datetime | None = None) -> dict[int | None, int]:
    """Points held per holder (None: the organization's pool); empty while the membership does not count."""
    membership = await _membership(membership_id)
    if not counts(membership, at or now()):
        return {}
    return {holder: amount for holder, amount in (await _raw_balances(membership_id)).items() if amount}


async def grant(membership_id: int, amount: int, key: str, note: str) -> bool:
    """Add a term's points to the pool once per key (the paid invoice); True when new."""
    if amount <= 0:
        return False
    async with write_transaction():
        inserted = (
            await PointsEntry.insert(
                PointsEntry(
                    membership=membership_id, person=None, kind="grant", amount=amount, key=key, note=note
                )
            )
            .on_conflict(action="DO NOTHING")
            .returning(PointsEntry.id)
        )
    return bool(inserted)


async def forfeit_if_lapsed(membership_id: int, at: datetime | None = None) -> int:
    """Write forfeit rows emptying every holder of a membership found lapsed; how many were written."""
    instant = at or now()
    membership = await _membership(membership_id)
    if membership["status"] in UNPAID or counts(membership, instant):
        return 0
    ended = membership["current_period_end"].isoformat() if membership["current_period_end"] else "never"
    written = 0
    async with write_transaction():
        for holder, amount in (await _raw_balances(membership_id)).items():
            if amount == 0:
                continue
            inserted = (
                await PointsEntry.insert(
                    PointsEntry(
                        membership=membership_id,
                        person=holder,
                        kind="forfeit",
                        amount=-amount,
                        key=f"forfeit-{membership_id}-{holder or 'pool'}-{ended}",
                        note="membership lapsed",
                    )
                )
                .on_conflict(action="DO NOTHING")
                .returning(PointsEntry.id)
            )
            written += len(inserted)
    return written


async def _leader_of(membership: dict[str, Any]) -> int | None:
    org = (
        await Organization.select(Organization.leader)
        .where(Organization.id == membership["organization"])
        .first()
    )
    return org["leader"] if org else None


async def transfer(
    principal: Principal, membership_id: int, person_id: int, amount: int
) -> dict[int | None, int]:
    """The leader moves points from the pool to a colleague holding a seat; the new balances."""
    if amount <= 0:
        raise errors.points_invalid()
    membership = await _membership(membership_id)
    if membership["tier"] != "organization":
        raise errors.membership_not_found()
    if not principal.is_admin and await _leader_of(membership) != principal.person_id:
        raise errors.not_leader()
    async with write_transaction():
        membership = await _membership(membership_id, lock=True)
        if not counts(membership, now()):
            raise errors.not_active()
        seated = await MembershipSeat.exists().where(
            (MembershipSeat.membership == membership_id)
            & (MembershipSeat.person == person_id)
            & MembershipSeat.released_at.is_null()
        )
        if not seated:
            raise errors.points_need_seat()
        pool = (await _raw_balances(membership_id)).get(None, 0)
        if amount > pool:
            raise errors.points_insufficient(pool)
        await PointsEntry.insert(
            PointsEntry(
                membership=membership_id,
                person=None,
                kind="transfer",
                amount=-amount,
                note=f"to person {person_id}",
                created_by=principal.person_id,
            ),
            PointsEntry(
                membership=membership_id,
                person=person_id,
                kind="transfer",
                amount=amount,
                note="from the organization's pool",
                created_by=principal.person_id,
            ),
        )
    return await balances(membership_id)


async def spendable(person_id: int, currency: str, at: datetime | None = None) -> list[tuple[int, int]]:
    """(membership id, points) the person may spend in ``currency``, from counting memberships."""
    instant = at or now()
    held = await PointsEntry.select(PointsEntry.membership).where(PointsEntry.person == person_id).distinct()
    found: list[tuple[int, int]] = []
    for row in held:
        membership = await _membership(row["membership"])
        if membership["currency"] != currency or not counts(membership, instant):
            continue
        balance = (await _raw_balances(membership["id"])).get(person_id, 0)
        if balance > 0:
            found.append((membership["id"], balance))
    return sorted(found, key=lambda item: -item[1])


async def person_total(person_id: int, at: datetime | None = None) -> int:
    """All points the person may spend now, whatever the currency (for their membership page)."""
    total = 0
    held = await PointsEntry.select(PointsEntry.membership).where(PointsEntry.person == person_id).distinct()
    for row in held:
        membership = await _membership(row["membership"])
        if counts(membership, at or now()):
            total += max(0, (await _raw_balances(membership["id"])).get(person_id, 0))
    return total


async def _checkout_open(registration_id: int) -> bool:
    rows = await Checkout.select(Checkout.status, Checkout.expires_at).where(
        (Checkout.registration == registration_id) & Checkout.status.is_in(["creating", "open"])
    )
    instant = now().timestamp()
    return any(r["expires_at"].timestamp() - TOO_LATE_SECONDS > instant for r in rows)


async def redeem(principal: Principal, registration_id: int) -> Redemption:
    """Apply the registrant's points to their place waiting for payment (as many as it takes)."""
    reg = await Registration.select().where(Registration.id == registration_id).first()
    if reg is None or reg["person"] != principal.person_id:
        raise errors.points_not_applicable("No such registration of yours.")
    if reg["status"] != RegistrationStatus.PENDING_PAYMENT or reg["amount"] <= 0:
        raise errors.points_not_applicable("Points apply only to a place waiting for payment.")
    if reg["hold_expires_at"] is None or reg["hold_expires_at"] <= now():
        raise errors.points_not_applicable("The time to pay for this place has run out; register again.")
    if await _checkout_open(registration_id):
        raise errors.points_checkout_open()
    currency = reg["currency"]
    unit = 10 ** MINOR_UNIT_EXPONENT.get(currency, 2)
    sources = await spendable(principal.person_id, currency)
    if not sources:
        raise errors.points_insufficient(0)
    membership_id, available = sources[0]
    with unique_violation(becomes=errors.points_not_applicable("Points were already applied to this place.")):
        async with write_transaction():
            await _membership(membership_id, lock=True)
            fresh = await Registration.select().where(Registration.id == registration_id).first()
            assert fresh is not None  # registrations are never deleted
            if fresh["status"] != RegistrationStatus.PENDING_PAYMENT or fresh["amount"] <= 0:
                raise errors.points_not_applicable("Points apply only to a place waiting for payment.")
            available = (await _raw_balances(membership_id)).get(principal.person_id, 0)
            if available <= 0:
                raise errors.points_insufficient(0)
            needed = -(-fresh["amount"] // unit)  # whole points covering the amount
            used = min(available, needed)
            discount = min(fresh["amount"], used * unit)
            left = fresh["amount"] - discount
            await PointsEntry.insert(
                PointsEntry(
                    membership=membership_id,
                    person=principal.person_id,
                    kind="redeem",
                    amount=-used,
                    registration=registration_id,
                    key=f"redeem-{registration_id}",
                    note=f"{used} points off registration {registration_id}",
                    created_by=principal.person_id,
                )
            )
            await Registration.update({Registration.amount: left}).where(Registration.id == registration_id)
    confirmed = False
    if left == 0:
        await confirm_payment(registration_id)
        confirmed = True
    return Redemption(registration_id, used, discount, left, currency, confirmed)


async def usage(membership_id: int) -> list[dict[str, Any]]:
    """Every points movement of a membership, newest first, with who and which place (the leader's view)."""
    rows = (
        await PointsEntry.select(
            PointsEntry.id,
            PointsEntry.kind,
            PointsEntry.amount,
            PointsEntry.note,
            PointsEntry.created_at,
            PointsEntry.person,
            PointsEntry.person.name.as_alias("person_name"),
            PointsEntry.registration,
            PointsEntry.registration._.event._.title.as_alias("event_title"),
        )
        .where(PointsEntry.membership == membership_id)
        .order_by(PointsEntry.id, ascending=False)
    )
    return [dict(r) for r in rows]


async def waiting_for_payment(person_id: int) -> list[dict[str, Any]]:
    """The person's places still to pay, where points could be applied (their membership page)."""
    rows = await Registration.select(
        Registration.id,
        Registration.amount,
        Registration.currency,
        Registration.event.title.as_alias("event_title"),
    ).where(
        (Registration.person == person_id)
        & (Registration.status == RegistrationStatus.PENDING_PAYMENT)
        & (Registration.amount > 0)
        & (Registration.hold_expires_at > now())
    )
    return [dict(r) for r in rows]
