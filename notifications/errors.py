"""Errors of the notifications package, each with its stable code."""

from __future__ import annotations

from grandrounds.errors import Conflict, InvalidInput, NotFound


def message_not_found() -> NotFound:
    return NotFound("message.not_found", "No such message.")


def not_failed() -> Conflict:
    return Conflict("message.not_failed", "Only a message that failed can be retried.")


def status_unknown() -> InvalidInput:
    return InvalidInput(
        "message.status_unknown", "Status must be pending, sent or failed.", {"field": "status"}
    )


def template_not_found() -> NotFound:
    return NotFound("template.not_found", "No such email template.")


def link_gone() -> Conflict:
    return Conflict(
        "message.link_gone",
        "This message held a one-time link that was blanked when it failed for good; "
        "ask the person to request a new one instead of retrying.",
    )


def feed_not_found() -> NotFound:
    return NotFound("feed.not_found", "No such calendar feed (it may have been reset).")
