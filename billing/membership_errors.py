"""Errors of memberships, seats and points, each with its stable code."""

from __future__ import annotations

from grandrounds.errors import Conflict, Forbidden, InvalidInput, NotFound


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
    return NotFound("membership.not_found", "No such membership.")


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
