"""Errors of the directory package, each with its stable code.

Every refusal of a submission names the field it concerns in ``details`` so a
form can point at it; none of them stores anything.
"""

from __future__ import annotations

from grandrounds.errors import Conflict, InvalidInput, NotFound, TooManyRequests


def field_required(field: str, label: str) -> InvalidInput:
    return InvalidInput("directory.field_required", f"{label} is required.", {"field": field})


def text_too_long(field: str, label: str, limit: int) -> InvalidInput:
    return InvalidInput(
        "directory.text_too_long",
        f"{label} is limited to {limit} characters.",
        {"field": field, "limit": limit},
    )


def markup_not_allowed(field: str, label: str) -> InvalidInput:
    return InvalidInput(
        "directory.markup_not_allowed",
        f"{label} must be plain text: no HTML tags, scripts or control characters.",
        {"field": field},
    )


def kind_unknown(allowed: list[str]) -> InvalidInput:
    return InvalidInput(
        "directory.kind_unknown",
        f"Type must be one of: {', '.join(allowed)}.",
        {"field": "kind", "allowed": allowed},
    )


def country_unknown() -> InvalidInput:
    return InvalidInput(
        "directory.country_unknown",
        "Country must be a two-letter ISO 3166 code such as US, GB or IN.",
        {"field": "country"},
    )


def platform_unknown(platform: str, allowed: list[str]) -> InvalidInput:
    return InvalidInput(
        "directory.platform_unknown",
        f"Unknown platform {platform[:40]!r}; use one of: {', '.join(allowed)}.",
        {"field": "accounts", "allowed": allowed},
    )


def url_invalid(field: str, label: str) -> InvalidInput:
    return InvalidInput(
        "directory.url_invalid",
        f"{label}: give the full address, starting with https://.",
        {"field": field},
    )


def url_not_https(field: str, label: str) -> InvalidInput:
    return InvalidInput(
        "directory.url_not_https", f"{label}: the address must start with https://.", {"field": field}
    )


def url_not_platform(field: str, label: str, example: str) -> InvalidInput:
    return InvalidInput(
        "directory.url_not_platform",
        f"{label}: that is not the address of an account on this platform (expected e.g. {example}).",
        {"field": field, "example": example},
    )


def website_invalid(reason: str) -> InvalidInput:
    return InvalidInput("directory.website_invalid", f"Website: {reason}", {"field": "website"})


def accounts_required() -> InvalidInput:
    return InvalidInput(
        "directory.accounts_required",
        "Give at least one official social media account.",
        {"field": "accounts"},
    )


def email_invalid() -> InvalidInput:
    return InvalidInput(
        "directory.email_invalid",
        "Give an email address we can reach you at (name@example.org); it is never shown publicly.",
        {"field": "contact_email"},
    )


def no_change() -> InvalidInput:
    return InvalidInput(
        "directory.no_change", "This correction changes nothing in the listing.", {"field": "name"}
    )


def reason_required() -> InvalidInput:
    return InvalidInput(
        "directory.reason_required", "Say why, for the person who sent it.", {"field": "reason"}
    )


def filter_invalid(field: str, message: str) -> InvalidInput:
    return InvalidInput("directory.filter_invalid", message, {"field": field})


def duplicate_listing(listing_id: int | None = None) -> Conflict:
    """``listing_id`` is unknown when the database's unique index caught the race, not our check."""
    details: dict[str, object] = {"field": "website"}
    if listing_id is not None:
        details["listing_id"] = listing_id
    return Conflict(
        "directory.duplicate_listing",
        "This organization or one of its accounts is already listed; suggest a correction to it instead.",
        details,
    )


def duplicate_account(platform: str, listing_id: int) -> Conflict:
    return Conflict(
        "directory.duplicate_account",
        "This account already belongs to a listed organization.",
        {"field": f"accounts.{platform}", "listing_id": listing_id},
    )


def already_decided() -> Conflict:
    return Conflict("directory.already_decided", "This has already been decided.")


def already_claimed() -> Conflict:
    return Conflict("directory.already_claimed", "This listing already has a verified contact.")


def already_contact() -> Conflict:
    return Conflict("directory.already_contact", "You are already this listing's verified contact.")


def claim_pending() -> Conflict:
    return Conflict("directory.claim_pending", "Your claim on this listing is already waiting for staff.")


def too_many_submissions() -> TooManyRequests:
    return TooManyRequests(
        "directory.too_many_submissions",
        "Too many submissions from you in the last hour; please try again later.",
    )


def listing_not_found() -> NotFound:
    return NotFound("directory.listing_not_found", "No such listing.")


def submission_not_found() -> NotFound:
    return NotFound("directory.submission_not_found", "No such submission.")


def claim_not_found() -> NotFound:
    return NotFound("directory.claim_not_found", "No such claim.")
