"""The rules that pair Stripe's balance transactions with ledger rows. Pure: no database, no Stripe.

How the ledger mirrors a balance transaction (see billing.payments.charges
and billing.finance.payouts):

- a charge, refund, dispute or payout transaction is one row of that kind
  whose ``stripe_balance_transaction_id`` is the transaction (or, for rows
  recorded without it, whose ``stripe_id`` is the transaction's source), with
  the same signed amount;
- the fee Stripe took on it is a ``fee`` row keyed by the transaction id,
  with the fee's amount negated;
- a fee Stripe took on its own (type ``stripe_fee``, no charge behind it) is
  a ``fee`` row keyed by the transaction id with the transaction's amount.

What pairs with nothing, or pairs with a different amount or currency, is a
finding. A fee on its own that the ledger lacks is an *unexplained fee*
rather than merely missing: nobody here asked for it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

# Balance transaction types that are a fee in themselves, with no charge or refund we made behind them.
FEE_TYPES = frozenset({"stripe_fee", "stripe_fx_fee", "tax", "application_fee"})
# The ledger kind a balance transaction of each type is recorded as.
KIND_OF_TYPE = {
    "charge": "charge",
    "payment": "charge",
    "refund": "refund",
    "payment_refund": "refund",
    "payout": "payout",
    "payout_failure": "payout",
    "payout_cancel": "payout",
    "adjustment": "dispute",
}
FINDING_KINDS = (
    "missing_in_ledger",
    "missing_in_stripe",
    "amount_differs",
    "currency_differs",
    "unexplained_fee",
)


@dataclass(frozen=True, slots=True)
class Txn:
    """A Stripe balance transaction, as much of it as matching needs (currency upper-cased)."""

    id: str
    type: str
    source: str
    amount: int
    fee: int
    currency: str
    created: datetime


@dataclass(frozen=True, slots=True)
class Entry:
    """A ledger row, as much of it as matching needs."""

    id: int
    kind: str
    amount: int
    currency: str
    stripe_id: str
    stripe_balance_transaction_id: str
    occurred_at: datetime


@dataclass(frozen=True, slots=True)
class Finding:
    kind: str
    message: str
    txn: Txn | None = None
    entry: Entry | None = None
    stripe_amount: int | None = None
    stripe_currency: str = ""


@dataclass(slots=True)
class Comparison:
    findings: list[Finding] = field(default_factory=list)
    matched: int = 0  # transactions whose every ledger row agrees
    seen: set[int] = field(default_factory=set)  # ledger rows paired with a transaction


class _Index:
    def __init__(self, entries: Iterable[Entry]) -> None:
        self.by_txn: dict[str, list[Entry]] = {}
        self.by_object: dict[tuple[str, str], Entry] = {}
        for e in entries:
            if e.stripe_balance_transaction_id:
                self.by_txn.setdefault(e.stripe_balance_transaction_id, []).append(e)
            self.by_object[(e.kind, e.stripe_id)] = e

    def fee_of(self, txn: Txn) -> Entry | None:
        return self.by_object.get(("fee", txn.id))

    def main_of(self, txn: Txn) -> Entry | None:
        for e in self.by_txn.get(txn.id, []):
            if e.kind != "fee":
                return e
        kind = KIND_OF_TYPE.get(txn.type)
        if kind and txn.source:
            return self.by_object.get((kind, txn.source))
        return None


def _differs(txn: Txn, entry: Entry, expected: int, what: str) -> Finding | None:
    if entry.currency != txn.currency:
        return Finding(
            "currency_differs",
            f"{what}: Stripe has {txn.currency}, the ledger has {entry.currency}.",
            txn,
            entry,
            expected,
            txn.currency,
        )
    if entry.amount != expected:
        return Finding(
            "amount_differs",
            f"{what}: Stripe has {expected}, the ledger has {entry.amount} (minor units).",
            txn,
            entry,
            expected,
            txn.currency,
        )
    return None


def _label(txn: Txn) -> str:
    return f"{txn.type} {txn.source or txn.id}"


def compare_one(txn: Txn, index: _Index, result: Comparison) -> None:
    """Add the findings of one balance transaction to ``result``."""
    before = len(result.findings)
    if txn.type in FEE_TYPES:
        fee = index.fee_of(txn)
        if fee is None:
            result.findings.append(
                Finding(
                    "unexplained_fee",
                    f"Stripe took a fee ({txn.type}) with no charge or refund of ours behind it.",
                    txn,
                    stripe_amount=txn.amount,
                    stripe_currency=txn.currency,
                )
            )
        else:
            result.seen.add(fee.id)
            if found := _differs(txn, fee, txn.amount, f"Fee {txn.id}"):
                result.findings.append(found)
    else:
        main = index.main_of(txn)
        if main is None:
            fee_note = f" (and its fee of {txn.fee})" if txn.fee else ""
            result.findings.append(
                Finding(
                    "missing_in_ledger",
                    f"Stripe has {_label(txn)}{fee_note}; the ledger does not.",
                    txn,
                    stripe_amount=txn.amount,
                    stripe_currency=txn.currency,
                )
            )
        else:
            result.seen.add(main.id)
            if found := _differs(txn, main, txn.amount, _label(txn).capitalize()):
                result.findings.append(found)
            fee = index.fee_of(txn)
            if fee is not None:
                result.seen.add(fee.id)
                if found := _differs(txn, fee, -txn.fee, f"Fee on {txn.source or txn.id}"):
                    result.findings.append(found)
            elif txn.fee:
                result.findings.append(
                    Finding(
                        "missing_in_ledger",
                        f"Stripe took a fee of {txn.fee} on {txn.source or txn.id}; the ledger lacks it.",
                        txn,
                        stripe_amount=-txn.fee,
                        stripe_currency=txn.currency,
                    )
                )
    if len(result.findings) == before:
        result.matched += 1


def compare(txns: Iterable[Txn], entries: Iterable[Entry]) -> Comparison:
    """Findings for every transaction; ``seen`` says which ledger rows something in Stripe explains."""
    index = _Index(entries)
    result = Comparison()
    for txn in txns:
        compare_one(txn, index, result)
    return result


def expected_transaction(entry: Entry) -> str:
    """The balance transaction a ledger row should be found under (a fee row is keyed by it)."""
    return entry.stripe_balance_transaction_id or (entry.stripe_id if entry.kind == "fee" else "")
