"""Errors of the accounts package, each with its stable code."""

from __future__ import annotations

from grandrounds.errors import Conflict, Forbidden, InvalidInput, NotFound, TooManyRequests, Unauthenticated


def email_taken() -> Conflict:
    return Conflict("account.email_taken", "An account with this email address already exists.")


def email_invalid(email: str) -> InvalidInput:
    return InvalidInput(
        "account.email_invalid",
        "That does not look like an email address (expected name@example.org).",
        {"field": "email"},
    )


def password_weak(reason: str) -> InvalidInput:
    return InvalidInput(
        "account.password_weak", f"Choose a stronger password: {reason}.", {"field": "password"}
    )


def time_zone_unknown(zone: str) -> InvalidInput:
    return InvalidInput(
        "account.time_zone_unknown",
        "Unknown time zone; use an IANA name such as America/New_York.",
        {"field": "time_zone"},
    )


def degree_unknown(degree: str) -> InvalidInput:
    return InvalidInput("account.degree_unknown", "Unknown degree.", {"field": "degree"})


def name_blank() -> InvalidInput:
    return InvalidInput("account.name_blank", "Please give your name.", {"field": "name"})


def role_unknown(role: str) -> InvalidInput:
    return InvalidInput("account.role_unknown", f"Unknown role {role!r}.", {"field": "role"})


def invalid_credentials() -> Unauthenticated:
    return Unauthenticated("auth.invalid_credentials", "The email or password is not right.")


def _throttled(message: str, retry_after: int) -> TooManyRequests:
    return TooManyRequests("auth.throttled", message, {"retry_after": retry_after}, retry_after=retry_after)


def _wait(seconds: int) -> str:
    if seconds < 120:
        return f"{seconds} seconds"
    minutes = -(-seconds // 60)
    return f"{minutes} minutes"


def sign_in_throttled(retry_after: int) -> TooManyRequests:
    return _throttled(
        f"Too many failed sign-ins from here; wait {_wait(retry_after)} and try again.", retry_after
    )


def sign_up_throttled(retry_after: int) -> TooManyRequests:
    return _throttled(
        f"Too many new accounts from this address; try again in {_wait(retry_after)}.", retry_after
    )


def reset_throttled(retry_after: int) -> TooManyRequests:
    return _throttled(
        f"Too many password links asked for from this address; try again in {_wait(retry_after)}.",
        retry_after,
    )


def person_not_found() -> NotFound:
    return NotFound("account.not_found", "No such person.")


def organization_not_found() -> NotFound:
    return NotFound("organization.not_found", "No such organization.")


def organization_name_taken() -> Conflict:
    return Conflict("organization.name_taken", "An organization with this name already exists.")


def token_not_found() -> NotFound:
    return NotFound("token.not_found", "No such API token.")


def invitation_invalid() -> NotFound:
    return NotFound(
        "organization.invitation_invalid",
        "This invitation link is unknown, already used or expired."
        " Ask the organization's leader for a new one.",
        {"field": "token"},
    )


def too_many_invitations(limit: int) -> TooManyRequests:
    return TooManyRequests(
        "organization.too_many_invitations",
        f"An organization may send at most {limit} invitations a day; try again tomorrow.",
        retry_after=3600,
    )


def not_leader() -> Forbidden:
    return Forbidden("organization.not_leader", "Only the organization's leader or an admin may do this.")


def program_not_found() -> NotFound:
    return NotFound("program.not_found", "No such program.")


def program_slug_invalid() -> InvalidInput:
    return InvalidInput(
        "program.slug_invalid",
        "A program's short name uses lower-case letters, digits and hyphens (e.g. residency-2027).",
        {"field": "slug"},
    )


def program_slug_taken() -> Conflict:
    return Conflict("program.slug_taken", "A program with this short name already exists.")


def not_program_staff() -> InvalidInput:
    return InvalidInput(
        "program.not_staff", "Only people with the program-staff role can be assigned to a program."
    )


def reset_link_invalid() -> InvalidInput:
    return InvalidInput(
        "password_reset.link_invalid",
        "This password link is unknown, already used or expired. Ask for a new one.",
        {"field": "token"},
    )


def verification_link_invalid() -> InvalidInput:
    return InvalidInput(
        "account.verification_link_invalid",
        "This confirmation link is not valid any more. Send yourself a new one from your account page.",
        {"field": "token"},
    )


def two_factor_required() -> Unauthenticated:
    return Unauthenticated(
        "auth.two_factor_required",
        "This account uses two-factor sign-in: send the 6-digit code from the authenticator app as code.",
        {"field": "code"},
    )


def two_factor_invalid() -> Unauthenticated:
    return Unauthenticated(
        "auth.two_factor_invalid",
        "That code is not right (or was already used). Enter the current code, or a recovery code.",
        {"field": "code"},
    )


def two_factor_setup_required() -> Forbidden:
    return Forbidden(
        "auth.two_factor_setup_required",
        "Staff roles need two-factor sign-in: set it up on your account page (/account/two-factor) first.",
    )


def two_factor_not_started() -> Conflict:
    return Conflict(
        "auth.two_factor_not_started",
        "Start the two-factor set-up first: there is no authenticator to confirm.",
    )


def two_factor_already_on() -> Conflict:
    return Conflict(
        "auth.two_factor_already_on", "Two-factor sign-in is already on; turn it off first to replace it."
    )


def two_factor_off() -> Conflict:
    return Conflict("auth.two_factor_off", "Two-factor sign-in is not on for this account.")


def sign_in_challenge_expired() -> Unauthenticated:
    return Unauthenticated(
        "auth.challenge_expired", "This sign-in took too long or had too many wrong codes; sign in again."
    )


# The audit trail's filters (accounts.audit.queries): a filter that cannot match is refused, not empty.


def audit_action_unknown(action: str) -> InvalidInput:
    return InvalidInput(
        "audit.action_unknown",
        f"Unknown action {action!r}: choose one of the listed action codes (e.g. role.grant).",
        {"field": "action"},
    )


def audit_range_reversed() -> InvalidInput:
    return InvalidInput(
        "audit.range_reversed", "The start of the period is after its end.", {"field": "from"}
    )


def audit_date_invalid(field: str) -> InvalidInput:
    return InvalidInput(
        "audit.date_invalid", "Write the day as YYYY-MM-DD, e.g. 2027-03-14.", {"field": field}
    )


def audit_actor_unknown() -> InvalidInput:
    return InvalidInput(
        "audit.actor_unknown", "No account has this email; give an account's id or email.", {"field": "actor"}
    )


def audit_filter_invalid(field: str, message: str) -> InvalidInput:
    return InvalidInput("audit.filter_invalid", message, {"field": field})
