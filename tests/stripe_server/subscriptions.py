"""Customers, products, subscriptions and invoices in the fake account, in Stripe's current shapes.

What billing's memberships use: a Checkout Session in ``mode=subscription``
(paying it makes the customer's subscription and its first paid invoice),
subscriptions created through the API with ``collection_method=send_invoice``
(the invoice stays open until the customer pays it), renewals on the
anniversary (paid, or failed and ``past_due``), cancellation, and the
invoice's payments (``/v1/invoice_payments``). Shapes follow API version
2025-09-30.clover: an invoice names its subscription under
``parent.subscription_details``, periods live on subscription items and on
invoice lines.

Every action a customer or Stripe's scheduler would take is a function here
and returns the events Stripe would send, snapshotted at that moment.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from tests.stripe_server.account import Account, Obj, StripeFailure

SUBSCRIPTION_KEY = "_subscription"  # on an invoice: its subscription id, for filtering lists


def anniversary(timestamp: int) -> int:
    """The same moment a year later (29 February becomes 28 February), as Stripe bills yearly plans."""
    moment = datetime.fromtimestamp(timestamp, UTC)
    try:
        later = moment.replace(year=moment.year + 1)
    except ValueError:
        later = moment.replace(year=moment.year + 1, day=28)
    return int(later.timestamp())


def create_customer(account: Account, params: Obj) -> Obj:
    with account.lock:
        customer: Obj = {
            "id": account.new_id("cus"),
            "object": "customer",
            "email": params.get("email"),
            "name": params.get("name"),
            "metadata": dict(params.get("metadata") or {}),
            "created": account.now(),
            "livemode": False,
        }
        account.objects[customer["id"]] = customer
        return customer


def create_product(account: Account, params: Obj) -> Obj:
    if not params.get("name"):
        raise StripeFailure(400, "Missing required param: name.", param="name")
    with account.lock:
        product: Obj = {
            "id": account.new_id("prod"),
            "object": "product",
            "name": params["name"],
            "active": True,
            "metadata": dict(params.get("metadata") or {}),
            "created": account.now(),
        }
        account.objects[product["id"]] = product
        return product


def _price(account: Account, data: Obj, where: str) -> Obj:
    recurring = data.get("recurring") or {}
    try:
        amount, currency = int(data["unit_amount"]), str(data["currency"]).lower()
    except (KeyError, ValueError) as exc:
        raise StripeFailure(
            400, "price_data needs currency and an integer unit_amount.", param=where
        ) from exc
    if recurring.get("interval") != "year":
        raise StripeFailure(400, "Only yearly recurring prices are supported here.", param=where)
    return {
        "id": account.new_id("price"),
        "object": "price",
        "currency": currency,
        "unit_amount": amount,
        "product": data.get("product") or account.new_id("prod"),
        "recurring": {"interval": "year", "interval_count": 1},
        "type": "recurring",
    }


def _subscription(
    account: Account, customer: str, price: Obj, metadata: Obj, collection: str, days_until_due: int | None
) -> Obj:
    start = account.now()
    sub_id = account.new_id("sub")
    subscription: Obj = {
        "id": sub_id,
        "object": "subscription",
        "customer": customer,
        "status": "active",
        "collection_method": collection,
        "days_until_due": days_until_due,
        "metadata": dict(metadata),
        "items": {
            "object": "list",
            "data": [
                {
                    "id": account.new_id("si"),
                    "object": "subscription_item",
                    "price": price,
                    "quantity": 1,
                    "current_period_start": start,
                    "current_period_end": anniversary(start),
                    "subscription": sub_id,
                }
            ],
        },
        "cancel_at_period_end": False,
        "canceled_at": None,
        "ended_at": None,
        "start_date": start,
        "created": start,
        "latest_invoice": None,
        "livemode": False,
    }
    account.objects[sub_id] = subscription
    return subscription


def _invoice(account: Account, subscription: Obj, reason: str, start: int, end: int) -> Obj:
    item = subscription["items"]["data"][0]
    price = item["price"]
    invoice_id = account.new_id("in")
    created = account.now()
    due = created + 86400 * int(subscription["days_until_due"] or 0)
    invoice: Obj = {
        "id": invoice_id,
        "object": "invoice",
        "customer": subscription["customer"],
        "status": "open",
        "collection_method": subscription["collection_method"],
        "billing_reason": reason,
        "amount_due": price["unit_amount"],
        "amount_paid": 0,
        "amount_remaining": price["unit_amount"],
        "currency": price["currency"],
        "number": f"GR-{invoice_id[-6:]}",
        "hosted_invoice_url": f"{account.public_url}/i/{invoice_id}",
        "invoice_pdf": f"{account.public_url}/i/{invoice_id}/pdf",
        "due_date": due if subscription["collection_method"] == "send_invoice" else None,
        "period_start": start,
        "period_end": end,
        "lines": {
            "object": "list",
            "data": [
                {
                    "id": account.new_id("il"),
                    "object": "line_item",
                    "amount": price["unit_amount"],
                    "currency": price["currency"],
                    "period": {"start": start, "end": end},
                }
            ],
        },
        "parent": {
            "type": "subscription_details",
            "subscription_details": {
                "subscription": subscription["id"],
                "metadata": dict(subscription["metadata"]),
            },
        },
        "status_transitions": {"finalized_at": created, "paid_at": None},
        "created": created,
        "livemode": False,
        SUBSCRIPTION_KEY: subscription["id"],
    }
    account.objects[invoice_id] = invoice
    subscription["latest_invoice"] = invoice_id
    return invoice


def _settle_invoice(account: Account, invoice: Obj, amount: int | None = None) -> None:
    """The invoice is paid: a payment intent, its charge (with fee) and an invoice payment."""
    paid = invoice["amount_due"] if amount is None else amount
    intent: Obj = {
        "id": account.new_id("pi"),
        "object": "payment_intent",
        "amount": paid,
        "amount_received": paid,
        "currency": invoice["currency"],
        "status": "succeeded",
        "metadata": {},
        "latest_charge": None,
        "customer": invoice["customer"],
        "created": account.now(),
        "livemode": False,
    }
    account.objects[intent["id"]] = intent
    charge = account.new_charge(paid, invoice["currency"], {}, payment_intent=intent["id"])
    charge["customer"] = invoice["customer"]
    charge["receipt_url"] = f"{account.public_url}/r/{charge['id']}"
    intent["latest_charge"] = charge["id"]
    payment: Obj = {
        "id": account.new_id("inpay"),
        "object": "invoice_payment",
        "invoice": invoice["id"],
        "amount_paid": paid,
        "amount_requested": invoice["amount_due"],
        "currency": invoice["currency"],
        "is_default": True,
        "status": "paid",
        "payment": {"type": "payment_intent", "payment_intent": intent["id"]},
        "created": account.now(),
        "livemode": False,
    }
    account.objects[payment["id"]] = payment
    invoice.update(status="paid", amount_paid=paid, amount_remaining=invoice["amount_due"] - paid)
    invoice["status_transitions"]["paid_at"] = account.now()
    account.emit("charge.succeeded", charge)


def create_subscription_session(account: Account, params: Obj, session: Obj) -> None:
    """Checkout in subscription mode: remember the recurring price and metadata for when it is paid."""
    item = (params.get("line_items") or [{}])[0]
    session["_price"] = _price(account, item.get("price_data") or {}, "line_items[0][price_data]")
    session["_subscription_metadata"] = dict((params.get("subscription_data") or {}).get("metadata") or {})
    session.update(customer=params.get("customer"), subscription=None, invoice=None)


def create_subscription(account: Account, params: Obj) -> Obj:
    """``POST /v1/subscriptions``: only ``send_invoice`` here (card subscriptions start in Checkout)."""
    with account.lock:
        customer = account.get(str(params.get("customer")), "customer")
        if params.get("collection_method") != "send_invoice":
            raise StripeFailure(
                400,
                "This customer has no attached payment source or default payment method.",
                param="customer",
            )
        days = int(params.get("days_until_due") or 30)
        item = (params.get("items") or [{}])[0]
        data = item.get("price_data") or {}
        if not data.get("product"):
            raise StripeFailure(400, "price_data requires a product.", param="items[0][price_data][product]")
        price = _price(account, data, "items[0][price_data]")
        subscription = _subscription(
            account, customer["id"], price, params.get("metadata") or {}, "send_invoice", days
        )
        item = subscription["items"]["data"][0]
        invoice = _invoice(
            account,
            subscription,
            "subscription_create",
            item["current_period_start"],
            item["current_period_end"],
        )
        account.emit("customer.subscription.created", subscription)
        account.emit("invoice.finalized", invoice)
        return subscription


def pay_subscription_session(account: Account, session: Obj) -> Obj:
    """The customer completes a subscription Checkout: subscription, first invoice paid, events."""
    customer = session.get("customer")
    if not customer:
        customer = create_customer(account, {"email": session.get("customer_email")})["id"]
    subscription = _subscription(
        account, customer, session["_price"], session["_subscription_metadata"], "charge_automatically", None
    )
    item = subscription["items"]["data"][0]
    invoice = _invoice(
        account, subscription, "subscription_create", item["current_period_start"], item["current_period_end"]
    )
    _settle_invoice(account, invoice)
    session.update(
        status="complete",
        payment_status="paid",
        customer=customer,
        subscription=subscription["id"],
        invoice=invoice["id"],
    )
    account.emit("customer.subscription.created", subscription)
    account.emit("invoice.paid", invoice)
    return account.emit("checkout.session.completed", session)


def pay_invoice(account: Account, invoice_id: str, *, amount: int | None = None) -> Obj:
    """The customer pays an open invoice (the hosted page); returns ``invoice.paid``."""
    with account.lock:
        invoice = account.get(invoice_id, "invoice")
        if invoice["status"] != "open":
            raise StripeFailure(400, f"Invoice is already {invoice['status']}.")
        _settle_invoice(account, invoice, amount)
        subscription = account.get(invoice[SUBSCRIPTION_KEY], "subscription")
        if subscription["status"] in ("past_due", "unpaid", "incomplete"):
            subscription["status"] = "active"
            account.emit("customer.subscription.updated", subscription)
        return account.emit("invoice.paid", invoice)


def renew(account: Account, subscription_id: str, *, succeed: bool = True) -> list[Obj]:
    """Stripe's scheduler at the anniversary: the next period starts and its invoice is collected
    (card: paid, or failed leaving the subscription ``past_due``; send_invoice: left open).
    Moves the clock to the period's end first. Returns the events in order."""
    with account.lock:
        subscription = account.get(subscription_id, "subscription")
        item = subscription["items"]["data"][0]
        start = item["current_period_end"]
        account.clock_offset += max(0, start - account.now()) + 1
        end = anniversary(start)
        previous = {"items": {"data": [dict(item)]}}
        item.update(current_period_start=start, current_period_end=end)
        invoice = _invoice(account, subscription, "subscription_cycle", start, end)
        events = []
        if subscription["collection_method"] == "send_invoice":
            events.append(account.emit("invoice.finalized", invoice))
        elif succeed:
            _settle_invoice(account, invoice)
            events.append(account.emit("invoice.paid", invoice))
        else:
            subscription["status"] = "past_due"
            events.append(account.emit("invoice.payment_failed", invoice))
        events.append(account.emit("customer.subscription.updated", subscription, previous))
        return events


def cancel(account: Account, subscription_id: str) -> Obj:
    """The subscription ends now (dashboard, API, or Stripe giving up on unpaid invoices)."""
    with account.lock:
        subscription = account.get(subscription_id, "subscription")
        if subscription["status"] == "canceled":
            raise StripeFailure(400, f"No such subscription: '{subscription_id}' is canceled.")
        subscription.update(status="canceled", canceled_at=account.now(), ended_at=account.now())
        for invoice in account.of_kind("invoice", lambda i: i[SUBSCRIPTION_KEY] == subscription_id):
            if invoice["status"] == "open":
                invoice["status"] = "void"
        return account.emit("customer.subscription.deleted", subscription)


# HTTP routes (added to the server's table)


def _page(found: list[Obj], params: Obj, url: str) -> Obj:
    limit = int(params.get("limit") or 10)
    return {"object": "list", "data": found[:limit], "has_more": len(found) > limit, "url": url}


def _list_invoices(account: Account, _: dict[str, str], params: Obj) -> Obj:
    def keep(invoice: Obj) -> bool:
        return all(
            (not params.get(name)) or invoice.get(field) == params[name]
            for name, field in (
                ("customer", "customer"),
                ("subscription", SUBSCRIPTION_KEY),
                ("status", "status"),
            )
        )

    return _page(account.of_kind("invoice", keep), params, "/v1/invoices")


def _list_subscriptions(account: Account, _: dict[str, str], params: Obj) -> Obj:
    customer = params.get("customer")
    found = account.of_kind("subscription", lambda s: not customer or s["customer"] == customer)
    return _page(found, params, "/v1/subscriptions")


def _list_invoice_payments(account: Account, _: dict[str, str], params: Obj) -> Obj:
    invoice = params.get("invoice")
    found = account.of_kind("invoice_payment", lambda p: not invoice or p["invoice"] == invoice)
    return _page(found, params, "/v1/invoice_payments")


def _cancel(account: Account, ids: dict[str, str], _: Obj) -> Obj:
    event: Obj = cancel(account, ids["id"])
    return dict(event["data"]["object"])


def _get(kind: str) -> Callable[[Account, dict[str, str], Obj], Obj]:
    return lambda account, ids, _: account.get(ids["id"], kind)


def routes() -> list[tuple[str, str, Callable[[Account, dict[str, str], Obj], Any]]]:
    """(method, path pattern, handler) for the server's route table."""
    return [
        ("POST", "/v1/customers", lambda a, _, p: create_customer(a, p)),
        ("GET", "/v1/customers/(?P<id>[^/]+)", _get("customer")),
        ("POST", "/v1/products", lambda a, _, p: create_product(a, p)),
        ("GET", "/v1/products/(?P<id>[^/]+)", _get("product")),
        ("POST", "/v1/subscriptions", lambda a, _, p: create_subscription(a, p)),
        ("GET", "/v1/subscriptions", _list_subscriptions),
        ("GET", "/v1/subscriptions/(?P<id>[^/]+)", _get("subscription")),
        ("DELETE", "/v1/subscriptions/(?P<id>[^/]+)", _cancel),
        ("GET", "/v1/invoices", _list_invoices),
        ("GET", "/v1/invoices/(?P<id>[^/]+)", _get("invoice")),
        ("GET", "/v1/invoice_payments", _list_invoice_payments),
        ("GET", "/v1/invoice_payments/(?P<id>[^/]+)", _get("invoice_payment")),
    ]


def subscription_of(account: Account, metadata_key: str, value: str) -> Obj:
    """The subscription whose metadata names ``value`` (tests find a membership's subscription)."""
    with account.lock:
        found = account.of_kind("subscription", lambda s: s["metadata"].get(metadata_key) == value)
        if not found:
            raise StripeFailure(404, f"no subscription with {metadata_key}={value}")
        return found[0]


def invoices_of(account: Account, subscription_id: str) -> list[Obj]:
    with account.lock:
        return account.of_kind("invoice", lambda i: i[SUBSCRIPTION_KEY] == subscription_id)
