"""Errors of the library package, each with its stable code."""

from __future__ import annotations

from grandrounds.errors import Conflict, Forbidden, InvalidInput, NotFound, forbidden


def item_not_found() -> NotFound:
    return NotFound("library.not_found", "No such library item.")


def kind_unknown() -> InvalidInput:
    return InvalidInput(
        "library.kind_unknown",
        "Kind must be white_paper, guide, policy_template, recorded_webinar or video.",
        {"field": "kind"},
    )


def audience_unknown() -> InvalidInput:
    return InvalidInput(
        "library.audience_unknown",
        "Audience must be public, guest_sample or members_only.",
        {"field": "audience"},
    )


def status_unknown() -> InvalidInput:
    return InvalidInput("library.status_unknown", "Status must be draft or published.", {"field": "status"})


def required(field: str, what: str) -> InvalidInput:
    return InvalidInput("library.field_required", f"Give the item {what}.", {"field": field})


def too_long(field: str, limit: int) -> InvalidInput:
    return InvalidInput(
        "library.text_too_long", f"{field.replace('_', ' ').capitalize()} is limited to {limit} characters.",
        {"field": field, "limit": limit},
    )  # fmt: skip


def markup_not_allowed(field: str) -> InvalidInput:
    return InvalidInput(
        "library.markup_not_allowed",
        f"{field.replace('_', ' ').capitalize()} is plain text: HTML tags and scripts are not allowed.",
        {"field": field},
    )


def url_invalid(field: str) -> InvalidInput:
    return InvalidInput(
        "library.url_invalid",
        "Give a full web address starting with https:// or http:// (no spaces, no passwords).",
        {"field": field},
    )


_CONTENT_MISSING = {
    "recorded_webinar": ("A recorded webinar needs the address of its recording.", "recording_url"),
    "video": ("A video needs its address.", "link_url"),
}


def content_missing(kind: str) -> InvalidInput:
    message, field = _CONTENT_MISSING.get(
        kind, ("Give the item a body text, a link to the document, or both.", "body")
    )
    return InvalidInput("library.content_missing", message, {"field": field})


def not_for_kind(field: str, kind: str) -> InvalidInput:
    return InvalidInput(
        "library.field_not_for_kind",
        f"{field.replace('_', ' ').capitalize()} applies only to recorded webinars, "
        f"not to a {kind.replace('_', ' ')}.",
        {"field": field},
    )


def tag_invalid(tag: str) -> InvalidInput:
    return InvalidInput(
        "library.tag_invalid",
        "Tags are 1 to 40 letters, digits, spaces or hyphens each, at most 12 per item.",
        {"field": "tags", "tag": tag[:60]},
    )


def event_not_found() -> InvalidInput:
    return InvalidInput(
        "library.event_not_found", "No such event to link the recording to.", {"field": "event_id"}
    )


def author_not_found() -> InvalidInput:
    return InvalidInput(
        "library.author_not_found", "No such person to name as author.", {"field": "author_id"}
    )


def not_staff() -> Forbidden:
    return forbidden("Only program staff and admins manage the library.", {"roles": ["program_staff"]})


# Cohort prerequisites


def cohort_not_found() -> NotFound:
    return NotFound("library.cohort_not_found", "No such cohort.")


def not_your_program() -> Forbidden:
    return Forbidden(
        "library.not_your_program",
        "Only staff of this cohort's program (or an admin) may change its prerequisites.",
    )


def item_not_published() -> Conflict:
    return Conflict(
        "library.not_published", "Only a published library item can be a prerequisite; publish it first.",
        {"field": "item_id"},
    )  # fmt: skip


def prerequisite_duplicate() -> Conflict:
    return Conflict("library.prerequisite_duplicate", "This item is already a prerequisite of the cohort.")


def prerequisite_not_found() -> NotFound:
    return NotFound("library.prerequisite_not_found", "This item is not a prerequisite of the cohort.")


def form_invalid(field: str, message: str) -> InvalidInput:
    """A staff form's field the pages refuse before any rule is asked."""
    return InvalidInput("library.form_invalid", message, {"field": field})


def query_too_long(field: str, limit: int) -> InvalidInput:
    return InvalidInput(
        "library.query_too_long", f"Search text is limited to {limit} characters.", {"field": field}
    )
