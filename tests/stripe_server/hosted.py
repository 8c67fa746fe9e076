"""Stripe's hosted Checkout page, as small as a browser journey needs.

A session's ``url`` (``<server>/checkout/c/pay/<session id>``) shows the amount
and a "Pay" button. Paying does what Stripe does: the session is paid
(Account.pay), the ``checkout.session.completed`` event is signed with the
endpoint's secret by stripe's own code and POSTed to the app's webhook, and
the browser is sent to the session's ``success_url``. A subscription-mode
session (a membership) first sends what Stripe sends before it, in
Stripe's order: ``customer.subscription.created`` and ``invoice.paid``. Set
``account.webhook_endpoint = (url, secret)`` to receive the events; every
delivery is kept in ``account.deliveries`` (event type, HTTP status, body).
"""

from __future__ import annotations

import html
import json
from typing import Any

import httpx
from litestar import Response, get, post
from litestar.params import FromPath
from litestar.response import Redirect

from tests.stripe_server.account import Account, StripeFailure
from tests.stripe_server.webhooks import sign

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Pay {amount}</title></head>
<body><main>
<h1>Pay {amount}</h1>
<p>Test mode checkout for <span id="email">{email}</span>.</p>
<form method="post" action="/checkout/c/pay/{session_id}"><button type="submit">Pay</button></form>
</main></body></html>"""


# Sent before checkout.session.completed when a subscription-mode session is paid.
SUBSCRIPTION_EVENTS = ("customer.subscription.created", "invoice.paid")


def _amount(session: dict[str, Any]) -> str:
    zero_decimal = {"jpy", "krw", "vnd", "clp", "isk", "ugx", "xaf", "xof"}
    currency = str(session["currency"])
    total = int(session["amount_total"])
    shown = str(total) if currency in zero_decimal else f"{total / 100:.2f}"
    return f"{shown} {currency.upper()}"


async def _deliver(account: Account, event: dict[str, Any]) -> None:
    if account.webhook_endpoint is None:
        return
    url, secret = account.webhook_endpoint
    payload = json.dumps(event)
    headers = {"Content-Type": "application/json", "Stripe-Signature": sign(payload, secret)}
    async with httpx.AsyncClient(timeout=30) as client:
        response = await client.post(url, content=payload, headers=headers)
    account.deliveries.append((event["type"], response.status_code, response.text))


def routes(account: Account) -> list[Any]:
    """The hosted page's handlers, bound to one account (no API key: the page is the customer's)."""

    @get("/checkout/c/pay/{session_id:str}", media_type="text/html")
    async def show(session_id: FromPath[str]) -> Response[str]:
        try:
            session = account.get(session_id, "checkout.session")
        except StripeFailure:
            return Response("<h1>Unknown checkout</h1>", status_code=404, media_type="text/html")
        if session["status"] != "open":
            return Response(
                f"<h1>This checkout is {html.escape(session['status'])}</h1>",
                status_code=410,
                media_type="text/html",
            )
        body = PAGE.format(
            amount=html.escape(_amount(session)),
            email=html.escape(str(session.get("customer_email") or "")),
            session_id=html.escape(session_id),
        )
        return Response(body, media_type="text/html")

    @post("/checkout/c/pay/{session_id:str}", status_code=303)
    async def pay(session_id: FromPath[str]) -> Redirect | Response[str]:
        first = len(account.events)
        try:
            completed = account.pay(session_id)
        except StripeFailure as failure:
            message = html.escape(failure.body["error"]["message"])
            return Response(f"<h1>{message}</h1>", status_code=failure.status, media_type="text/html")
        if completed["data"]["object"].get("mode") == "subscription":
            for event in account.events[first:]:
                if event["type"] in SUBSCRIPTION_EVENTS:
                    await _deliver(account, event)
        await _deliver(account, completed)
        return Redirect(path=str(completed["data"]["object"]["success_url"]), status_code=303)

    return [show, pay]
