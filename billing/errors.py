"""Errors of the billing package, each with its stable code."""

from __future__ import annotations

from grandrounds.errors import Conflict, DomainError, InvalidInput, NotFound


class PaymentProviderUnavailable(DomainError):
    """Stripe did not answer or refused a call we expected to succeed; the person may try again."""

    status_code = 502


def not_configured() -> Conflict:
    return Conflict(
        "billing.not_configured",
        "Online payment is not set up on this site yet, so paid places cannot be bought. "
        "Please contact the organisers.",
    )


def registration_not_found() -> NotFound:
    return NotFound("registration.not_found", "No such registration.")


def nothing_to_pay() -> Conflict:
    return Conflict(
        "checkout.nothing_to_pay",
        "This registration is not waiting for payment (it is free, paid or closed).",
    )


def hold_lapsed() -> Conflict:
    return Conflict(
        "checkout.hold_lapsed",
        "The time to pay for this place has run out and the seat was released; "
        "register again if places are left.",
    )


def signature_invalid() -> InvalidInput:
    return InvalidInput(
        "webhook.signature_invalid", "The Stripe-Signature header does not match this payload."
    )


def payload_invalid() -> InvalidInput:
    return InvalidInput("webhook.payload_invalid", "The webhook body is not a Stripe event.")


def stripe_unavailable(detail: str) -> PaymentProviderUnavailable:
    return PaymentProviderUnavailable(
        "billing.stripe_unavailable",
        "The payment provider could not be reached; please try again in a moment.",
        {"stripe": detail},
    )


def period_invalid(field: str, message: str) -> InvalidInput:
    return InvalidInput("finance.period_invalid", message, {"field": field})


def run_not_found() -> NotFound:
    return NotFound("reconciliation.not_found", "No such reconciliation run.")


def alert_not_found() -> NotFound:
    return NotFound("alert.not_found", "No such billing alert.")


def alert_already_resolved() -> Conflict:
    return Conflict("alert.already_resolved", "This alert was already resolved.")
