"""Map every error to one response shape: ``{code, message, details}`` with a fitting status.

API paths get JSON. Pages get an HTML error page, and a 401 on a page becomes a
redirect to the sign-in form. Unexpected exceptions are logged with their
traceback and answered with a 500 that says nothing about internals.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import quote

from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR

from grandrounds.errors import DomainError, TooManyRequests
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
    """``Retry-After`` for a limit that says when to come back (pages that show their own form use it too)."""
    if isinstance(exc, TooManyRequests) and exc.retry_after:
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


def unexpected_error(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
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
