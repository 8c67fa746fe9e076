"""Who is making a request, as the rest of the system sees it."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    ADMIN = "admin"
    PROGRAM_STAFF = "program_staff"
    FINANCE = "finance"
    SPEAKER = "speaker"
    MEMBER = "member"
    GUEST = "guest"


# Roles that reach other people's data or money: they may be required to sign in with a second factor.
STAFF_ROLES = frozenset({Role.ADMIN, Role.PROGRAM_STAFF, Role.FINANCE})


@dataclass(frozen=True, slots=True)
class Principal:
    """A signed-in person and how they proved it (session cookie or API token)."""

    person_id: int
    email: str
    name: str
    roles: frozenset[Role]
    via: str  # "session" or "token"
    credential_id: int
    # Whether the person has two-factor sign-in on (looked up only for staff roles).
    second_factor: bool = False

    def has_any(self, *roles: Role) -> bool:
        return Role.ADMIN in self.roles or any(r in self.roles for r in roles)

    @property
    def is_admin(self) -> bool:
        return Role.ADMIN in self.roles
