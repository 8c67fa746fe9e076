"""Payouts and stand-alone Stripe fees in the fake account.

A payout sweeps the net of the balance transactions not yet paid out in one
currency (or a given amount) to the bank: it gets its own balance
transaction (type ``payout``, negative), and the transactions it covers
remember it, so ``GET /v1/balance_transactions?payout=po_...`` lists them the
way Stripe does. Paying or failing it returns the ``payout.paid`` /
``payout.failed`` event; a failed payout's money comes back through a
``payout_failure`` balance transaction, as in Stripe.

A stand-alone fee (type ``stripe_fee``: Radar, billing, account fees) has no
charge behind it; that is what reconciliation calls an unexplained fee.
"""

from __future__ import annotations

from collections.abc import Callable

from tests.stripe_server.account import Account, Obj, StripeFailure

PAYOUT_KEY = "_payout"  # on a balance transaction: the payout that swept it (not shown by the API)


def create_payout(account: Account, currency: str, amount: int | None = None) -> Obj:
    """A payout of everything not yet paid out in ``currency`` (or of ``amount``), in transit."""
    with account.lock:
        currency = currency.lower()
        covered = [
            t
            for t in account.of_kind("balance_transaction", lambda t: t["currency"] == currency)
            if not t.get(PAYOUT_KEY) and t["type"] not in ("payout", "payout_failure")
        ]
        total = sum(t["net"] for t in covered) if amount is None else amount
        if total <= 0:
            raise StripeFailure(
                400, "Insufficient funds in your Stripe balance.", code="balance_insufficient"
            )
        payout_id = account.new_id("po")
        txn = account.new_balance_transaction(-total, currency, 0, payout_id, "payout")
        for t in covered:
            t[PAYOUT_KEY] = payout_id
        txn[PAYOUT_KEY] = payout_id
        created = account.now()
        payout = account._store(
            {
                "id": payout_id,
                "object": "payout",
                "amount": total,
                "currency": currency,
                "arrival_date": created + 2 * 86400,
                "automatic": amount is None,
                "balance_transaction": txn["id"],
                "failure_balance_transaction": None,
                "failure_code": None,
                "failure_message": None,
                "method": "standard",
                "status": "in_transit",
                "type": "bank_account",
                "created": created,
                "livemode": False,
            }
        )
        account.emit("payout.created", payout)
        return payout


def pay_payout(account: Account, payout_id: str) -> Obj:
    """The bank received the payout; the ``payout.paid`` event."""
    with account.lock:
        payout = account.get(payout_id, "payout")
        if payout["status"] != "in_transit":
            raise StripeFailure(400, f"This payout is {payout['status']}.")
        payout["status"] = "paid"
        return account.emit("payout.paid", payout)


def fail_payout(account: Account, payout_id: str) -> Obj:
    """The bank refused the payout: the money returns to the balance; the ``payout.failed`` event."""
    with account.lock:
        payout = account.get(payout_id, "payout")
        if payout["status"] not in ("in_transit", "paid"):
            raise StripeFailure(400, f"This payout is {payout['status']}.")
        txn = account.new_balance_transaction(
            payout["amount"], payout["currency"], 0, payout_id, "payout_failure"
        )
        payout.update(
            status="failed",
            failure_balance_transaction=txn["id"],
            failure_code="account_closed",
            failure_message="The bank account has been closed.",
        )
        return account.emit("payout.failed", payout)


def stripe_fee(account: Account, amount: int, currency: str, description: str = "Radar fee") -> Obj:
    """A fee Stripe takes on its own (no charge behind it): a negative ``stripe_fee`` transaction."""
    with account.lock:
        txn = account.new_balance_transaction(-amount, currency.lower(), 0, "", "stripe_fee")
        txn["source"] = None
        txn["description"] = description
        return txn


def in_payout(payout_id: str) -> Callable[[Obj], bool]:
    """The ``keep`` test for balance transactions a payout covers (its own transaction included)."""
    return lambda t: t.get(PAYOUT_KEY) == payout_id
