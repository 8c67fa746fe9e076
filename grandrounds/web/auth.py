"""Who is calling: resolve the principal once per request, and guards that demand roles.

A request is authenticated by an ``Authorization: Bearer grt_...`` personal API
token or by the session cookie. The principal (or None) is put in
``scope["user"]`` before routing, so handlers and guards read it the same way:
guards through ``current_principal``, handlers as the injected ``principal`` or
``viewer`` parameter (grandrounds.web.dependencies); nothing outside this kit
reads the scope itself.

Cookies are ambient credentials, so a cookie-authenticated state-changing call
to the JSON API must also carry the CSRF cookie's value in the ``x-csrftoken``
header (pages get the same protection from the CSRF middleware's form field).
The token must be one this site signed, checked as Litestar's CSRF middleware
checks a form's: the value is a random hex secret followed by its HMAC-SHA256
under the app's secret key. Equality of cookie and header alone would accept
any value a sibling subdomain (or a cookie-injecting network) planted in both.
"""

from __future__ import annotations

import hmac
import json
from typing import Any

from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler
from litestar.middleware import ASGIMiddleware
from litestar.middleware.csrf import CSRF_SECRET_LENGTH, generate_csrf_hash
from litestar.response.base import ASGIResponse
from litestar.types import ASGIApp, Receive, Scope, Send

from accounts import errors
from accounts.principal import STAFF_ROLES, Principal, Role
from accounts.services.credentials import principal_from_session, principal_from_token
from grandrounds.errors import forbidden, sign_in_required

SESSION_COOKIE = "gr_session"
CSRF_COOKIE = "csrftoken"
CSRF_HEADER = "x-csrftoken"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# These act on the credentials in the body, not on the ambient cookie.
CREDENTIAL_PATHS = frozenset(
    {
        "/api/v1/auth/signup",
        "/api/v1/auth/signin",
        "/api/v1/auth/password-reset",
        "/api/v1/auth/password-reset/confirm",
        "/api/v1/auth/verify-email",
    }
)


def signed_csrf_secret(token: str, secret_key: str) -> str | None:
    """The random part of a CSRF token this site signed, or None for anything else (Litestar's rule)."""
    if len(token) < CSRF_SECRET_LENGTH + 1:
        return None
    random_part, signature = token[:CSRF_SECRET_LENGTH], token[CSRF_SECRET_LENGTH:]
    expected = generate_csrf_hash(token=random_part, secret=secret_key)
    return random_part if hmac.compare_digest(signature, expected) else None


# A route that checks a credential of its own (``/metrics``' token) says so in its ``opt``: the
# principal middleware steps aside, so its Authorization header is not read as an API token.
OWN_CREDENTIALS = "own_credentials"


class PrincipalMiddleware(ASGIMiddleware):
    exclude_opt_key = OWN_CREDENTIALS

    def __init__(self, csrf_secret: str) -> None:
        # The key the pages' CSRF middleware signs its tokens with (GRANDROUNDS_SECRET_KEY).
        self.csrf_secret = csrf_secret

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        connection: ASGIConnection[Any, Any, Any, Any] = ASGIConnection(scope)
        principal: Principal | None = None
        authorization = connection.headers.get("authorization", "")
        if authorization[:7].lower() == "bearer ":
            principal = await principal_from_token(authorization[7:].strip())
            if principal is None:
                await _reject(
                    scope, receive, send, 401, "auth.token_invalid", "The API token is unknown or revoked."
                )
                return
        elif session_secret := connection.cookies.get(SESSION_COOKIE):
            principal = await principal_from_session(session_secret)
            if principal is not None and _needs_csrf_header(scope, connection, self.csrf_secret):
                await _reject(
                    scope,
                    receive,
                    send,
                    403,
                    "auth.csrf",
                    "Cookie-authenticated API calls must echo the csrftoken cookie in x-csrftoken.",
                )
                return
        scope["user"] = principal
        scope["auth"] = principal.via if principal else None
        await next_app(scope, receive, send)


def _needs_csrf_header(scope: Scope, connection: ASGIConnection[Any, Any, Any, Any], secret_key: str) -> bool:
    """True when a cookie-authenticated API write lacks a valid, signed CSRF token in both places."""
    path = scope["path"]
    if scope.get("method", "GET") in SAFE_METHODS or not path.startswith("/api/") or path in CREDENTIAL_PATHS:
        return False
    from_cookie = signed_csrf_secret(connection.cookies.get(CSRF_COOKIE, ""), secret_key)
    from_header = signed_csrf_secret(connection.headers.get(CSRF_HEADER, ""), secret_key)
    return not (from_cookie and from_header and hmac.compare_digest(from_cookie, from_header))


async def _reject(scope: Scope, receive: Receive, send: Send, status: int, code: str, message: str) -> None:
    body = json.dumps({"code": code, "message": message, "details": {}}).encode()
    await ASGIResponse(body=body, status_code=status, media_type="application/json")(scope, receive, send)


def viewer(connection: ASGIConnection[Any, Any, Any, Any]) -> Principal | None:
    """The signed-in person, or None for an anonymous visitor.

    The one place (with the middleware that fills it) that reads ``scope["user"]``:
    handlers get it injected as ``viewer`` or ``principal`` (grandrounds.web.dependencies).
    """
    principal = connection.scope.get("user")
    return principal if isinstance(principal, Principal) else None


def current_principal(connection: ASGIConnection[Any, Any, Any, Any]) -> Principal:
    """The signed-in person; anyone else is answered 401 (a page turns that into the sign-in form)."""
    principal = viewer(connection)
    if principal is None:
        raise sign_in_required()
    return principal


def signed_in(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    """Guard: any signed-in person."""
    current_principal(connection)


SECOND_FACTOR_KEY = "require_2fa_for_staff"


def second_factor_required(connection: ASGIConnection[Any, Any, Any, Any]) -> bool:
    """Whether this site makes staff roles wait for a second factor (the app's settings, in its state)."""
    return bool(connection.app.state.get(SECOND_FACTOR_KEY, True))


class RoleGuard:
    """Guard: the caller must hold one of ``roles`` (admins hold every role).

    A class rather than a closure so the roles can be read back: the request
    context records which role let an actor through (grandrounds.web.request_context),
    and the route walks read what each route demands.
    """

    def __init__(self, roles: tuple[Role, ...]) -> None:
        self.roles = roles

    def __call__(self, connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
        principal = current_principal(connection)
        if not principal.has_any(*self.roles):
            needed = ", ".join(r.value for r in self.roles)
            raise forbidden(
                f"This needs one of the roles: {needed}.", {"roles": [r.value for r in self.roles]}
            )
        staff_route = any(role in STAFF_ROLES for role in self.roles)
        if staff_route and not principal.second_factor and second_factor_required(connection):
            raise errors.two_factor_setup_required()

    def role_used(self, principal: Principal) -> str:
        """The demanded role the principal holds, else "admin" (who passes every guard)."""
        for role in self.roles:
            if role in principal.roles:
                return role.value
        return Role.ADMIN.value if principal.is_admin else ""


def requires(*roles: Role) -> RoleGuard:
    """Guard factory: the caller must hold one of ``roles`` (admins hold every role)."""
    return RoleGuard(roles)
