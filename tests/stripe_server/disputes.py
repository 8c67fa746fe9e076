"""Disputes (chargebacks) in the fake account, shaped like Stripe's.

Opening a dispute withdraws the disputed amount and takes the dispute fee
(one balance transaction, type ``adjustment``, source the dispute); winning
it reinstates the amount (a second one); losing it moves nothing more. Each
step returns the events Stripe would send, with a snapshot of the dispute at
that moment, so a test can deliver them late or out of order. As in
Stripe, ``balance_transactions`` on a dispute comes in full, not as ids.
"""

from __future__ import annotations

import copy

from tests.stripe_server.account import Account, Obj, StripeFailure

DISPUTE_FEE = 1500  # minor units; Stripe's US dispute fee is 15.00 USD
EVIDENCE_DAYS = 7


def _with_transactions(account: Account, dispute: Obj) -> Obj:
    """The dispute as the API shows it: its balance transactions expanded."""
    shown = copy.deepcopy(dispute)
    del shown["_transactions"]
    shown["balance_transactions"] = [copy.deepcopy(account.objects[t]) for t in dispute["_transactions"]]
    return shown


def _emit(account: Account, type_: str, dispute: Obj, previous: Obj | None = None) -> Obj:
    return account.emit(type_, _with_transactions(account, dispute), previous)


def open_dispute(account: Account, charge_id: str, *, reason: str = "fraudulent") -> tuple[Obj, list[Obj]]:
    """The cardholder disputes the whole charge: charge.dispute.created and .funds_withdrawn."""
    with account.lock:
        charge = account.get(charge_id, "charge")
        if charge.get("disputed"):
            raise StripeFailure(400, f"Charge {charge_id} is already disputed.")
        amount = charge["amount"] - charge["amount_refunded"]
        dispute_id = account.new_id("dp")
        txn = account.new_balance_transaction(
            -amount, charge["currency"], DISPUTE_FEE, dispute_id, "adjustment"
        )
        txn["reporting_category"] = "dispute"
        txn["fee_details"][0]["description"] = "Dispute fee"
        created = account.now()
        dispute = account._store(
            {
                "id": dispute_id,
                "object": "dispute",
                "amount": amount,
                "currency": charge["currency"],
                "charge": charge_id,
                "payment_intent": charge["payment_intent"],
                "reason": reason,
                "status": "needs_response",
                "is_charge_refundable": False,
                "evidence_details": {
                    "due_by": created + EVIDENCE_DAYS * 86400,
                    "has_evidence": False,
                    "past_due": False,
                    "submission_count": 0,
                },
                "metadata": {},
                "created": created,
                "livemode": False,
                "_transactions": [txn["id"]],
            }
        )
        charge["disputed"] = True
        events = [
            _emit(account, "charge.dispute.created", dispute),
            _emit(account, "charge.dispute.funds_withdrawn", dispute),
        ]
        return _with_transactions(account, dispute), events


def submit_evidence(account: Account, dispute_id: str) -> Obj:
    """Evidence sent: the dispute goes under review. Returns charge.dispute.updated."""
    with account.lock:
        dispute = account.get(dispute_id, "dispute")
        previous = {"status": dispute["status"]}
        dispute["status"] = "under_review"
        dispute["evidence_details"].update(has_evidence=True, submission_count=1)
        return _emit(account, "charge.dispute.updated", dispute, previous)


def close_dispute(account: Account, dispute_id: str, *, won: bool) -> list[Obj]:
    """The bank decides. Won: the amount is reinstated (funds_reinstated, then closed); lost: closed."""
    with account.lock:
        dispute = account.get(dispute_id, "dispute")
        if dispute["status"] in ("won", "lost"):
            raise StripeFailure(400, f"Dispute {dispute_id} is already closed.")
        previous = {"status": dispute["status"]}
        dispute["status"] = "won" if won else "lost"
        events = []
        if won:
            txn = account.new_balance_transaction(
                dispute["amount"], dispute["currency"], 0, dispute_id, "adjustment"
            )
            txn["reporting_category"] = "dispute_reversal"
            dispute["_transactions"].append(txn["id"])
            events.append(_emit(account, "charge.dispute.funds_reinstated", dispute))
        events.append(_emit(account, "charge.dispute.closed", dispute, previous))
        return events


def retrieve(account: Account, dispute_id: str) -> Obj:
    with account.lock:
        return _with_transactions(account, account.get(dispute_id, "dispute"))


def listed(account: Account, params: Obj) -> Obj:
    with account.lock:
        wanted = {f: params[f] for f in ("charge", "payment_intent") if params.get(f)}
        found = account.of_kind("dispute", lambda d: all(d.get(f) == v for f, v in wanted.items()))
        limit = int(params.get("limit") or 10)
        return {
            "object": "list",
            "data": [_with_transactions(account, d) for d in found[:limit]],
            "has_more": len(found) > limit,
            "url": "/v1/disputes",
        }
