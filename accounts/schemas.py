"""Request and response shapes of the accounts API (msgspec validates them on the way in)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

import msgspec

Email = Annotated[str, msgspec.Meta(min_length=3, max_length=254)]
Password = Annotated[str, msgspec.Meta(min_length=1, max_length=128)]
Name = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
Degree = Annotated[str, msgspec.Meta(max_length=20)]
TimeZone = Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
TokenName = Annotated[str, msgspec.Meta(min_length=1, max_length=100)]
OrgName = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
# A 6-digit authenticator code or a recovery code ("1a2b3c4d-5e6f7a8b"); spaces and dashes are ignored.
Code = Annotated[str, msgspec.Meta(min_length=1, max_length=64)]


class SignUp(msgspec.Struct, forbid_unknown_fields=True):
    email: Email
    password: Password
    name: Name
    degree: Degree = ""
    time_zone: TimeZone = "UTC"


class SignIn(msgspec.Struct, forbid_unknown_fields=True):
    email: Email
    password: Password
    # Required when the account has two-factor sign-in on (else 401 auth.two_factor_required).
    code: Code | None = None


class TwoFactorCode(msgspec.Struct, forbid_unknown_fields=True):
    code: Code


class TwoFactorStarted(msgspec.Struct):
    """The new authenticator's secret: type it into the app, or open ``uri`` (what the QR code holds)."""

    secret: str
    uri: str


class TwoFactorStatus(msgspec.Struct):
    enabled: bool
    recovery_codes_left: int


class RecoveryCodes(msgspec.Struct):
    """Shown once: each works one time, instead of a code from the app."""

    recovery_codes: list[str]


class PasswordResetRequest(msgspec.Struct, forbid_unknown_fields=True):
    email: Email


class PasswordResetConfirm(msgspec.Struct, forbid_unknown_fields=True):
    token: Annotated[str, msgspec.Meta(min_length=1, max_length=100)]
    password: Password


class EmailVerification(msgspec.Struct, forbid_unknown_fields=True):
    token: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]


class PersonOut(msgspec.Struct):
    id: int
    email: str
    name: str
    degree: str
    time_zone: str
    roles: list[str]
    created_at: datetime
    email_verified: bool = False


class PersonUpdate(msgspec.Struct, forbid_unknown_fields=True):
    """PATCH body: fields left out stay as they are."""

    name: Name | msgspec.UnsetType = msgspec.UNSET
    degree: Degree | msgspec.UnsetType = msgspec.UNSET
    time_zone: TimeZone | msgspec.UnsetType = msgspec.UNSET


class RoleChange(msgspec.Struct, forbid_unknown_fields=True):
    role: Annotated[str, msgspec.Meta(max_length=32)]


class TokenCreate(msgspec.Struct, forbid_unknown_fields=True):
    name: TokenName


class TokenOut(msgspec.Struct):
    id: int
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class TokenCreated(msgspec.Struct):
    """The only response that ever carries the token's secret."""

    id: int
    name: str
    prefix: str
    token: str


class OrganizationCreate(msgspec.Struct, forbid_unknown_fields=True):
    name: OrgName
    leader_id: int | None = None


class OrganizationOut(msgspec.Struct):
    id: int
    name: str
    leader_id: int | None
    member_ids: list[int]


class MemberAdd(msgspec.Struct, forbid_unknown_fields=True):
    """An admin adds an account by id; leaders invite by email instead."""

    person_id: int


class InvitationCreate(msgspec.Struct, forbid_unknown_fields=True):
    email: Email


class InvitationAccept(msgspec.Struct, forbid_unknown_fields=True):
    token: Annotated[str, msgspec.Meta(min_length=1, max_length=100)]


ProgramKind = Literal["residency", "fellows", "webinar_series", "conference", "workshop"]


class ProgramCreate(msgspec.Struct, forbid_unknown_fields=True):
    slug: Annotated[str, msgspec.Meta(min_length=1, max_length=60)]
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
    kind: ProgramKind
    description: Annotated[str, msgspec.Meta(max_length=5000)] = ""
    # The program's own address: calendar invites name it as ORGANIZER.
    contact_email: Annotated[str, msgspec.Meta(max_length=254, pattern=r"^$|^[^@\s]+@[^@\s]+$")] = ""


class ProgramOut(msgspec.Struct):
    id: int
    slug: str
    name: str
    kind: str
    description: str
    staff_ids: list[int]
    contact_email: str = ""


class StaffAdd(msgspec.Struct, forbid_unknown_fields=True):
    person_id: int


class Page(msgspec.Struct):
    """A page of a list: items plus what a client needs to fetch the next."""

    items: list[PersonOut]
    total: int
    limit: int
    offset: int
