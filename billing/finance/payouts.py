"""Payouts to the bank, mirrored in the ledger from what Stripe says about them.

A payout takes money out of the Stripe balance when Stripe creates it (its
balance transaction, type ``payout``, is negative). The ledger records it
once the payout has settled one way or the other, ``payout.paid`` or
``payout.failed``, re-read from Stripe as every webhook is. A failed payout
brings the money back through a second balance transaction
(``payout_failure``), recorded as a positive ``payout`` row keyed by that
transaction's id, so the ledger nets to what Stripe holds either way.
"""

from __future__ import annotations

from typing import Any

from billing.ledger import Movement, at, record
from billing.payments.charges import _id_of, call, field
from billing.stripe_client import StripeAccount
from grandrounds.db import write_transaction

SETTLED = ("paid", "failed")


async def _transaction(account: StripeAccount, txn_id: str) -> Any:
    return await call(account.client.v1.balance_transactions.retrieve_async(txn_id)) if txn_id else None


async def payout_movements(account: StripeAccount, payout: Any) -> list[Movement]:
    """The ledger rows a settled payout stands for: the payout, and its return when it failed."""
    txn_id = _id_of(field(payout, "balance_transaction"))
    txn = await _transaction(account, txn_id)
    found = [
        Movement(
            "payout",
            int(txn["amount"]) if txn is not None else -int(payout["amount"]),
            payout["currency"],
            payout["id"],
            at(txn["created"] if txn is not None else payout["created"]),
            stripe_balance_transaction_id=txn_id,
        )
    ]
    if payout["status"] == "failed":
        failure_id = _id_of(field(payout, "failure_balance_transaction"))
        failure = await _transaction(account, failure_id)
        if failure is not None:
            found.append(
                Movement(
                    "payout",
                    int(failure["amount"]),
                    failure["currency"],
                    failure_id,
                    at(failure["created"]),
                    stripe_balance_transaction_id=failure_id,
                )
            )
    return found


async def import_payout(account: StripeAccount, payout_id: str) -> str:
    """Re-read a payout and record what the ledger lacks; the outcome for the webhook's log.

    A payout still on its way (pending, in transit) is left for its
    ``payout.paid`` or ``payout.failed`` event: until then it may still fail.
    """
    payout = await call(account.client.v1.payouts.retrieve_async(payout_id))
    if payout["status"] not in SETTLED:
        return "payout_pending"
    movements = await payout_movements(account, payout)
    async with write_transaction():
        new = await record(movements)
    return "imported" if new else "already_recorded"
