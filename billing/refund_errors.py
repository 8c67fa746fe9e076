"""Why a refund is refused, each with its stable code (``refund.*``)."""

from __future__ import annotations

from events.services.pricing import format_money
from grandrounds.errors import Conflict, InvalidInput, NotFound


def registration_not_found() -> NotFound:
    return NotFound("registration.not_found", "No such registration.")


def no_payment() -> Conflict:
    return Conflict("refund.no_payment", "Nothing was paid through Stripe for this registration.")


def nothing_left(currency: str) -> Conflict:
    return Conflict(
        "refund.nothing_left",
        "This payment has already been refunded in full.",
        {"remaining": 0, "currency": currency},
    )


def exceeds_remaining(asked: int, remaining: int, currency: str) -> Conflict:
    return Conflict(
        "refund.exceeds_remaining",
        f"At most {format_money(remaining, currency)} of this payment can still be refunded; "
        f"{format_money(asked, currency)} was asked.",
        {"amount": asked, "remaining": remaining, "currency": currency},
    )


def amount_invalid() -> InvalidInput:
    return InvalidInput(
        "refund.amount_invalid",
        "The amount to refund must be more than zero, in the payment's currency.",
        {"field": "amount"},
    )


def reason_missing() -> InvalidInput:
    return InvalidInput(
        "refund.reason_missing",
        "Say why the money goes back (it is kept with the refund).",
        {"field": "reason"},
    )


def stale(seen: int, now_refunded: int, currency: str) -> Conflict:
    return Conflict(
        "refund.stale",
        f"The payment changed since you looked: {format_money(now_refunded, currency)} has been refunded "
        f"by now, not {format_money(seen, currency)}. Look again before refunding.",
        {"expected_refunded": seen, "refunded": now_refunded, "currency": currency},
    )


def certificate_issued(code: str) -> Conflict:
    return Conflict(
        "refund.certificate_issued",
        "A completion certificate has been issued for this enrollment, so the fee is no longer refundable.",
        {"certificate": code},
    )


def disputed() -> Conflict:
    return Conflict(
        "refund.disputed",
        "The cardholder has disputed this payment; "
        "Stripe settles the money through the dispute, not a refund.",
    )


def refused_by_stripe(message: str) -> Conflict:
    return Conflict("refund.refused", f"Stripe refused the refund: {message}")
