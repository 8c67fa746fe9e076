"""The states a registration can be in, and the groups of them the rules speak of.

The one spelling of every registration status: the table's column takes its
choices from here, and events, billing and the pages compare against these
names instead of strings. Only events.services.registration.lifecycle moves a
registration from one to another.

    waitlisted -> offered -> confirmed (pending_payment first when the place costs money)
                          -> declined | expired
    pending_payment -> confirmed | expired (its checkout hold lapsed)
    any live status -> cancelled; confirmed or cancelled -> refunded (paid back in full)
"""

from __future__ import annotations

from enum import StrEnum


class RegistrationStatus(StrEnum):
    PENDING_PAYMENT = "pending_payment"
    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted"
    OFFERED = "offered"
    CANCELLED = "cancelled"
    REFUNDED = "refunded"
    DECLINED = "declined"
    EXPIRED = "expired"


# A place or a place in line: what the partial unique indexes allow once per person and place.
LIVE = frozenset(
    {
        RegistrationStatus.PENDING_PAYMENT,
        RegistrationStatus.CONFIRMED,
        RegistrationStatus.WAITLISTED,
        RegistrationStatus.OFFERED,
    }
)

# A place that ended after being live: the withdrawal hooks hear of these (points come back).
ENDED = frozenset({RegistrationStatus.CANCELLED, RegistrationStatus.REFUNDED, RegistrationStatus.EXPIRED})

# A place that was held and paid for at some point, so a full refund ends it as refunded.
HELD_PLACE = frozenset({RegistrationStatus.CONFIRMED, RegistrationStatus.CANCELLED})

# What a late payment may still confirm: an open checkout hold, or one that lapsed meanwhile.
PAYABLE = frozenset({RegistrationStatus.PENDING_PAYMENT, RegistrationStatus.EXPIRED})
