"""Open the request context for every routed request, and hold routes to their audit.

Each request gets an id at the door (grandrounds.web.access_log: the caller's
``X-Request-ID`` when it is a sane token, else a new one, returned in the
response's ``X-Request-ID``); it goes into every audit row and outbox row the
request writes. The actor, the role that let them through the route's guard,
the client address and user agent are recorded beside it, and the actor is
bound to the request's log lines as ``person_id``.

Routes that change state under a staff, finance or admin guard declare their
audit action(s) in ``opt={"audit": ...}``. After such a request, if it committed
a write, exactly one audit row of a declared action must have been written;
otherwise the miss is logged and kept in :data:`AUDIT_MISSES` (the test suite
fails on any). Routes that wrote nothing (a refused form) need no row.
"""

from __future__ import annotations

import logging
from collections import deque
from typing import Any

import structlog
from litestar.handlers.base import BaseRouteHandler
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Receive, Scope, Send

from accounts.principal import Principal
from grandrounds.request_context import RequestContext, opened
from grandrounds.web.access_log import request_id_of
from grandrounds.web.auth import RoleGuard

AUDIT_MISSES: deque[str] = deque(maxlen=100)

log = logging.getLogger("grandrounds.audit")


def declared_actions(handler: BaseRouteHandler) -> tuple[str, ...]:
    """The audit action codes a route declares in its ``opt`` (none, one, or a tuple)."""
    declared = handler.opt.get("audit")
    if declared is None:
        return ()
    return (declared,) if isinstance(declared, str) else tuple(declared)


def role_guards(handler: BaseRouteHandler) -> list[RoleGuard]:
    """The role guards on a route, from the app down to the handler."""
    return [
        guard
        for layer in handler.ownership_layers
        for guard in (getattr(layer, "guards", None) or [])
        if isinstance(guard, RoleGuard)
    ]


def _header(scope: Scope, name: bytes) -> str:
    for key, value in scope.get("headers", []):
        if key == name:
            return str(value.decode("latin-1"))
    return ""


def _context(scope: Scope, handler: BaseRouteHandler | None) -> RequestContext:
    principal = scope.get("user")
    client = scope.get("client")
    context = RequestContext(
        request_id=request_id_of(scope),
        client_address=str(client[0])[:64] if client else "",
        user_agent=_header(scope, b"user-agent")[:300],
    )
    if isinstance(principal, Principal):
        context.actor_id = principal.person_id
        guards = role_guards(handler) if handler is not None else []
        context.role_used = next(filter(None, (g.role_used(principal) for g in guards)), "")
    return context


class RequestContextMiddleware(ASGIMiddleware):
    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        handler: BaseRouteHandler | None = scope.get("route_handler")
        context = _context(scope, handler)
        with opened(context), structlog.contextvars.bound_contextvars(person_id=context.actor_id):
            await next_app(scope, receive, send)
        if handler is not None:
            _check_audit(scope, handler, context)


def _check_audit(scope: Scope, handler: BaseRouteHandler, context: RequestContext) -> None:
    declared = declared_actions(handler)
    if not declared or context.commits == 0:
        return
    audited = context.audited
    if len(audited) == 1 and audited[0] in declared:
        return
    miss: dict[str, Any] = {
        "method": scope.get("method"),
        "route": handler.paths and sorted(handler.paths)[0],
        "declared": declared,
        "written": list(audited),
    }
    AUDIT_MISSES.append(repr(miss))
    log.error("audit trail miss: %r", miss)
