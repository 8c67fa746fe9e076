"""Errors of the records package, each with its stable code."""

from __future__ import annotations

from collections.abc import Sequence

from accounts.errors import person_not_found
from grandrounds.errors import Conflict, InvalidInput, NotFound

REASON_LIMIT = 500

__all__ = ["person_not_found"]


def scope_kind_unknown() -> InvalidInput:
    return InvalidInput(
        "legal_hold.scope_kind_unknown",
        "A legal hold covers a person, an event or a cohort (scope_kind person, event or cohort).",
        {"field": "scope_kind"},
    )


def scope_not_found(kind: str) -> NotFound:
    return NotFound(
        "legal_hold.scope_not_found", f"No such {kind} to hold: check the id.", {"field": "scope_id"}
    )


def reason_blank() -> InvalidInput:
    return InvalidInput(
        "legal_hold.reason_blank",
        "Say why the records are held (the claim, audit or inquiry), so whoever releases it knows.",
        {"field": "reason"},
    )


def reason_too_long() -> InvalidInput:
    return InvalidInput(
        "legal_hold.reason_too_long",
        f"The reason is limited to {REASON_LIMIT} characters.",
        {"field": "reason", "limit": REASON_LIMIT},
    )


def hold_not_found() -> NotFound:
    return NotFound("legal_hold.not_found", "No such legal hold.")


def already_released() -> Conflict:
    return Conflict("legal_hold.already_released", "This legal hold was released already.")


def person_held(hold_ids: list[int]) -> Conflict:
    return Conflict(
        "legal_hold.in_force",
        "A legal hold covers this person's records: they cannot be anonymized until it is released.",
        {"holds": hold_ids},
    )


# data rights


def erasure_already_pending() -> Conflict:
    return Conflict(
        "erasure.already_pending",
        "You have already asked to be erased; an admin will decide on that request.",
    )


def erasure_own_only() -> InvalidInput:
    return InvalidInput(
        "erasure.own_only",
        "You can only ask to erase your own account; the request names nobody else.",
        {"field": "person_id"},
    )


def erasure_text_too_long(field: str, limit: int) -> InvalidInput:
    return InvalidInput("erasure.text_too_long", f"Keep it under {limit} characters.", {"field": field})


def erasure_reason_required() -> InvalidInput:
    return InvalidInput(
        "erasure.reason_required", "Say why the request is declined; the person is told.", {"field": "reason"}
    )


def erasure_not_found() -> NotFound:
    return NotFound("erasure.not_found", "No such erasure request.")


def erasure_not_pending() -> Conflict:
    return Conflict("erasure.not_pending", "This request has already been decided.")


def erasure_held(reasons: Sequence[str], hold_ids: Sequence[int]) -> Conflict:
    named = "; ".join(reasons)
    return Conflict(
        "records.erasure_held",
        f"A legal hold covers this person, so they cannot be erased until it is released: {named}.",
        {"holds": [{"id": i, "reason": r} for i, r in zip(hold_ids, reasons, strict=True)]},
    )
