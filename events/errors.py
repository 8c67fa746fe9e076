"""Errors of the events package, each with its stable code."""

from __future__ import annotations

from grandrounds.errors import Conflict, Forbidden, InvalidInput, NotFound


def event_not_found() -> NotFound:
    return NotFound("event.not_found", "No such event.")


def registration_not_found() -> NotFound:
    return NotFound("registration.not_found", "No such registration.")


def times_invalid() -> InvalidInput:
    return InvalidInput("event.times_invalid", "The event must end after it starts.", {"field": "ends_at"})


def time_zone_unknown() -> InvalidInput:
    return InvalidInput(
        "event.time_zone_unknown",
        "Unknown time zone; use an IANA name such as America/New_York.",
        {"field": "time_zone"},
    )


def kind_unknown() -> InvalidInput:
    return InvalidInput(
        "event.kind_unknown", "Kind must be conference, webinar, workshop or consultation.", {"field": "kind"}
    )


def not_open() -> Conflict:
    return Conflict(
        "event.not_open", "This event is not open for registration (unpublished, cancelled or over)."
    )


def members_only() -> Forbidden:
    return Forbidden("event.members_only", "This event is for members; join to register.")


def duplicate() -> Conflict:
    return Conflict("registration.duplicate", "You are already registered (or in line) for this event.")


def not_live() -> Conflict:
    return Conflict("registration.not_live", "This registration is already cancelled or closed.")


def no_open_offer() -> Conflict:
    return Conflict("offer.not_open", "There is no open offer on this registration (it may have expired).")


def not_yours() -> Forbidden:
    return Forbidden(
        "registration.forbidden", "Only the registrant or event staff may change this registration."
    )


def session_not_found() -> NotFound:
    return NotFound("session.not_found", "No such session.")


def not_your_program() -> Forbidden:
    return Forbidden(
        "event.not_your_program", "Only staff of this event's program (or an admin) may do that."
    )


def program_unknown() -> InvalidInput:
    return InvalidInput("event.program_unknown", "No such program.", {"field": "program_id"})
