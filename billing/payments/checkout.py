"""Opening a Stripe Checkout Session for a registration that holds a seat while its registrant pays.

The Stripe call happens outside any database transaction, and it is made
safe to repeat: the attempt row (billing.tables.Checkout) is written first,
with every parameter that goes to Stripe, and the idempotency key
``checkout-<registration>-<attempt>`` names it. A double click, two tabs, a
retry after a timeout or a crash between the two steps all replay the same
request, and Stripe answers with the same session. A new attempt begins only
when the previous session can no longer be paid.

The session stops taking payment at the hold's end, but Stripe refuses a
session shorter than 30 minutes, so it may outlive the hold by a few
minutes; a payment that lands after the hold lapsed is handled by
settlement (confirmed if a seat is still free, otherwise refunded).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from accounts.principal import Principal
from billing import errors
from billing.payments.charges import call
from billing.payments.schemas import CheckoutOut
from billing.stripe_client import StripeAccount
from billing.tables import Checkout
from events.registration_status import RegistrationStatus
from events.tables import Registration
from grandrounds.db import now, unique_violation, write_transaction
from grandrounds.settings import get_settings

# Stripe accepts expires_at from 30 minutes to 24 hours after creation; a minute of margin for the trip.
SHORTEST_SESSION = timedelta(minutes=31)
# An open session this close to its end is not handed out again; the person would not finish in time.
TOO_LATE = timedelta(minutes=2)


def idempotency_key(registration_id: int, attempt: int) -> str:
    return f"checkout-{registration_id}-{attempt}"


async def registrant_view(principal: Principal, registration_id: int) -> dict[str, Any]:
    """The caller's own registration with its event's title. Anyone else's is "not found": whether
    a person registered is theirs to tell, and only the registrant pays for their place."""
    row = (
        await Registration.select(
            *Registration.all_columns(), Registration.event.title.as_alias("event_title")
        )
        .where(Registration.id == registration_id)
        .first()
    )
    if row is None or row["person"] != principal.person_id:
        raise errors.registration_not_found()
    return row


def _payable(reg: dict[str, Any]) -> None:
    if reg["status"] != RegistrationStatus.PENDING_PAYMENT or reg["amount"] <= 0:
        raise errors.nothing_to_pay()
    if reg["hold_expires_at"] is None or reg["hold_expires_at"] <= now():
        raise errors.hold_lapsed()


def _usable(attempt: dict[str, Any]) -> bool:
    return attempt["status"] in ("creating", "open") and attempt["expires_at"] - TOO_LATE > now()


async def _attempt(reg: dict[str, Any]) -> dict[str, Any]:
    """The attempt to (re)play: the latest one while it can still be paid, else a new one."""
    registration_id = reg["id"]
    for _ in range(2):  # a concurrent request may take the attempt number first; then use its row
        latest = (
            await Checkout.select()
            .where(Checkout.registration == registration_id)
            .order_by(Checkout.attempt, ascending=False)
            .first()
        )
        if latest is not None and _usable(latest):
            return latest
        number = latest["attempt"] + 1 if latest else 1
        expires = max(reg["hold_expires_at"], now() + SHORTEST_SESSION).replace(microsecond=0)
        with unique_violation():
            async with write_transaction():
                rows = await Checkout.insert(
                    Checkout(
                        registration=registration_id,
                        attempt=number,
                        amount=reg["amount"],
                        currency=reg["currency"],
                        expires_at=expires,
                    )
                ).returning(*Checkout.all_columns())
            return rows[0]
    raise errors.stripe_unavailable("concurrent checkout attempts")  # pragma: no cover - needs a third racer


def _session_params(reg: dict[str, Any], attempt: dict[str, Any], email: str) -> dict[str, Any]:
    """Everything Stripe is asked, derived only from stored values so a replay sends the same request."""
    base = get_settings().base_url
    registration_id = str(reg["id"])
    metadata = {"registration_id": registration_id, "checkout_attempt": str(attempt["attempt"])}
    return {
        "mode": "payment",
        "line_items": [
            {
                "quantity": 1,
                "price_data": {
                    "currency": attempt["currency"].lower(),
                    "unit_amount": attempt["amount"],
                    "product_data": {"name": reg["event_title"][:250]},
                },
            }
        ],
        "metadata": metadata,
        "payment_intent_data": {"metadata": metadata},
        "client_reference_id": registration_id,
        "customer_email": email,
        "expires_at": int(attempt["expires_at"].timestamp()),
        "success_url": f"{base}/registrations/{registration_id}/paid",
        "cancel_url": f"{base}/registrations",
    }


def _out(attempt: dict[str, Any]) -> CheckoutOut:
    return CheckoutOut(
        registration_id=attempt["registration"],
        attempt=attempt["attempt"],
        session_id=attempt["stripe_session_id"],
        url=attempt["url"],
        amount=attempt["amount"],
        currency=attempt["currency"],
        expires_at=attempt["expires_at"],
    )


async def start_checkout(account: StripeAccount, principal: Principal, registration_id: int) -> CheckoutOut:
    """The Checkout page where the registrant pays for their held place (the same one while it lasts)."""
    reg = await registrant_view(principal, registration_id)
    _payable(reg)
    attempt = await _attempt(reg)
    if attempt["status"] == "open":
        return _out(attempt)
    session = await call(
        account.client.v1.checkout.sessions.create_async(
            _session_params(reg, attempt, principal.email),  # type: ignore[arg-type]
            {"idempotency_key": idempotency_key(registration_id, attempt["attempt"])},
        )
    )
    async with write_transaction():
        await Checkout.update(
            {
                Checkout.stripe_session_id: session.id,
                Checkout.url: session.url or "",
                Checkout.status: "open",
                Checkout.updated_at: now(),
            }
        ).where((Checkout.id == attempt["id"]) & (Checkout.status == "creating"))
    return _out({**attempt, "stripe_session_id": session.id, "url": session.url or "", "status": "open"})
