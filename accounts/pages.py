"""Server-rendered account pages: sign-up, sign-in, sign-out and the account page.

They work without JavaScript; every form carries the CSRF field, and a failed
form is shown again with the person's input and a message next to the field.
"""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, FromQuery, URLEncodedBody
from litestar.response import Redirect, Template

from accounts.audit.queries import about_person
from accounts.pages_two_factor import TWO_FACTOR_PAGES, challenge_redirect, finish_sign_in
from accounts.principal import Principal
from accounts.profile import profile_lines
from accounts.schemas import PersonUpdate, SignUp
from accounts.services import (
    credentials,
    email_verification,
    organizations,
    password_reset,
    people,
    two_factor,
)
from grandrounds.errors import DomainError
from grandrounds.settings import get_settings
from grandrounds.web.auth import SESSION_COOKIE, signed_in
from grandrounds.web.cookies import clear_session_cookie, set_session_cookie
from grandrounds.web.dependencies import ClientAddress, CurrentPrincipal, Viewer
from grandrounds.web.http_errors import retry_after_headers
from grandrounds.web.redirects import safe_next
from grandrounds.web.security_headers import SHOWN_ONCE
from grandrounds.web.times import clock

Form = URLEncodedBody[dict[str, str]]


def _form_error(
    template: str, exc: Exception, form: dict[str, str], status: int = 400, **extra: Any
) -> Template:
    headers = None
    if isinstance(exc, DomainError):
        message, field, status = exc.message, exc.details.get("field"), exc.status_code
        headers = retry_after_headers(exc)
    else:
        message, field = f"Please check the form: {exc}", None
    form = {k: v for k, v in form.items() if "password" not in k and k != "_csrf_token"}
    return Template(
        template,
        context={"error": message, "error_field": field, "form": form, **extra},
        status_code=status,
        headers=headers,
    )


def _signed_in_redirect(person_id: int, secret: str, target: str) -> Response[Any]:
    response = Redirect(path=target)
    set_session_cookie(response, secret)
    return response


class AccountPages(Controller):
    include_in_schema = False

    @get("/signup")
    async def signup_form(self) -> Template:
        return Template("signup.html", context={"form": {}, "degrees": people.DEGREES})

    @post("/signup")
    async def signup(self, data: Form, client_address: ClientAddress) -> Response[Any]:
        try:
            payload = SignUp(
                email=data.get("email", ""),
                password=data.get("password", ""),
                name=data.get("name", ""),
                degree=data.get("degree", ""),
                time_zone=data.get("time_zone") or "UTC",
            )
            for field, limit in (("email", 254), ("name", 200), ("password", 128)):
                if len(getattr(payload, field)) > limit:
                    raise msgspec.ValidationError(f"{field} is longer than {limit} characters")
            person = await people.sign_up(payload, client_address)
        except (DomainError, msgspec.ValidationError) as exc:
            return _form_error("signup.html", exc, data, degrees=people.DEGREES)
        opened = await credentials.open_session(person.id, get_settings().session_ttl_hours)
        return _signed_in_redirect(person.id, opened.secret, "/account")

    @get("/signin")
    async def signin_form(
        self, next: FromQuery[str | None] = None, reset: FromQuery[int] = 0, signed_out: FromQuery[str] = ""
    ) -> Template:
        return Template(
            "signin.html",
            context={
                "form": {},
                "next": safe_next(next),
                "reset": bool(reset),
                "signed_out_everywhere": signed_out == "everywhere",
            },
        )

    @post("/signin")
    async def signin(
        self, request: Request[Any, Any, Any], data: Form, client_address: ClientAddress
    ) -> Response[Any]:
        target = safe_next(data.get("next"))
        try:
            person_id = await credentials.authenticate(
                data.get("email", "")[:254], data.get("password", "")[:128], client_address
            )
        except DomainError as exc:
            return _form_error("signin.html", exc, data, next=target)
        if await two_factor.is_enabled(person_id):
            return challenge_redirect(await two_factor.open_challenge(person_id), target)
        return await finish_sign_in(request, person_id, target)

    @get("/account/verify/{token:str}")
    async def verify_email(self, token: FromPath[str]) -> Template:
        try:
            await email_verification.confirm(token)
        except DomainError as exc:
            return Template("verify_email.html", context={"error": exc.message}, status_code=exc.status_code)
        return Template("verify_email.html", context={"error": None})

    @post("/account/verify/resend", guards=[signed_in])
    async def resend_verification(self, principal: CurrentPrincipal) -> Response[Any]:
        await email_verification.resend(principal.person_id)
        return Redirect(path="/account?verification=sent")

    @get("/password/forgot")
    async def forgot_form(self) -> Template:
        return Template("password_forgot.html", context={"form": {}, "sent": False})

    @post("/password/forgot")
    async def forgot(self, data: Form, client_address: ClientAddress) -> Template:
        try:
            await password_reset.request_reset(data.get("email", "")[:254], client_address)
        except DomainError as exc:
            return _form_error("password_forgot.html", exc, data, sent=False)
        return Template("password_forgot.html", context={"form": {}, "sent": True})

    @get("/password/reset/{token:str}")
    async def reset_form(self, token: FromPath[str]) -> Template:
        try:
            await password_reset.check_link(token)
        except DomainError as exc:
            return Template("password_reset.html", context={"invalid": exc.message}, status_code=400)
        return Template("password_reset.html", context={"token": token})

    @post("/password/reset/{token:str}")
    async def reset(self, token: FromPath[str], data: Form) -> Response[Any]:
        try:
            await password_reset.complete_reset(token, data.get("password", "")[:128])
        except DomainError as exc:
            invalid = exc.code == "password_reset.link_invalid"
            context = {"invalid": exc.message} if invalid else {"token": token, "error": exc.message}
            return Template("password_reset.html", context=context, status_code=exc.status_code)
        return Redirect(path="/signin?reset=1")

    @post("/signout")
    async def signout(self, request: Request[Any, Any, Any]) -> Response[Any]:
        if secret := request.cookies.get(SESSION_COOKIE):
            await credentials.close_session(secret)
        response = Redirect(path="/")
        clear_session_cookie(response)
        return response

    @get("/account", guards=[signed_in])
    async def account(self, request: Request[Any, Any, Any], principal: CurrentPrincipal) -> Template:
        return await _account_page(request, principal)

    @post("/account", guards=[signed_in])
    async def update_account(
        self, request: Request[Any, Any, Any], principal: CurrentPrincipal, data: Form
    ) -> Response[Any]:
        try:
            await people.update_person(
                principal.person_id,
                PersonUpdate(
                    name=data.get("name", "")[:200],
                    degree=data.get("degree", "")[:20],
                    time_zone=data.get("time_zone", "UTC")[:64],
                ),
            )
        except DomainError as exc:
            return await _account_page(request, principal, error=exc.message, status=exc.status_code)
        return Redirect(path="/account?saved=1")

    @post("/account/sessions/revoke", guards=[signed_in])
    async def sign_out_everywhere(self, principal: CurrentPrincipal) -> Response[Any]:
        """Every session of the person ends, this browser's too; back to the sign-in form."""
        await credentials.close_every_session(principal.person_id)
        response = Redirect(path="/signin?signed_out=everywhere")
        clear_session_cookie(response)
        return response

    @post("/account/tokens", guards=[signed_in], cache_control=SHOWN_ONCE)
    async def create_token(
        self, request: Request[Any, Any, Any], principal: CurrentPrincipal, data: Form
    ) -> Template:
        name = (data.get("name") or "token").strip()[:100] or "token"
        created = await credentials.create_token(principal.person_id, name)
        # Shown in this response only; never in a URL, never again.
        return await _account_page(request, principal, new_token=created.token)

    @post("/account/tokens/{token_id:int}/revoke", guards=[signed_in])
    async def revoke_token(self, principal: CurrentPrincipal, token_id: FromPath[int]) -> Response[Any]:
        await credentials.revoke_token(principal.person_id, token_id)
        return Redirect(path="/account")


async def _joined(principal: Principal, organization_id: str | None) -> str | None:
    """The organization just joined through an invitation, for the notice on the account page."""
    if not organization_id or not organization_id.isdigit() or len(organization_id) > 12:
        return None
    if not await organizations.may_view(principal, int(organization_id)):
        return None  # the page names only an organization the person belongs to
    return await organizations.name_of(int(organization_id))


async def _account_page(
    request: Request[Any, Any, Any],
    principal: Principal,
    error: str | None = None,
    status: int = 200,
    new_token: str | None = None,
) -> Template:
    person = await people.person_out(principal.person_id)
    return Template(
        "account.html",
        context={
            "person": person,
            "tokens": await credentials.list_tokens(principal.person_id),
            "degrees": people.DEGREES,
            "error": error,
            "new_token": new_token,
            "saved": request.query_params.get("saved") == "1",
            "verification_sent": request.query_params.get("verification") == "sent",
            "joined": await _joined(principal, request.query_params.get("joined")),
            "profile_lines": await profile_lines(principal.person_id),
            # Who has seen or changed your data (audit rows naming this person), on their own clock.
            "data_seen": await about_person(principal.person_id),
            "local": clock(person.time_zone),
            "two_factor_on": await two_factor.is_enabled(principal.person_id),
        },
        status_code=status,
    )


# The invitation page carries its secret in the address: it is never sent on as a referrer.
SECRET_LINK_HEADERS = {"Referrer-Policy": "no-referrer"}


class OrganizationPages(Controller):
    """Inviting colleagues (the leader) and accepting an invitation (the invited person)."""

    include_in_schema = False

    @post("/organizations/{organization_id:int}/invitations", guards=[signed_in])
    async def invite(
        self, principal: CurrentPrincipal, organization_id: FromPath[int], data: Form
    ) -> Response[Any]:
        """A refusal (not the leader, a malformed address) is the site's error page, with its code."""
        await organizations.invite(principal, organization_id, data.get("email", "")[:254])
        return Redirect(path=f"/organizations/{organization_id}/membership?done=invited")

    @get("/organizations/invitations/{token:str}")
    async def invitation(self, viewer: Viewer, token: FromPath[str]) -> Template:
        found = await organizations.invitation(token)
        return Template(
            "organization_invitation.html",
            context={"invitation": found, "token": token, "signed_in": viewer is not None},
            headers=SECRET_LINK_HEADERS,
        )

    @post("/organizations/invitations/{token:str}", guards=[signed_in])
    async def accept(self, principal: CurrentPrincipal, token: FromPath[str]) -> Response[Any]:
        joined = await organizations.accept_invitation(principal, token)
        return Redirect(path=f"/account?joined={joined.id}")


CONTROLLERS = [AccountPages, OrganizationPages, *TWO_FACTOR_PAGES]
