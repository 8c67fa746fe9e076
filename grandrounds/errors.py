"""Domain errors carry a stable code; one place maps them (and framework errors) to HTTP.

Clients branch on ``code`` ("registration.full", "auth.required"), never on the
wording of ``message``, so codes are part of the API contract and are listed in
the README.
"""

from __future__ import annotations

from typing import Any, ClassVar


class DomainError(Exception):
    """A rule of the domain said no. Subclasses fix the HTTP status."""

    status_code: ClassVar[int] = 400

    def __init__(self, code: str, message: str, details: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.details = details or {}


class InvalidInput(DomainError):
    status_code = 400


class Unauthenticated(DomainError):
    status_code = 401


class Forbidden(DomainError):
    status_code = 403


class NotFound(DomainError):
    status_code = 404


class Conflict(DomainError):
    status_code = 409


class Unprocessable(DomainError):
    status_code = 422


class TooManyRequests(DomainError):
    """A limit said no for now; ``retry_after`` (seconds) becomes the response's Retry-After header."""

    status_code = 429

    def __init__(
        self, code: str, message: str, details: dict[str, Any] | None = None, retry_after: int | None = None
    ) -> None:
        super().__init__(code, message, details)
        self.retry_after = retry_after


class Gone(DomainError):
    """The record is known but what it points to is no longer there (a stored file that went missing)."""

    status_code = 410


class UnsupportedMediaType(DomainError):
    status_code = 415


class ServiceUnavailable(DomainError):
    """A service we depend on (the file store) did not answer; nothing was changed, the same request may work
    shortly. ``retry_after`` (seconds) becomes the response's Retry-After header."""

    status_code = 503

    def __init__(
        self, code: str, message: str, details: dict[str, Any] | None = None, retry_after: int | None = None
    ) -> None:
        super().__init__(code, message, details)
        self.retry_after = retry_after


def sign_in_required() -> Unauthenticated:
    return Unauthenticated("auth.required", "Sign in, or send a personal API token, to do this.")


def forbidden(message: str, details: dict[str, Any] | None = None) -> Forbidden:
    """The caller is known but may not do this; the message says who may."""
    return Forbidden("auth.forbidden", message, details)


def request_invalid(message: str, details: dict[str, Any] | None = None) -> InvalidInput:
    """A malformed request a service catches itself (the framework's own give the same code)."""
    return InvalidInput("request.invalid", message, details)


def unsupported_media_type(message: str) -> UnsupportedMediaType:
    """A body in a form the route does not take (the JSON API takes JSON only)."""
    return UnsupportedMediaType("request.unsupported_media_type", message)


def cross_site() -> Forbidden:
    """A credential form posted from another site: login CSRF, refused before any cookie is set."""
    return Forbidden(
        "auth.cross_site",
        "Sign-in and sign-up are only accepted from this site's own pages or from non-browser clients.",
    )
