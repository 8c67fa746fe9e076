"""Map every error to one response shape: ``{code, message, details}`` with a fitting status.

API paths get JSON. Pages get an HTML error page, and a 401 on a page becomes a
redirect to the sign-in form. A database that cannot be reached (PostgreSQL
restarting, a connection cut, SQLite locked past its timeout) is a 503
``service.unavailable`` with ``Retry-After``: nothing was written, and the same
request will work once the database is back, so clients and load balancers
should wait and retry rather than report a bug. Other unexpected exceptions
are logged with their traceback and answered with a 500 that says nothing
about internals.
"""

from __future__ import annotations

import errno
import logging
import socket
import sqlite3
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR

from grandrounds.errors import DomainError, ServiceUnavailable, TooManyRequests
from grandrounds.logs import redact_path

log = logging.getLogger("grandrounds")

_GENERIC_CODES = {
    400: ("request.invalid", "The request is not valid."),
    401: ("auth.required", "Sign in, or send a personal API token, to do this."),
    403: ("auth.forbidden", "You are not allowed to do this."),
    404: ("not_found", "Nothing is here."),
    405: ("request.method_not_allowed", "This address does not accept that method."),
    413: ("request.too_large", "The request is too large."),
    415: ("request.unsupported_media_type", "Send JSON (Content-Type: application/json)."),
    429: ("request.rate_limited", "Too many requests; slow down."),
}


def _is_api(request: Request[Any, Any, Any]) -> bool:
    return request.url.path.startswith("/api/") or "application/json" in request.headers.get("accept", "")


def _respond(
    request: Request[Any, Any, Any],
    status: int,
    code: str,
    message: str,
    details: Any,
    headers: dict[str, str] | None = None,
) -> Response[Any]:
    if status == 401 and not _is_api(request):
        return Redirect(path=f"/signin?next={quote(request.url.path)}")
    if _is_api(request):
        return Response(
            {"code": code, "message": message, "details": details}, status_code=status, headers=headers
        )
    return Template(
        template_name="error.html",
        context={"status": status, "code": code, "message": message},
        status_code=status,
        headers=headers,
    )


def retry_after_headers(exc: DomainError) -> dict[str, str] | None:
    """``Retry-After`` for a limit or an outage that says when to come back (pages with a form use it too)."""
    if isinstance(exc, TooManyRequests | ServiceUnavailable) and exc.retry_after:
        return {"Retry-After": str(exc.retry_after)}
    return None


def domain_error(request: Request[Any, Any, Any], exc: DomainError) -> Response[Any]:
    return _respond(request, exc.status_code, exc.code, exc.message, exc.details, retry_after_headers(exc))


def http_error(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    status = exc.status_code
    code, message = _GENERIC_CODES.get(status, ("request.invalid", "The request is not valid."))
    details: Any = {}
    if isinstance(exc, ValidationException):
        code, message = "request.invalid", "The request body or parameters are not valid."
        details = {"errors": exc.extra} if exc.extra else {"reason": exc.detail}
    elif status == 403 and "CSRF" in (exc.detail or ""):
        code, message = "auth.csrf", "The form expired or came from elsewhere; reload the page and try again."
    elif status >= 500:
        # Paths carry secrets (feed, password, speaker, confirmation and invitation links).
        log.error("HTTP %s on %s: %s", status, redact_path(request.url.path), exc.detail)
        code, message = "internal", "Something went wrong on our side."
    return _respond(request, status, code, message, details)


def _number_out_of_range(exc: Exception) -> bool:
    """An id or number too big for the database column (e.g. /events/99999999999999999999)."""
    if isinstance(exc, OverflowError):  # sqlite3: Python int too large to convert to SQLite INTEGER
        return True
    try:
        from asyncpg.exceptions import DataError
    except ImportError:  # pragma: no cover - asyncpg is installed with piccolo[postgres]
        return False
    return isinstance(exc, DataError) and "range" in str(exc)


# Seconds a client should wait before trying again: about what a PostgreSQL restart or failover takes.
RETRY_AFTER_SECONDS = 5
# Socket errors of a connection that could not be made or was cut (asyncpg raises them from connect).
_NETWORK_ERRNOS = frozenset(
    {
        errno.ECONNREFUSED,
        errno.ECONNRESET,
        errno.ECONNABORTED,
        errno.EPIPE,
        errno.ETIMEDOUT,
        errno.EHOSTUNREACH,
        errno.ENETUNREACH,
        errno.EADDRNOTAVAIL,
    }
)
_SQLITE_BUSY = ("database is locked", "database is busy", "database table is locked")


def _causes(exc: BaseException) -> Iterator[BaseException]:
    """The exception and what it was raised from or during, nearest first."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def _is_outage(exc: BaseException) -> bool:
    """The database could not be reached or dropped the connection; nothing about the request."""
    if isinstance(exc, sqlite3.OperationalError):
        return any(phrase in str(exc) for phrase in _SQLITE_BUSY)
    if isinstance(exc, ConnectionError | socket.gaierror | TimeoutError):
        return True
    if isinstance(exc, OSError):
        # asyncpg tries every address of a host and reports "Multiple exceptions: ... Connect call failed".
        return exc.errno in _NETWORK_ERRNOS or "Connect call failed" in str(exc)
    try:
        from asyncpg import exceptions as pg
    except ImportError:  # pragma: no cover - asyncpg is installed with piccolo[postgres]
        return False
    if isinstance(exc, pg.InterfaceError):
        # The pool's connection was lost mid-request, or the pool is being closed at shutdown.
        return "closed" in str(exc) or "closing" in str(exc)
    if isinstance(exc, pg.InternalClientError):
        # An idle pooled connection that has just received the server's "terminating connection"
        # and not yet its end of stream is still handed out; its first query fails this way.
        return "cannot switch to state" in str(exc)
    return isinstance(
        exc,
        pg.PostgresConnectionError  # class 08: no connection, or it broke
        | pg.CannotConnectNowError  # the server is starting up or shutting down
        | pg.AdminShutdownError  # the server was stopped or restarted under the connection
        | pg.CrashShutdownError
        | pg.InsufficientResourcesError,  # too many connections, out of memory or disk
    )


def database_unavailable(exc: BaseException) -> bool:
    return any(_is_outage(cause) for cause in _causes(exc))


def unexpected_error(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    if database_unavailable(exc):
        log.warning(
            "database unavailable on %s %s: %s: %s", request.method, request.url.path, type(exc).__name__, exc
        )
        return _respond(
            request,
            503,
            "service.unavailable",
            "The service cannot reach its database just now; nothing was changed. Try again shortly.",
            {"retry_after": RETRY_AFTER_SECONDS},
            headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
        )
    if _number_out_of_range(exc):
        return _respond(
            request,
            404 if request.method == "GET" else 400,
            "request.out_of_range",
            "A number in this request is too large (no such record).",
            {},
        )
    log.exception("unhandled error on %s %s", request.method, redact_path(request.url.path), exc_info=exc)
    return _respond(
        request, HTTP_500_INTERNAL_SERVER_ERROR, "internal", "Something went wrong on our side.", {}
    )


EXCEPTION_HANDLERS: dict[Any, Any] = {
    DomainError: domain_error,
    HTTPException: http_error,
    Exception: unexpected_error,
}
