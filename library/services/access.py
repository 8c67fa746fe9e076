"""Who reads what in the library, and who runs it.

Members read everything published while their membership is active: the
principal's roles are worked out per request (accounts.services.standing), so
a membership that lapses today stops opening members-only items today.
Program staff and admins read everything too, drafts included, and they are
the ones who create, edit, publish and unpublish. Everyone else, signed in or
not, reads public and guest-sample items in full and members-only items as a
title and summary with an invitation to join.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from accounts.principal import Principal, Role
from library.services.rules import OPEN_AUDIENCES

# Where a non-member is invited to join; the membership pages live there.
JOIN_PATH = "/membership"


def manages_library(principal: Principal | None) -> bool:
    return principal is not None and principal.has_any(Role.PROGRAM_STAFF)


def reads_members_only(principal: Principal | None) -> bool:
    return principal is not None and principal.has_any(Role.MEMBER, Role.PROGRAM_STAFF)


def sees(principal: Principal | None, item: Mapping[str, Any]) -> bool:
    """Whether the item exists for this caller at all: drafts exist only for staff."""
    return item["status"] == "published" or manages_library(principal)


def reads_in_full(principal: Principal | None, item: Mapping[str, Any]) -> bool:
    """Whether the caller may read the body and follow the links, not just the title and summary."""
    return item["audience"] in OPEN_AUDIENCES or reads_members_only(principal)
