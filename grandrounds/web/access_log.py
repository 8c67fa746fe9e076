"""One access log line and one metrics observation per request, with the request id bound for all lines.

This wraps the whole application (outside routing and the error handlers), so
it sees every request, a 404 for an unknown path as much as a routed one. It

- takes the request id: the caller's ``X-Request-ID`` when it is a sane token,
  else a new one; it is kept in the scope's state for the request context
  (grandrounds.web.request_context, which writes it into audit rows and the
  outbox) and returned in the response's ``X-Request-ID``;
- binds ``request_id`` with ``structlog.contextvars``, so every line logged
  while the request is served carries it (the request context adds
  ``person_id`` once the caller is known);
- when the answer is done, writes one line: the route *template* (never the
  raw path, whose ids and tokens would land in the log), method, status,
  duration and the person, and counts it in the request metrics. Only a
  request that matched no route names its path, through ``redact_path`` and
  without its query. Headers, cookies and bodies are never logged.

Probes and scrapes (``/healthz``, ``/readyz``, ``/metrics``) are logged at
debug level: an orchestrator calls them every few seconds.
"""

from __future__ import annotations

import re
import time
import uuid
from typing import Any

import structlog
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from accounts.principal import Principal
from grandrounds.logs import redact_path
from grandrounds.metrics import observe_request

REQUEST_ID_HEADER = "x-request-id"
REQUEST_ID_STATE = "request_id"
_SANE_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")
QUIET_ROUTES = frozenset({"/healthz", "/readyz", "/metrics"})
UNMATCHED = "<unmatched>"

log = structlog.stdlib.get_logger("grandrounds.access")


def _header(scope: Scope, name: bytes) -> str:
    for key, value in scope.get("headers", []):
        if key == name:
            return str(value.decode("latin-1"))
    return ""


def new_request_id(scope: Scope) -> str:
    """The caller's ``X-Request-ID`` when it is a sane token, else a new one."""
    offered = _header(scope, REQUEST_ID_HEADER.encode())
    return offered if _SANE_ID.fullmatch(offered) else uuid.uuid4().hex


def request_id_of(scope: Scope) -> str:
    """The id this request was given at the door (a new one if it came in some other way)."""
    state: dict[str, Any] = scope.setdefault("state", {})
    if REQUEST_ID_STATE not in state:
        state[REQUEST_ID_STATE] = new_request_id(scope)
    return str(state[REQUEST_ID_STATE])


class AccessLog:
    """The outermost ASGI layer of the app (installed by the app factory around Litestar's handler)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = request_id_of(scope)
        started = time.perf_counter()
        status = 500  # what the server answers if the app raises before it answers

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
                headers = list(message.get("headers", []))
                headers.append((REQUEST_ID_HEADER.encode(), request_id.encode()))
                message["headers"] = headers
            await send(message)

        with structlog.contextvars.bound_contextvars(request_id=request_id):
            try:
                await self.app(scope, receive, send_with_id)
            finally:
                _record(scope, status, time.perf_counter() - started)


def _record(scope: Scope, status: int, seconds: float) -> None:
    route = str(scope.get("path_template") or "") or UNMATCHED
    method = str(scope.get("method", ""))
    observe_request(route, method, status, seconds)
    principal = scope.get("user")
    fields: dict[str, Any] = {
        "route": route,
        "method": method,
        "status": status,
        "duration_ms": round(seconds * 1000, 2),
        "person_id": principal.person_id if isinstance(principal, Principal) else None,
    }
    if route == UNMATCHED:
        fields["path"] = redact_path(str(scope.get("path", "")))
    if route in QUIET_ROUTES:
        log.debug("request", **fields)
    else:
        log.info("request", **fields)
