"""Errors of the billing package (payments, memberships, refunds, finance), each with its stable code.

One module so that a code is defined once; ``registration.not_found`` is events' own.
"""

from __future__ import annotations

from events.errors import payments_not_configured
from events.errors import registration_not_found as registration_not_found
from grandrounds.errors import Conflict, DomainError, Forbidden, InvalidInput, NotFound
from grandrounds.money import format_money


class PaymentProviderUnavailable(DomainError):
    """Stripe did not answer or refused a call we expected to succeed; the person may try again."""

    status_code = 502


def not_configured() -> Conflict:
    return payments_not_configured(
        "Online payment is not set up on this site yet, so paid places cannot be bought. "
        "Please contact the organisers."
    )


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


# Memberships, seats and points
def membership_not_found() -> NotFound:
    return NotFound("membership.not_found", "No such membership.")


def organization_not_found() -> NotFound:
    return NotFound("membership.organization_not_found", "No such organization.")


def tier_unknown(tier: str) -> InvalidInput:
    return InvalidInput(
        "membership.tier_unknown",
        "Choose a membership tier: guest, individual or organization.",
        {"tier": tier[:40]},
    )


def band_unknown(band: str) -> InvalidInput:
    return InvalidInput(
        "membership.band_unknown",
        "Choose your organization's revenue band (A, B, C or D).",
        {"band": band[:10]},
    )


def collection_unknown(collection: str) -> InvalidInput:
    return InvalidInput(
        "membership.collection_unknown",
        "Choose how to pay: by card now (automatic) or by invoice (pay later).",
        {"collection": collection[:20]},
    )


def already_member(tier: str) -> Conflict:
    return Conflict(
        "membership.already_active",
        f"You already hold an active {tier} membership; it renews on its anniversary.",
        {"tier": tier},
    )


def not_leader() -> Forbidden:
    return Forbidden(
        "membership.not_leader", "Only the organization's leader manages its membership, seats and points."
    )


def not_visible() -> NotFound:
    return membership_not_found()


def not_active() -> Conflict:
    return Conflict(
        "membership.not_active",
        "This membership is not active (not yet paid, or lapsed), so seats and points cannot be used.",
    )


def not_colleague() -> InvalidInput:
    return InvalidInput(
        "membership.not_colleague",
        "A seat goes only to a colleague listed in the organization; add them to the organization first.",
    )


def seats_full(limit: int) -> Conflict:
    return Conflict(
        "membership.seats_full",
        f"All {limit} seats of this membership are taken; release one first.",
        {"seat_limit": limit},
    )


def seat_not_found() -> NotFound:
    return NotFound("membership.seat_not_found", "This colleague holds no seat of this membership.")


def points_invalid() -> InvalidInput:
    return InvalidInput("points.invalid", "Give a whole number of points greater than zero.")


def points_insufficient(available: int) -> Conflict:
    return Conflict(
        "points.insufficient",
        f"Not enough points: {available} available.",
        {"available": available},
    )


def points_need_seat() -> InvalidInput:
    return InvalidInput("points.no_seat", "Points go only to colleagues holding a seat of this membership.")


def points_not_applicable(reason: str) -> Conflict:
    return Conflict("points.not_applicable", reason)


def points_checkout_open() -> Conflict:
    return Conflict(
        "points.checkout_open",
        "A payment page is already open for this place at the full price; pay there, or wait for it "
        "to expire before using points.",
    )


# Refunds
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


def alert_resolution_too_long(most: int) -> InvalidInput:
    return InvalidInput(
        "alert.resolution_too_long", f"Keep the note under {most} characters.", {"field": "resolution"}
    )
