"""Pages of two-factor sign-in: the code step of signing in, and setting up or turning off the authenticator.

Signing in with a second factor is two forms. The password form, when the account
has an authenticator, opens a challenge and sends the browser here with its
secret in a short-lived cookie scoped to ``/signin/code``; the code form closes it
and only then is a session opened. Staff whose roles need a second factor and
who have none are sent to set one up right after signing in.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import Cookie
from litestar.params import FromQuery, URLEncodedBody
from litestar.response import Redirect, Template

from accounts.principal import STAFF_ROLES
from accounts.services import credentials, people, two_factor
from grandrounds.errors import DomainError
from grandrounds.settings import get_settings
from grandrounds.web.auth import second_factor_required, signed_in
from grandrounds.web.cookies import set_session_cookie
from grandrounds.web.dependencies import ClientAddress, CurrentPrincipal
from grandrounds.web.redirects import safe_next
from grandrounds.web.security_headers import SHOWN_ONCE

Form = URLEncodedBody[dict[str, str]]
CHALLENGE_COOKIE = "gr_2fa"
CODE_PATH = "/signin/code"


def _challenge_cookie(value: str, max_age: int) -> Cookie:
    return Cookie(
        key=CHALLENGE_COOKIE,
        value=value,
        max_age=max_age,
        path=CODE_PATH,
        httponly=True,
        secure=get_settings().cookie_secure,
        samesite="lax",
    )


def challenge_redirect(secret: str, target: str) -> Response[Any]:
    """After a right password on an account with a second factor: on to the code form."""
    response = Redirect(path=f"{CODE_PATH}?{urlencode({'next': target})}")
    response.set_cookie(_challenge_cookie(secret, int(two_factor.CHALLENGE_TTL.total_seconds())))
    return response


async def finish_sign_in(request: Request[Any, Any, Any], person_id: int, target: str) -> Response[Any]:
    """Open the session; staff who must use a second factor and have none go to set one up first."""
    opened = await credentials.open_session(person_id, get_settings().session_ttl_hours)
    if second_factor_required(request) and not await two_factor.is_enabled(person_id):
        if await people.roles_of(person_id) & STAFF_ROLES:
            target = "/account/two-factor?required=1"
    response = Redirect(path=target)
    set_session_cookie(response, opened.secret)
    return response


class SignInCodePages(Controller):
    include_in_schema = False

    @get(CODE_PATH)
    async def code_form(self, next: FromQuery[str | None] = None) -> Template:
        return Template("signin_code.html", context={"next": safe_next(next)})

    @post(CODE_PATH)
    async def code(
        self, request: Request[Any, Any, Any], data: Form, client_address: ClientAddress
    ) -> Response[Any]:
        target = safe_next(data.get("next"))
        secret = request.cookies.get(CHALLENGE_COOKIE, "")
        try:
            person_id = await two_factor.close_challenge(secret, data.get("code", "")[:64], client_address)
        except DomainError as exc:
            if exc.code == "auth.challenge_expired":
                context = {"form": {}, "next": target, "error": exc.message}
                return Template("signin.html", context=context, status_code=exc.status_code)
            context = {"next": target, "error": exc.message}
            return Template("signin_code.html", context=context, status_code=exc.status_code)
        response = await finish_sign_in(request, person_id, target)
        response.set_cookie(_challenge_cookie("", 0))
        return response


class TwoFactorPages(Controller):
    path = "/account/two-factor"
    include_in_schema = False
    guards = [signed_in]

    @get("/")
    async def page(self, principal: CurrentPrincipal, required: FromQuery[int] = 0) -> Template:
        return await _page(principal.person_id, required=bool(required))

    @post("/setup", cache_control=SHOWN_ONCE)
    async def setup(self, principal: CurrentPrincipal) -> Template:
        try:
            enrolment = await two_factor.start(principal.person_id)
        except DomainError as exc:
            return await _page(principal.person_id, error=exc.message, status=exc.status_code)
        return await _page(principal.person_id, enrolment=enrolment)

    @post("/confirm", cache_control=SHOWN_ONCE)
    async def confirm(self, principal: CurrentPrincipal, data: Form) -> Template:
        try:
            codes = await two_factor.confirm(principal.person_id, data.get("code", "")[:64])
        except DomainError as exc:
            enrolment = await two_factor.pending(principal.person_id)
            return await _page(
                principal.person_id, enrolment=enrolment, error=exc.message, status=exc.status_code
            )
        return await _page(principal.person_id, recovery_codes=codes)

    @post("/recovery-codes", cache_control=SHOWN_ONCE)
    async def renew(self, principal: CurrentPrincipal, data: Form) -> Template:
        try:
            codes = await two_factor.renew_recovery_codes(principal.person_id, data.get("code", "")[:64])
        except DomainError as exc:
            return await _page(principal.person_id, error=exc.message, status=exc.status_code)
        return await _page(principal.person_id, recovery_codes=codes)

    @post("/disable")
    async def disable(self, principal: CurrentPrincipal, data: Form) -> Response[Any]:
        try:
            await two_factor.disable(principal.person_id, data.get("code", "")[:64])
        except DomainError as exc:
            return await _page(principal.person_id, error=exc.message, status=exc.status_code)
        return Redirect(path="/account/two-factor?off=1")


async def _page(
    person_id: int,
    *,
    enrolment: two_factor.Enrolment | None = None,
    recovery_codes: list[str] | None = None,
    error: str | None = None,
    required: bool = False,
    status: int = 200,
) -> Template:
    return Template(
        "two_factor.html",
        context={
            "enabled": await two_factor.is_enabled(person_id),
            "codes_left": await two_factor.recovery_codes_left(person_id),
            "enrolment": enrolment,
            "recovery_codes": recovery_codes,
            "error": error,
            "required": required,
        },
        status_code=status,
    )


TWO_FACTOR_PAGES = [SignInCodePages, TwoFactorPages]
