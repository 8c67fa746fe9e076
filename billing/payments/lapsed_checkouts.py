"""Closing Stripe's page when our hold on the seat ends first.

Stripe will not make a Checkout Session shorter than 30 minutes, so a session
can outlive the seat it was opened for: the hold lapses (events' expire_holds
chore releases the seat), the place is cancelled, or it was confirmed through
a newer attempt. While such a session stays open the person could still pay
for a seat that is no longer theirs. This chore of the background dispatcher
asks Stripe to expire every open session whose registration no longer holds
a seat for it.

Stripe stays the source of truth: after the call (successful or refused,
because the person paid a moment earlier or Stripe expired it itself) the
session is settled from what Stripe says now, so a payment that got in first
follows settlement's rules (confirmed while a seat is free, otherwise
refunded and the person told) and an expired one is marked expired. The
Stripe calls happen outside any transaction; nothing here holds a lock.
"""

from __future__ import annotations

import logging

import stripe

from billing.payments.settlement import settle_session
from billing.stripe_client import StripeAccount
from billing.tables import Checkout
from events.registration_status import RegistrationStatus
from grandrounds.db import now
from grandrounds.errors import DomainError

log = logging.getLogger("grandrounds.billing")


async def _lapsed_session_ids() -> list[str]:
    """Open sessions whose registration is no longer a live hold (moved on, or its time ran out)."""
    no_longer_held = (Checkout.registration.status != RegistrationStatus.PENDING_PAYMENT) | (
        Checkout.registration.hold_expires_at <= now()
    )
    rows = await (
        Checkout.select(Checkout.stripe_session_id)
        .where((Checkout.status == "open") & Checkout.stripe_session_id.is_not_null() & no_longer_held)
        .order_by(Checkout.id)
    )
    return [row["stripe_session_id"] for row in rows]


async def expire_lapsed_checkouts(account: StripeAccount) -> int:
    """Expire Stripe's open sessions for seats we no longer hold; how many were settled as expired."""
    expired = 0
    for session_id in await _lapsed_session_ids():
        try:
            await account.client.v1.checkout.sessions.expire_async(session_id)
        except stripe.InvalidRequestError as exc:
            # Not open any more: paid or expired in the meantime. Settling below reads which.
            log.info("checkout %s could not be expired (%s); settling from Stripe", session_id, exc)
        except stripe.StripeError as exc:
            log.warning("checkout %s: Stripe unreachable (%s); trying again next pass", session_id, exc)
            continue
        try:
            outcome = await settle_session(account, session_id)
        except DomainError as exc:
            log.warning("checkout %s could not be settled (%s); trying again next pass", session_id, exc.code)
            continue
        log.info("checkout %s whose hold lapsed: %s", session_id, outcome)
        expired += outcome in ("expired", "released")
    return expired
