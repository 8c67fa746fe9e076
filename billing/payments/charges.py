"""Reading a charge, its fee and its refunds from Stripe, and mirroring them in the ledger.

Stripe is the source of truth for money: whatever event told us about a
charge, we re-read the charge, its balance transaction (the fee) and every
refund on it, and record what the ledger lacks. Refunds made in the Stripe
dashboard arrive the same way and are imported once, keyed by the refund id.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import stripe

from billing import errors
from billing.ledger import (
    Movement,
    at,
    known_registration,
    membership_of_charge,
    membership_of_customer,
    record,
)
from billing.stripe_client import StripeAccount
from grandrounds.db import write_transaction


@dataclass(frozen=True, slots=True)
class ChargeFacts:
    id: str
    amount: int
    currency: str  # upper case, as grandrounds stores it
    succeeded: bool
    amount_refunded: int


async def call(request: Any) -> Any:
    """Await one Stripe call; a failure becomes billing.stripe_unavailable (502) so the caller
    (a person, or Stripe redelivering a webhook) tries again later."""
    try:
        return await request
    except stripe.StripeError as exc:
        raise errors.stripe_unavailable(f"{type(exc).__name__}: {exc.user_message or exc}") from exc


async def _fees(
    account: StripeAccount, source: str, charge_id: str, registration_id: int | None
) -> list[Movement]:
    """The fees Stripe took on one charge or refund, from its balance transactions."""
    listed = await call(account.client.v1.balance_transactions.list_async({"source": source, "limit": 100}))
    return [
        Movement(
            "fee",
            -int(txn["fee"]),
            txn["currency"],
            txn["id"],
            at(txn["created"]),
            registration_id,
            stripe_charge_id=charge_id,
            stripe_balance_transaction_id=txn["id"],
        )
        for txn in listed.data
        if int(txn["fee"])
    ]


async def _movements(account: StripeAccount, charge: Any, registration_id: int | None) -> list[Movement]:
    """The charge, every refund on it (a charge has few; 100 is Stripe's page limit) and their fees."""
    charge_id = charge["id"]
    found = [
        Movement(
            "charge",
            int(charge["amount"]),
            charge["currency"],
            charge_id,
            at(charge["created"]),
            registration_id,
            stripe_charge_id=charge_id,
            stripe_balance_transaction_id=_id_of(field(charge, "balance_transaction")),
        ),
        *await _fees(account, charge_id, charge_id, registration_id),
    ]
    refunds = await call(account.client.v1.refunds.list_async({"charge": charge_id, "limit": 100}))
    for refund in refunds.data:
        found.append(
            Movement(
                "refund",
                -int(refund["amount"]),
                refund["currency"],
                refund["id"],
                at(refund["created"]),
                registration_id,
                stripe_charge_id=charge_id,
                stripe_balance_transaction_id=_id_of(field(refund, "balance_transaction")),
            )
        )
        found.extend(await _fees(account, refund["id"], charge_id, registration_id))
    return found


def field(obj: Any, name: str) -> Any:
    """A field of a Stripe object, or None when absent (StripeObject is not a dict: no .get)."""
    return obj[name] if obj is not None and name in obj else None


def _id_of(value: Any) -> str:
    """An expandable Stripe field as an id, whether it came expanded or not."""
    if value is None:
        return ""
    return value if isinstance(value, str) else str(value["id"])


async def import_charge(
    account: StripeAccount, charge_id: str, membership_id: int | None = None
) -> ChargeFacts:
    """Re-read a charge with its fee and refunds from Stripe and record what the ledger lacks.

    The registration comes from the charge's metadata (set through
    ``payment_intent_data`` at checkout); a charge that names none of ours is
    still recorded, without a registration, so no money goes unaccounted.
    """
    facts, movements = await read_charge(account, charge_id, membership_id)
    async with write_transaction():
        await record(movements)
    return facts


async def read_charge(
    account: StripeAccount, charge_id: str, membership_id: int | None = None
) -> tuple[ChargeFacts, list[Movement]]:
    """What :func:`import_charge` would record, read from Stripe without writing: for a caller that
    records the movements inside its own transaction (a refund, with its request and audit row)."""
    charge = await call(account.client.v1.charges.retrieve_async(charge_id))
    registration_id = await known_registration(field(field(charge, "metadata"), "registration_id"))
    movements = await _movements(account, charge, registration_id)
    membership_id = (
        membership_id
        or await membership_of_charge(charge_id)
        or await membership_of_customer(field(charge, "customer"))
    )
    if membership_id is not None:  # dues: the charge, its fee and any refund belong to the membership
        movements = [replace(m, membership_id=membership_id) for m in movements]
    facts = ChargeFacts(
        id=charge["id"],
        amount=int(charge["amount"]),
        currency=str(charge["currency"]).upper(),
        succeeded=charge["status"] == "succeeded" and bool(charge["paid"]),
        amount_refunded=int(charge["amount_refunded"]),
    )
    return facts, movements
