"""A Stripe-shaped HTTP API (Litestar) that the real stripe SDK talks to, served by uvicorn on loopback.

It speaks what billing uses: Checkout Sessions (create, retrieve, list,
expire), PaymentIntents (retrieve), charges and refunds (create, retrieve,
list), balance transactions (list with fees, by ``created`` range and by
payout, retrieve), payouts (list, retrieve), disputes (list, retrieve) and events (retrieve, list);
form-encoded requests, ``expand[]``, Stripe-shaped objects and errors,
the secret key checked, and ``Idempotency-Key`` honoured the way Stripe does
(the same key with the same parameters replays the first answer; with other
parameters it is an ``idempotency_error``).
"""

from __future__ import annotations

import copy
import json
import re
import socket
import threading
import time
from collections.abc import Callable
from typing import Any

import uvicorn
from litestar import Litestar, Request, Response, route

from tests.stripe_server import disputes
from tests.stripe_server.account import Account, Obj, StripeFailure, missing
from tests.stripe_server.forms import decode
from tests.stripe_server.hosted import routes as hosted_routes
from tests.stripe_server.payouts import in_payout
from tests.stripe_server.subscriptions import routes as subscription_routes

Handler = Callable[[Account, dict[str, str], Obj], Obj]


def _public(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {k: _public(v) for k, v in obj.items() if not k.startswith("_")}
    if isinstance(obj, list):
        return [_public(v) for v in obj]
    return obj


def _expand(account: Account, obj: Obj, path: list[str]) -> None:
    head, rest = path[0], path[1:]
    if head == "data" and isinstance(obj.get("data"), list):
        for item in obj["data"]:
            _expand(account, item, rest)
        return
    value = obj.get(head)
    if isinstance(value, str) and value in account.objects:
        value = obj[head] = copy.deepcopy(account.objects[value])
    if rest and isinstance(value, dict):
        _expand(account, value, rest)


def _page(account: Account, kind: str, params: Obj, keep: Callable[[Obj], bool], url: str) -> Obj:
    found = account.of_kind(kind, keep)
    after = params.get("starting_after")
    if after:
        ids = [o["id"] for o in found]
        found = found[ids.index(after) + 1 :] if after in ids else []
    limit = int(params.get("limit") or 10)
    return {"object": "list", "data": found[:limit], "has_more": len(found) > limit, "url": url}


def _matches(params: Obj, *fields: str) -> Callable[[Obj], bool]:
    wanted = {f: params[f] for f in fields if params.get(f)}
    return lambda o: all(o.get(f) == v for f, v in wanted.items())


def _created(params: Obj) -> Callable[[Obj], bool]:
    """Stripe's ``created[gte|gt|lte|lt]`` range filter (epoch seconds); no bounds keeps everything."""
    bounds = params.get("created")
    if not isinstance(bounds, dict):
        return lambda _: True
    tests = {"gte": int.__ge__, "gt": int.__gt__, "lte": int.__le__, "lt": int.__lt__}
    wanted = [(tests[op], int(value)) for op, value in bounds.items() if op in tests]
    return lambda o: all(test(int(o["created"]), value) for test, value in wanted)


def _list_balance_transactions(account: Account, _: dict[str, str], params: Obj) -> Obj:
    fields = _matches(params, "source", "type", "currency")
    in_range = _created(params)
    payout = in_payout(params["payout"]) if params.get("payout") else (lambda _: True)
    return _page(
        account,
        "balance_transaction",
        params,
        lambda o: fields(o) and in_range(o) and payout(o),
        "/v1/balance_transactions",
    )


def _retrieve(kind: str) -> Handler:
    return lambda account, ids, _: account.get(ids["id"], kind)


def _list(kind: str, url: str, *filters: str) -> Handler:
    def keep(params: Obj) -> Callable[[Obj], bool]:
        fields, in_range = _matches(params, *filters), _created(params)
        return lambda o: fields(o) and in_range(o)

    return lambda account, _, params: _page(account, kind, params, keep(params), url)


def _create_charge(account: Account, _: dict[str, str], params: Obj) -> Obj:
    try:
        amount = int(params["amount"])
        currency = str(params["currency"]).lower()
    except (KeyError, ValueError) as exc:
        raise StripeFailure(400, "amount (integer) and currency are required.", param="amount") from exc
    with account.lock:
        charge = account.new_charge(amount, currency, dict(params.get("metadata") or {}))
        account.emit("charge.succeeded", charge)
        return charge


ROUTES: list[tuple[str, re.Pattern[str], Handler]] = [
    (method, re.compile(f"^{pattern}$"), handler)
    for method, pattern, handler in [
        ("POST", "/v1/checkout/sessions", lambda a, _, p: a.create_session(p)),
        (
            "GET",
            "/v1/checkout/sessions",
            _list("checkout.session", "/v1/checkout/sessions", "payment_intent"),
        ),
        ("GET", "/v1/checkout/sessions/(?P<id>[^/]+)", _retrieve("checkout.session")),
        (
            "POST",
            "/v1/checkout/sessions/(?P<id>[^/]+)/expire",
            lambda a, ids, _: a.expire(ids["id"])["data"]["object"],
        ),
        ("GET", "/v1/payment_intents/(?P<id>[^/]+)", _retrieve("payment_intent")),
        ("POST", "/v1/charges", _create_charge),
        ("GET", "/v1/charges", _list("charge", "/v1/charges", "payment_intent")),
        ("GET", "/v1/charges/(?P<id>[^/]+)", _retrieve("charge")),
        ("POST", "/v1/refunds", lambda a, _, p: a.refund(p)[0]),
        ("GET", "/v1/refunds", _list("refund", "/v1/refunds", "charge", "payment_intent")),
        ("GET", "/v1/refunds/(?P<id>[^/]+)", _retrieve("refund")),
        ("GET", "/v1/balance_transactions", _list_balance_transactions),
        ("GET", "/v1/balance_transactions/(?P<id>[^/]+)", _retrieve("balance_transaction")),
        ("GET", "/v1/payouts", _list("payout", "/v1/payouts", "status")),
        ("GET", "/v1/payouts/(?P<id>[^/]+)", _retrieve("payout")),
        ("GET", "/v1/disputes", lambda a, _, p: disputes.listed(a, p)),
        ("GET", "/v1/disputes/(?P<id>[^/]+)", lambda a, ids, _: disputes.retrieve(a, ids["id"])),
        ("GET", "/v1/events", _list("event", "/v1/events", "type")),
        ("GET", "/v1/events/(?P<id>[^/]+)", _retrieve("event")),
        *subscription_routes(),
    ]
]


def _answer(account: Account, method: str, path: str, params: Obj) -> tuple[int, Obj]:
    for route_method, pattern, handler in ROUTES:
        match = pattern.match(path)
        if match and route_method == method:
            try:
                obj = copy.deepcopy(handler(account, match.groupdict(), params))
                for expand in params.get("expand") or []:
                    _expand(account, obj, expand.split("."))
                return 200, _public(obj)
            except StripeFailure as failure:
                return failure.status, failure.body
    unknown = missing("route", f"{method} {path}")
    return 404, {
        "error": {**unknown.body["error"], "message": f"Unrecognized request URL ({method}: {path})."}
    }


def build_app(account: Account, api_key: str) -> Litestar:
    @route("/v1/{rest:path}", http_method=["GET", "POST", "DELETE"])
    async def api(request: Request[Any, Any, Any]) -> Response[Any]:
        path = request.url.path
        if request.headers.get("authorization") != f"Bearer {api_key}":
            body = {"error": {"type": "invalid_request_error", "message": "Invalid API Key provided."}}
            return Response(body, status_code=401)
        encoded = (await request.body()).decode() if request.method == "POST" else request.url.query
        params = decode(encoded)
        with account.lock:
            account.requests.append((request.method, path, params))
            key = request.headers.get("idempotency-key")
            fingerprint = json.dumps([request.method, path, params], sort_keys=True)
            if request.method == "POST" and key:
                if key in account.idempotent:
                    seen, status, body = account.idempotent[key]
                    if seen != fingerprint:
                        failure = StripeFailure(
                            400,
                            "Keys for idempotent requests can only be used with the same parameters they "
                            "were first used with. Try using a key other than "
                            f"'{key}' if you meant to execute a different request.",
                            type_="idempotency_error",
                        )
                        return Response(failure.body, status_code=400)
                    return Response(body, status_code=status, headers={"Idempotent-Replayed": "true"})
            status, body = _answer(account, request.method, path, params)
            if request.method == "POST" and key and status < 500:
                account.idempotent[key] = (fingerprint, status, body)
        return Response(body, status_code=status, headers={"Request-Id": f"req_{time.monotonic_ns()}"})

    return Litestar(route_handlers=[api, *hosted_routes(account)], debug=False)


class StripeServer:
    """The fake served on a loopback port by uvicorn in a background thread."""

    def __init__(self, api_key: str) -> None:
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._socket.bind(("127.0.0.1", 0))
        port = self._socket.getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"
        self.account = Account(public_url=f"{self.url}/checkout")
        config = uvicorn.Config(
            build_app(self.account, api_key), log_level="warning", lifespan="off", access_log=False
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [self._socket]}, daemon=True
        )

    def start(self) -> StripeServer:
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("the fake Stripe server did not start")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)
        self._socket.close()
