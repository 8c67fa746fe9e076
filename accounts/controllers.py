"""The accounts JSON API: sign-up/in/out, the caller's own profile and tokens, people, organizations."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, delete, get, patch, post
from litestar.params import FromPath, FromQuery, JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED, HTTP_202_ACCEPTED, HTTP_204_NO_CONTENT

from accounts.principal import Role
from accounts.schemas import (
    EmailVerification,
    InvitationAccept,
    InvitationCreate,
    MemberAdd,
    OrganizationCreate,
    OrganizationOut,
    Page,
    PasswordResetConfirm,
    PasswordResetRequest,
    PersonOut,
    PersonUpdate,
    ProgramCreate,
    ProgramOut,
    RecoveryCodes,
    RoleChange,
    SignIn,
    SignUp,
    StaffAdd,
    TokenCreate,
    TokenCreated,
    TokenOut,
    TwoFactorCode,
    TwoFactorStarted,
    TwoFactorStatus,
)
from accounts.services import (
    credentials,
    email_verification,
    organizations,
    password_reset,
    people,
    programs,
    two_factor,
)
from grandrounds.errors import forbidden
from grandrounds.settings import get_settings
from grandrounds.web.auth import SESSION_COOKIE, requires, signed_in
from grandrounds.web.cookies import clear_session_cookie, set_session_cookie
from grandrounds.web.dependencies import ClientAddress, CurrentPrincipal
from grandrounds.web.paging import Limit, Offset
from grandrounds.web.security_headers import SHOWN_ONCE

INVITATION_SENT = "An invitation is on its way to that address; they join when they accept it."


class AuthController(Controller):
    path = "/api/v1/auth"
    tags = ["auth"]

    @post("/signup", status_code=HTTP_201_CREATED)
    async def sign_up(self, data: JSONBody[SignUp], client_address: ClientAddress) -> Response[PersonOut]:
        """Create a free guest account and sign it in (session cookie); a few an hour per client address."""
        person = await people.sign_up(data, client_address)
        opened = await credentials.open_session(person.id, get_settings().session_ttl_hours)
        response = Response(person, status_code=HTTP_201_CREATED)
        set_session_cookie(response, opened.secret)
        return response

    @post("/signin", status_code=HTTP_200_OK)
    async def sign_in(self, data: JSONBody[SignIn], client_address: ClientAddress) -> Response[PersonOut]:
        """Open a session; a client that failed too often is told to wait (429, Retry-After)."""
        person_id = await credentials.authenticate(data.email, data.password, client_address)
        if await two_factor.is_enabled(person_id):
            await two_factor.verify_sign_in(person_id, data.code, client_address)
        opened = await credentials.open_session(person_id, get_settings().session_ttl_hours)
        response = Response(await people.person_out(person_id), status_code=HTTP_200_OK)
        set_session_cookie(response, opened.secret)
        return response

    @post("/password-reset", status_code=HTTP_202_ACCEPTED)
    async def request_password_reset(
        self, data: JSONBody[PasswordResetRequest], client_address: ClientAddress
    ) -> dict[str, str]:
        """Email a one-time link if the address has an account; the answer is the same either way."""
        await password_reset.request_reset(data.email, client_address)
        return {"message": "If an account uses this address, a link to choose a new password is on its way."}

    @post("/password-reset/confirm", status_code=HTTP_204_NO_CONTENT)
    async def confirm_password_reset(self, data: JSONBody[PasswordResetConfirm]) -> None:
        """Set the new password; every open session and API token of the account ends."""
        await password_reset.complete_reset(data.token, data.password)

    @post("/verify-email", status_code=HTTP_200_OK)
    async def verify_email(self, data: JSONBody[EmailVerification]) -> PersonOut:
        """Confirm an address with the token from the emailed link."""
        return await people.person_out(await email_verification.confirm(data.token))

    @post("/signout", status_code=HTTP_204_NO_CONTENT, guards=[signed_in])
    async def sign_out(self, request: Request[Any, Any, Any]) -> Response[None]:
        if secret := request.cookies.get(SESSION_COOKIE):
            await credentials.close_session(secret)
        response = Response(None, status_code=HTTP_204_NO_CONTENT)
        clear_session_cookie(response)
        return response


class MeController(Controller):
    """The caller's own account: everyone may see and change their own data."""

    path = "/api/v1/me"
    tags = ["me"]
    guards = [signed_in]

    @get("/")
    async def me(self, principal: CurrentPrincipal) -> PersonOut:
        return await people.person_out(principal.person_id)

    @patch("/")
    async def update_me(self, principal: CurrentPrincipal, data: JSONBody[PersonUpdate]) -> PersonOut:
        return await people.update_person(principal.person_id, data)

    @post("/verify-email/resend", status_code=HTTP_202_ACCEPTED)
    async def resend_verification(self, principal: CurrentPrincipal) -> dict[str, bool]:
        """Send the confirmation link again (at most every ten minutes)."""
        return {"queued": await email_verification.resend(principal.person_id)}

    @delete("/sessions", status_code=HTTP_204_NO_CONTENT)
    async def sign_out_everywhere(self, principal: CurrentPrincipal) -> Response[None]:
        """End every sign-in session of the caller, this one included (API tokens stay)."""
        await credentials.close_every_session(principal.person_id)
        response = Response(None, status_code=HTTP_204_NO_CONTENT)
        clear_session_cookie(response)
        return response

    @get("/tokens")
    async def tokens(self, principal: CurrentPrincipal) -> list[TokenOut]:
        return await credentials.list_tokens(principal.person_id)

    @post("/tokens", status_code=HTTP_201_CREATED, cache_control=SHOWN_ONCE)
    async def create_token(self, principal: CurrentPrincipal, data: JSONBody[TokenCreate]) -> TokenCreated:
        return await credentials.create_token(principal.person_id, data.name)

    @delete("/tokens/{token_id:int}", status_code=HTTP_204_NO_CONTENT)
    async def revoke_token(self, principal: CurrentPrincipal, token_id: FromPath[int]) -> None:
        await credentials.revoke_token(principal.person_id, token_id)


class PeopleController(Controller):
    path = "/api/v1/people"
    tags = ["people"]

    @get("/", guards=[requires(Role.ADMIN)])
    async def list_people(
        self, limit: Limit = 50, offset: Offset = 0, q: FromQuery[str | None] = None
    ) -> Page:
        items, total = await people.list_people(limit, offset, q)
        return Page(items=items, total=total, limit=limit, offset=offset)

    @get("/{person_id:int}", guards=[signed_in])
    async def get_person(self, principal: CurrentPrincipal, person_id: FromPath[int]) -> PersonOut:
        if not people.can_see_person(principal, person_id):
            raise forbidden("You may only see your own account.")
        return await people.person_out(person_id)

    @post(
        "/{person_id:int}/roles",
        status_code=HTTP_200_OK,
        guards=[requires(Role.ADMIN)],
        opt={"audit": "role.grant"},
    )
    async def grant_role(
        self, principal: CurrentPrincipal, person_id: FromPath[int], data: JSONBody[RoleChange]
    ) -> PersonOut:
        return await people.grant_role(person_id, people.parse_role(data.role), principal.person_id)

    @delete(
        "/{person_id:int}/roles/{role:str}",
        status_code=HTTP_200_OK,
        guards=[requires(Role.ADMIN)],
        opt={"audit": "role.revoke"},
    )
    async def revoke_role(
        self, principal: CurrentPrincipal, person_id: FromPath[int], role: FromPath[str]
    ) -> PersonOut:
        return await people.revoke_role(person_id, people.parse_role(role), principal.person_id)


class OrganizationController(Controller):
    path = "/api/v1/organizations"
    tags = ["organizations"]
    guards = [signed_in]

    @get("/")
    async def list_organizations(self, principal: CurrentPrincipal) -> list[OrganizationOut]:
        return await organizations.list_organizations(principal)

    @post(
        "/", status_code=HTTP_201_CREATED, guards=[requires(Role.ADMIN)], opt={"audit": "organization.create"}
    )
    async def create_organization(self, data: JSONBody[OrganizationCreate]) -> OrganizationOut:
        return await organizations.create_organization(data.name, data.leader_id)

    @get("/{organization_id:int}")
    async def get_organization(
        self, principal: CurrentPrincipal, organization_id: FromPath[int]
    ) -> OrganizationOut:
        if not await organizations.may_view(principal, organization_id):
            raise forbidden("Only the organization's people and admins may see it.")
        return await organizations.organization_out(organization_id)

    @post("/{organization_id:int}/invitations", status_code=HTTP_202_ACCEPTED)
    async def invite(
        self, principal: CurrentPrincipal, organization_id: FromPath[int], data: JSONBody[InvitationCreate]
    ) -> dict[str, str]:
        """The leader (or an admin) invites an address; the same answer whether or not it has an account."""
        await organizations.invite(principal, organization_id, data.email)
        return {"message": INVITATION_SENT}

    @post("/invitations/accept", status_code=HTTP_200_OK)
    async def accept_invitation(
        self, principal: CurrentPrincipal, data: JSONBody[InvitationAccept]
    ) -> OrganizationOut:
        """Join the organization an emailed invitation is for, as the signed-in caller."""
        return await organizations.accept_invitation(principal, data.token)

    @post(
        "/{organization_id:int}/members",
        status_code=HTTP_200_OK,
        guards=[requires(Role.ADMIN)],
        opt={"audit": "organization.member.add"},
    )
    async def add_member(self, organization_id: FromPath[int], data: JSONBody[MemberAdd]) -> OrganizationOut:
        """Admins add an account by id; leaders invite by email."""
        return await organizations.add_member(organization_id, data.person_id)

    @delete("/{organization_id:int}/members/{person_id:int}", status_code=HTTP_200_OK)
    async def remove_member(
        self, principal: CurrentPrincipal, organization_id: FromPath[int], person_id: FromPath[int]
    ) -> OrganizationOut:
        return await organizations.remove_member(principal, organization_id, person_id)


class ProgramController(Controller):
    """Programs are public by name; only admins create them and choose who runs them."""

    path = "/api/v1/programs"
    tags = ["programs"]

    @get("/")
    async def list_programs(self) -> list[ProgramOut]:
        return await programs.list_programs()

    @get("/{program_id:int}")
    async def get_program(self, program_id: FromPath[int]) -> ProgramOut:
        return await programs.program_out(program_id)

    @post("/", status_code=HTTP_201_CREATED, guards=[requires(Role.ADMIN)], opt={"audit": "program.create"})
    async def create_program(self, data: JSONBody[ProgramCreate]) -> ProgramOut:
        return await programs.create_program(data)

    @post(
        "/{program_id:int}/staff",
        status_code=HTTP_200_OK,
        guards=[requires(Role.ADMIN)],
        opt={"audit": "program.staff.add"},
    )
    async def add_staff(self, program_id: FromPath[int], data: JSONBody[StaffAdd]) -> ProgramOut:
        return await programs.assign_staff(program_id, data.person_id)

    @delete(
        "/{program_id:int}/staff/{person_id:int}",
        status_code=HTTP_200_OK,
        guards=[requires(Role.ADMIN)],
        opt={"audit": "program.staff.remove"},
    )
    async def remove_staff(self, program_id: FromPath[int], person_id: FromPath[int]) -> ProgramOut:
        return await programs.remove_staff(program_id, person_id)


class TwoFactorController(Controller):
    """The caller's own second factor: set it up, confirm it, turn it off, renew recovery codes."""

    path = "/api/v1/me/two-factor"
    tags = ["me"]
    guards = [signed_in]

    @get("/")
    async def status(self, principal: CurrentPrincipal) -> TwoFactorStatus:
        return TwoFactorStatus(
            enabled=await two_factor.is_enabled(principal.person_id),
            recovery_codes_left=await two_factor.recovery_codes_left(principal.person_id),
        )

    @post("/", status_code=HTTP_201_CREATED, cache_control=SHOWN_ONCE)
    async def start(self, principal: CurrentPrincipal) -> TwoFactorStarted:
        """A new authenticator to add to an app; it works once confirmed with a code from it."""
        started = await two_factor.start(principal.person_id)
        return TwoFactorStarted(secret=started.secret, uri=started.uri)

    @post("/confirm", status_code=HTTP_200_OK, cache_control=SHOWN_ONCE)
    async def confirm(self, principal: CurrentPrincipal, data: JSONBody[TwoFactorCode]) -> RecoveryCodes:
        return RecoveryCodes(recovery_codes=await two_factor.confirm(principal.person_id, data.code))

    @post("/disable", status_code=HTTP_204_NO_CONTENT)
    async def disable(self, principal: CurrentPrincipal, data: JSONBody[TwoFactorCode]) -> None:
        await two_factor.disable(principal.person_id, data.code)

    @post("/recovery-codes", status_code=HTTP_200_OK, cache_control=SHOWN_ONCE)
    async def renew(self, principal: CurrentPrincipal, data: JSONBody[TwoFactorCode]) -> RecoveryCodes:
        codes = await two_factor.renew_recovery_codes(principal.person_id, data.code)
        return RecoveryCodes(recovery_codes=codes)


CONTROLLERS = [
    AuthController,
    MeController,
    TwoFactorController,
    PeopleController,
    OrganizationController,
    ProgramController,
]
