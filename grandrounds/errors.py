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


class UnsupportedMediaType(DomainError):
    status_code = 415


class TooManyRequests(DomainError):
    status_code = 429


def sign_in_required() -> Unauthenticated:
    return Unauthenticated("auth.required", "Sign in, or send a personal API token, to do this.")


def forbidden(message: str, details: dict[str, Any] | None = None) -> Forbidden:
    """The caller is known but may not do this; the message says who may."""
    return Forbidden("auth.forbidden", message, details)


def request_invalid(message: str, details: dict[str, Any] | None = None) -> InvalidInput:
    """A malformed request a service catches itself (the framework's own give the same code)."""
    return InvalidInput("request.invalid", message, details)


def unsupported_media_type(sent: str) -> UnsupportedMediaType:
    """A JSON route sent a body of another type: refused, never read as JSON regardless of its label."""
    return UnsupportedMediaType(
        "request.unsupported_media_type",
        "Send JSON (Content-Type: application/json).",
        {"content_type": sent},
    )
