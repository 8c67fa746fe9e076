"""Each state machine that crosses modules has one spelling and one writer.

The columns take their choices from the enums, so the enums and the tables
cannot drift apart; and only events.services.registration.lifecycle writes a
registration's status or its history, so every move passes its hooks
(withdrawal hooks, calendar copies, the line moving up).
"""

from __future__ import annotations

import ast
from enum import StrEnum
from pathlib import Path

import pytest
from piccolo.columns import Column

from billing.memberships.status import MembershipStatus
from billing.tables import Membership
from directory.review_status import ReviewStatus
from directory.tables import Claim, Submission
from events.registration_status import ENDED, HELD_PLACE, LIVE, PAYABLE, RegistrationStatus
from events.tables import Registration
from notifications.message_status import MessageStatus
from notifications.tables import OutboxMessage
from programs.enrollment_status import EnrollmentStatus
from programs.tables import Enrollment

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = (
    "grandrounds",
    "accounts",
    "events",
    "programs",
    "billing",
    "notifications",
    "library",
    "directory",
)
OWNER = ROOT / "events" / "services" / "registration" / "lifecycle.py"


@pytest.mark.parametrize(
    ("column", "enum"),
    [
        (Registration.status, RegistrationStatus),
        (Enrollment.status, EnrollmentStatus),
        (Membership.status, MembershipStatus),
        (OutboxMessage.status, MessageStatus),
        (Submission.status, ReviewStatus),
        (Claim.status, ReviewStatus),
    ],
)
def test_status_columns_take_their_choices_from_the_enum(column: Column, enum: type[StrEnum]) -> None:
    assert column._meta.choices is enum
    default = column._meta.params.get("default")
    assert default in {*enum, ""}, "a column's default is one of its states (or none: empty)"


def test_registration_sets_are_made_of_statuses_and_do_not_overlap_where_they_must_not() -> None:
    assert LIVE.isdisjoint(ENDED)
    assert HELD_PLACE <= set(RegistrationStatus)
    assert RegistrationStatus.CONFIRMED not in PAYABLE  # confirming twice is a no-op, not a payment


def _writes_registration_status(tree: ast.AST) -> list[int]:
    """Lines that set Registration.status (an update's dict key, or status= on a new row) or add
    a RegistrationChange."""
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Dict):
            for key in node.keys:
                if (
                    isinstance(key, ast.Attribute)
                    and key.attr == "status"
                    and isinstance(key.value, ast.Name)
                    and key.value.id == "Registration"
                ):
                    lines.append(key.lineno)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            if node.func.id == "RegistrationChange":
                lines.append(node.lineno)
            if node.func.id == "Registration" and any(k.arg == "status" for k in node.keywords):
                lines.append(node.lineno)
    return lines


def test_only_the_lifecycle_writes_a_registrations_status() -> None:
    writers = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            if "piccolo_migrations" in path.parts or path == OWNER:
                continue
            lines = _writes_registration_status(ast.parse(path.read_text(), str(path)))
            if lines:
                writers[str(path.relative_to(ROOT))] = lines
    assert writers == {}
    assert _writes_registration_status(ast.parse(OWNER.read_text())), "the owner itself is found"
