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


@dataclass(frozen=True, slots=True)
class Principal:
    """A signed-in person and how they proved it (session cookie or API token)."""

    person_id: int
    email: str
    name: str
    roles: frozenset[Role]
    via: str  # "session" or "token"
    credential_id: int

    def has_any(self, *roles: Role) -> bool:
        return Role.ADMIN in self.roles or any(r in self.roles for r in roles)

    @property
    def is_admin(self) -> bool:
        return Role.ADMIN in self.roles
