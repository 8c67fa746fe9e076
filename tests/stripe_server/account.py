"""The in-memory Stripe account behind the fake server: objects, money movements and events.

Everything a customer or the Stripe dashboard would do (pay a Checkout
Session, let it expire, refund from the dashboard) is a method here, and
each returns the Event Stripe would send, with a snapshot of the object as it
was at that moment (so a test can deliver stale or out-of-order events).

The server thread and the test thread both touch the account, so every
method takes one lock.
"""

from __future__ import annotations

import copy
import itertools
import threading
import time
from collections.abc import Callable
from typing import Any

Obj = dict[str, Any]

API_VERSION = "2025-09-30.clover"
MIN_EXPIRY, MAX_EXPIRY = 30 * 60, 24 * 60 * 60


class StripeFailure(Exception):
    """An API error in Stripe's shape: ``{"error": {"type", "message", "param", "code"}}``."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        type_: str = "invalid_request_error",
        param: str = "",
        code: str = "",
    ) -> None:
        super().__init__(message)
        self.status = status
        self.body: Obj = {"error": {"type": type_, "message": message}}
        if param:
            self.body["error"]["param"] = param
        if code:
            self.body["error"]["code"] = code


def missing(kind: str, object_id: str, param: str = "id") -> StripeFailure:
    return StripeFailure(404, f"No such {kind}: '{object_id}'", param=param, code="resource_missing")


def fee_for(amount: int) -> int:
    """Stripe's standard card fee: 2.9% + 30 minor units."""
    return round(amount * 0.029) + 30 if amount > 0 else 0


class Account:
    def __init__(self, public_url: str = "") -> None:
        self.lock = threading.RLock()
        self.public_url = public_url
        self.clock_offset = 0  # seconds added to the wall clock, to age objects in tests
        # Where the hosted Checkout page (tests.stripe_server.hosted) sends events: (url, secret).
        self.webhook_endpoint: tuple[str, str] | None = None
        self.deliveries: list[tuple[str, int, str]] = []  # (event type, status, body) per delivery
        self.reset()

    def reset(self) -> None:
        with self.lock:
            self.objects: dict[str, Obj] = {}
            self.events: list[Obj] = []
            self.idempotent: dict[str, tuple[str, int, Obj]] = {}
            self.requests: list[tuple[str, str, Obj]] = []  # (method, path, params) as received
            self._ids = itertools.count(1)

    def now(self) -> int:
        return int(time.time()) + self.clock_offset

    def new_id(self, prefix: str) -> str:
        return f"{prefix}_test_{next(self._ids):08d}"

    def get(self, object_id: str, kind: str) -> Obj:
        found = self.objects.get(object_id)
        if found is None or found["object"] != kind:
            raise missing(kind, object_id)
        return found

    def of_kind(self, kind: str, keep: Callable[[Obj], bool] = lambda _: True) -> list[Obj]:
        """Newest first, as Stripe lists."""
        found = [o for o in self.objects.values() if o["object"] == kind and keep(o)]
        return sorted(found, key=lambda o: (o["created"], o["id"]), reverse=True)

    def _store(self, obj: Obj) -> Obj:
        self.objects[obj["id"]] = obj
        return obj

    def emit(self, type_: str, obj: Obj, previous: Obj | None = None) -> Obj:
        data: Obj = {"object": copy.deepcopy(obj)}
        if previous is not None:
            data["previous_attributes"] = previous
        event = {
            "id": self.new_id("evt"),
            "object": "event",
            "api_version": API_VERSION,
            "created": self.now(),
            "type": type_,
            "data": data,
            "livemode": False,
            "pending_webhooks": 1,
            "request": {"id": None, "idempotency_key": None},
        }
        self.events.append(event)
        return self._store(event)

    # Checkout Sessions

    def create_session(self, params: Obj) -> Obj:
        with self.lock:
            mode = params.get("mode")
            if mode not in ("payment", "subscription"):
                raise StripeFailure(
                    400, "Only mode=payment or mode=subscription is supported here.", param="mode"
                )
            items = params.get("line_items") or []
            if not items:
                raise StripeFailure(400, "line_items is required in payment mode.", param="line_items")
            total, currencies = 0, set()
            for index, item in enumerate(items):
                data = item.get("price_data") or {}
                try:
                    unit, quantity = int(data["unit_amount"]), int(item.get("quantity", 1))
                    currencies.add(str(data["currency"]).lower())
                except (KeyError, ValueError) as exc:
                    raise StripeFailure(
                        400,
                        "price_data needs currency and an integer unit_amount.",
                        param=f"line_items[{index}][price_data]",
                    ) from exc
                total += unit * quantity
            if len(currencies) != 1:
                raise StripeFailure(400, "All line items must share one currency.", param="line_items")
            created = self.now()
            expires_at = int(params.get("expires_at") or created + MAX_EXPIRY)
            if not MIN_EXPIRY <= expires_at - created <= MAX_EXPIRY:
                raise StripeFailure(
                    400,
                    "The `expires_at` timestamp must be between 30 minutes and 24 hours from "
                    "Checkout Session creation.",
                    param="expires_at",
                )
            session_id = self.new_id("cs")
            session = self._store(
                {
                    "id": session_id,
                    "object": "checkout.session",
                    "mode": mode,
                    "amount_subtotal": total,
                    "amount_total": total,
                    "currency": currencies.pop(),
                    "client_reference_id": params.get("client_reference_id"),
                    "customer_email": params.get("customer_email"),
                    "metadata": dict(params.get("metadata") or {}),
                    "created": created,
                    "expires_at": expires_at,
                    "status": "open",
                    "payment_status": "unpaid",
                    "payment_intent": None,
                    "success_url": params.get("success_url"),
                    "cancel_url": params.get("cancel_url"),
                    "url": f"{self.public_url}/c/pay/{session_id}",
                    "livemode": False,
                    "_payment_intent_metadata": dict(
                        (params.get("payment_intent_data") or {}).get("metadata") or {}
                    ),
                }
            )
            if mode == "subscription":
                from tests.stripe_server.subscriptions import create_subscription_session

                create_subscription_session(self, params, session)
            return session

    def pay(self, session_id: str, *, amount: int | None = None) -> Obj:
        """The customer pays the session (``amount``: what Stripe ends up charging, to fake a
        mismatch). Returns the checkout.session.completed event."""
        with self.lock:
            session = self.get(session_id, "checkout.session")
            if session["status"] != "open":
                raise StripeFailure(400, f"This Checkout Session is {session['status']}.")
            if session["mode"] == "subscription":
                from tests.stripe_server.subscriptions import pay_subscription_session

                return pay_subscription_session(self, session)
            paid = session["amount_total"] if amount is None else amount
            metadata = session["_payment_intent_metadata"]
            intent = self._store(
                {
                    "id": self.new_id("pi"),
                    "object": "payment_intent",
                    "amount": paid,
                    "amount_received": paid,
                    "currency": session["currency"],
                    "status": "succeeded",
                    "metadata": dict(metadata),
                    "latest_charge": None,
                    "created": self.now(),
                    "livemode": False,
                }
            )
            charge = self.new_charge(paid, session["currency"], metadata, payment_intent=intent["id"])
            intent["latest_charge"] = charge["id"]
            session.update(
                status="complete", payment_status="paid", payment_intent=intent["id"], amount_total=paid
            )
            self.emit("charge.succeeded", charge)
            self.emit("payment_intent.succeeded", intent)
            return self.emit("checkout.session.completed", session)

    def expire(self, session_id: str) -> Obj:
        """The session runs out (or is expired through the API). Returns checkout.session.expired."""
        with self.lock:
            session = self.get(session_id, "checkout.session")
            if session["status"] != "open":
                raise StripeFailure(
                    400, 'Only Checkout Sessions with a status in ["open"] can be expired.', param="session"
                )
            session["status"] = "expired"
            return self.emit("checkout.session.expired", session)

    # Charges, refunds, balance transactions

    def new_charge(
        self, amount: int, currency: str, metadata: Obj, *, payment_intent: str | None = None
    ) -> Obj:
        with self.lock:
            charge_id = self.new_id("ch")
            txn = self.new_balance_transaction(amount, currency, fee_for(amount), charge_id, "charge")
            return self._store(
                {
                    "id": charge_id,
                    "object": "charge",
                    "amount": amount,
                    "amount_captured": amount,
                    "amount_refunded": 0,
                    "currency": currency,
                    "paid": True,
                    "captured": True,
                    "refunded": False,
                    "status": "succeeded",
                    "payment_intent": payment_intent,
                    "balance_transaction": txn["id"],
                    "metadata": dict(metadata),
                    "created": self.now(),
                    "livemode": False,
                }
            )

    def new_balance_transaction(self, amount: int, currency: str, fee: int, source: str, type_: str) -> Obj:
        created = self.now()
        details = [
            {
                "amount": fee,
                "currency": currency,
                "type": "stripe_fee",
                "description": "Stripe processing fees",
            }
        ]
        return self._store(
            {
                "id": self.new_id("txn"),
                "object": "balance_transaction",
                "amount": amount,
                "currency": currency,
                "fee": fee,
                "fee_details": details if fee else [],
                "net": amount - fee,
                "source": source,
                "type": type_,
                "status": "pending",
                "reporting_category": type_,
                "created": created,
                "available_on": created + 2 * 86400,
            }
        )

    def refund(self, params: Obj) -> tuple[Obj, list[Obj]]:
        """A refund (API or dashboard): the refund and its events, refund.created and charge.refunded."""
        with self.lock:
            charge_id = params.get("charge")
            if not charge_id and params.get("payment_intent"):
                intent = self.get(params["payment_intent"], "payment_intent")
                charge_id = intent["latest_charge"]
            if not charge_id:
                raise StripeFailure(400, "One of `charge` or `payment_intent` is required.", param="charge")
            charge = self.get(charge_id, "charge")
            left = charge["amount"] - charge["amount_refunded"]
            amount = int(params.get("amount") or left)
            if left == 0:
                raise StripeFailure(
                    400, f"Charge {charge_id} has already been refunded.", code="charge_already_refunded"
                )
            if not 0 < amount <= left:
                raise StripeFailure(
                    400,
                    f"Refund amount ({amount}) is greater than unrefunded amount on charge ({left})",
                    param="amount",
                )
            refund_id = self.new_id("re")
            txn = self.new_balance_transaction(-amount, charge["currency"], 0, refund_id, "refund")
            refund = self._store(
                {
                    "id": refund_id,
                    "object": "refund",
                    "amount": amount,
                    "currency": charge["currency"],
                    "charge": charge_id,
                    "payment_intent": charge["payment_intent"],
                    "balance_transaction": txn["id"],
                    "reason": params.get("reason"),
                    "metadata": dict(params.get("metadata") or {}),
                    "status": "succeeded",
                    "created": self.now(),
                }
            )
            previous = {"amount_refunded": charge["amount_refunded"], "refunded": charge["refunded"]}
            charge["amount_refunded"] += amount
            charge["refunded"] = charge["amount_refunded"] == charge["amount"]
            events = [self.emit("refund.created", refund), self.emit("charge.refunded", charge, previous)]
            return refund, events

    # What a test asks the account

    def charges_for(self, registration_id: int) -> list[Obj]:
        key = str(registration_id)
        return self.of_kind("charge", lambda c: c["metadata"].get("registration_id") == key)

    def held_for(self, registration_id: int) -> int:
        """What Stripe holds for a registration: the net of every balance transaction of its
        charges, their refunds and their disputes (one currency per registration)."""
        with self.lock:
            charges = {c["id"] for c in self.charges_for(registration_id)}
            refunds = {r["id"] for r in self.of_kind("refund", lambda r: r["charge"] in charges)}
            disputes = {d["id"] for d in self.of_kind("dispute", lambda d: d["charge"] in charges)}
            sources = charges | refunds | disputes
            return sum(
                t["net"] for t in self.of_kind("balance_transaction", lambda t: t["source"] in sources)
            )

    def sessions(self) -> list[Obj]:
        return self.of_kind("checkout.session")

    def last_event(self, type_: str) -> Obj:
        with self.lock:
            return next(e for e in reversed(self.events) if e["type"] == type_)
