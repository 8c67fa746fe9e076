"""Errors of the records package, each with its stable code."""

from __future__ import annotations

from collections.abc import Sequence

from grandrounds.errors import Conflict, InvalidInput, NotFound

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
