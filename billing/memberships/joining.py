"""Joining: a guest account at once, an individual or organization membership through Stripe.

The membership row is written first (status ``pending``) with everything
Stripe will be asked, then Stripe is called outside any transaction with
idempotency keys derived from the row: a double click or a retry after a
timeout replays the same Customer, Checkout Session or Subscription instead
of opening a second one. The row turns active only when Stripe says a term
was paid (billing.memberships.sync), never on the browser's word.

Individuals and organizations paying by card go through Stripe Checkout in
``mode=subscription``; an organization may choose an invoice ("pay later":
``collection_method=send_invoice``) and its membership starts when the
invoice is paid.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from accounts.principal import Principal
from accounts.tables import Organization
from billing import errors
from billing.memberships import tiers
from billing.memberships.status import LIVE, PAID_UP, MembershipStatus
from billing.payments.charges import call, field
from billing.stripe_client import StripeAccount
from billing.tables import Membership
from grandrounds.db import now, unique_violation, write_transaction
from grandrounds.settings import get_settings


@dataclass(frozen=True, slots=True)
class JoinOutcome:
    """Where the person goes next: nowhere (guest, at once) or Stripe's page (checkout or invoice)."""

    membership_id: int
    tier: str
    status: str
    next_url: str  # Stripe Checkout or the hosted invoice; "" when nothing is left to do


async def _live(tier: str, *, person_id: int | None = None, organization_id: int | None = None) -> Any:
    query = Membership.select().where(Membership.status.is_in(list(LIVE)) & (Membership.tier == tier))
    if organization_id is not None:
        query = query.where(Membership.organization == organization_id)
    else:
        query = query.where(Membership.person == person_id)
    return await query.first()


async def _insert(values: dict[str, Any], find: dict[str, Any]) -> dict[str, Any]:
    """Insert a pending membership; a concurrent request that won the unique index gives its row."""
    with unique_violation():
        async with write_transaction():
            rows = await Membership.insert(Membership(**values)).returning(*Membership.all_columns())
        return dict(rows[0])
    row = await _live(values["tier"], **find)
    assert row is not None  # the winner's row, which the index found
    return dict(row)


async def join_guest(principal: Principal) -> JoinOutcome:
    """A free guest membership, active at once; joining twice gives the same one."""
    row = await _live("guest", person_id=principal.person_id)
    if row is None:
        at = now()
        row = await _insert(
            {
                "tier": "guest",
                "person": principal.person_id,
                "status": MembershipStatus.ACTIVE,
                "dues_amount": 0,
                "starts_at": at,
                "created_by": principal.person_id,
            },
            {"person_id": principal.person_id},
        )
    return JoinOutcome(row["id"], "guest", row["status"], "")


def _refuse_if_paid_up(row: dict[str, Any]) -> None:
    if row["status"] in PAID_UP:
        raise errors.already_member(row["tier"])


async def _customer(account: StripeAccount, row: dict[str, Any], email: str, name: str) -> str:
    if row["stripe_customer_id"]:
        return str(row["stripe_customer_id"])
    customer = await call(
        account.client.v1.customers.create_async(
            {"email": email, "name": name[:200], "metadata": {"membership_id": str(row["id"])}},
            {"idempotency_key": f"membership-{row['id']}-customer"},
        )
    )
    async with write_transaction():
        await Membership.update(
            {Membership.stripe_customer_id: customer.id, Membership.updated_at: now()}
        ).where(Membership.id == row["id"])
    return str(customer.id)


def _product_name(row: dict[str, Any], organization_name: str = "") -> str:
    if row["tier"] == "organization":
        return f"Organization membership, band {row['band']} ({organization_name})"[:250]
    return "Individual membership (annual)"


async def _checkout(account: StripeAccount, row: dict[str, Any], customer: str, product: str) -> str:
    """The Checkout page for the first term: the open one again, or a new one."""
    previous = row["stripe_checkout_session_id"]
    if previous:
        session = await call(account.client.v1.checkout.sessions.retrieve_async(previous))
        if session.status == "complete":
            return ""
        if session.status == "open":
            if int(session.amount_total or 0) == row["dues_amount"]:
                return str(session.url or "")
            # The leader changed band since: that page must never take the old price.
            await call(account.client.v1.checkout.sessions.expire_async(previous))
    base = get_settings().base_url
    metadata = {"membership_id": str(row["id"])}
    params: dict[str, Any] = {
        "mode": "subscription",
        "customer": customer,
        "line_items": [
            {
                "quantity": 1,
                "price_data": {
                    "currency": row["currency"].lower(),
                    "unit_amount": row["dues_amount"],
                    "recurring": {"interval": "year"},
                    "product_data": {"name": product},
                },
            }
        ],
        "metadata": metadata,
        "subscription_data": {"metadata": metadata},
        "client_reference_id": f"membership-{row['id']}",
        "success_url": f"{base}/account/membership?joined={row['id']}",
        "cancel_url": f"{base}/membership",
    }
    # One key per attempt: a new session only after the previous one can no longer be paid.
    key = f"membership-{row['id']}-checkout-after-{previous or 'none'}"
    session = await call(account.client.v1.checkout.sessions.create_async(params, {"idempotency_key": key}))  # type: ignore[arg-type]
    async with write_transaction():
        await Membership.update(
            {
                Membership.stripe_checkout_session_id: session.id,
                Membership.checkout_url: session.url or "",
                Membership.updated_at: now(),
            }
        ).where(Membership.id == row["id"])
    return str(session.url or "")


async def join_individual(account: StripeAccount, principal: Principal) -> JoinOutcome:
    """The Stripe Checkout page for an individual's annual membership."""
    row = await _live("individual", person_id=principal.person_id)
    if row is None:
        row = await _insert(
            {
                "tier": "individual",
                "person": principal.person_id,
                "dues_amount": tiers.INDIVIDUAL_DUES,
                "currency": tiers.CURRENCY,
                "collection": "automatic",
                "created_by": principal.person_id,
            },
            {"person_id": principal.person_id},
        )
    row = dict(row)
    _refuse_if_paid_up(row)
    customer = await _customer(account, row, principal.email, principal.name)
    url = await _checkout(account, row, customer, _product_name(row))
    return JoinOutcome(row["id"], "individual", row["status"], url)


async def _organization_led_by(principal: Principal, organization_id: int) -> dict[str, Any]:
    org = await Organization.select().where(Organization.id == organization_id).first()
    if org is None:
        raise errors.organization_not_found()
    if org["leader"] != principal.person_id and not principal.is_admin:
        raise errors.not_leader()
    return dict(org)


async def _invoice(account: StripeAccount, row: dict[str, Any], customer: str, product_name: str) -> str:
    """The first term's hosted invoice: a send_invoice subscription, created once per membership."""
    subscription_id = row["stripe_subscription_id"]
    if not subscription_id:
        product = await call(
            account.client.v1.products.create_async(
                {"name": product_name}, {"idempotency_key": f"membership-{row['id']}-product"}
            )
        )
        subscription = await call(
            account.client.v1.subscriptions.create_async(
                {
                    "customer": customer,
                    "collection_method": "send_invoice",
                    "days_until_due": tiers.INVOICE_DAYS_UNTIL_DUE,
                    "items": [
                        {
                            "price_data": {
                                "currency": row["currency"].lower(),
                                "unit_amount": row["dues_amount"],
                                "recurring": {"interval": "year"},
                                "product": product.id,
                            }
                        }
                    ],
                    "metadata": {"membership_id": str(row["id"])},
                },
                {"idempotency_key": f"membership-{row['id']}-subscription"},
            )
        )
        subscription_id = subscription.id
        async with write_transaction():
            await Membership.update(
                {Membership.stripe_subscription_id: subscription_id, Membership.updated_at: now()}
            ).where(Membership.id == row["id"])
    latest = await call(account.client.v1.subscriptions.retrieve_async(subscription_id))
    invoice_id = field(latest, "latest_invoice")
    if not invoice_id:
        return ""
    invoice = await call(account.client.v1.invoices.retrieve_async(str(invoice_id)))
    return str(field(invoice, "hosted_invoice_url") or "")


async def join_organization(
    account: StripeAccount, principal: Principal, organization_id: int, band_code: str, collection: str
) -> JoinOutcome:
    """An organization's annual membership, chosen by its leader: card now, or an invoice to pay later."""
    band = tiers.band(band_code)
    if band is None:
        raise errors.band_unknown(band_code)
    if collection not in ("automatic", "invoice"):
        raise errors.collection_unknown(collection)
    org = await _organization_led_by(principal, organization_id)
    row = await _live("organization", organization_id=organization_id)
    if row is None:
        row = await _insert(
            {
                "tier": "organization",
                "organization": organization_id,
                "band": band.code,
                "dues_amount": band.dues,
                "currency": tiers.CURRENCY,
                "seat_limit": band.seats,
                "collection": collection,
                "created_by": principal.person_id,
            },
            {"organization_id": organization_id},
        )
    row = dict(row)
    _refuse_if_paid_up(row)
    if (
        row["status"] == MembershipStatus.PENDING
        and not row["stripe_subscription_id"]
        and (row["band"] != band.code or row["collection"] != collection)
    ):
        # Nothing was billed yet: the leader may still change their mind about band or payment.
        async with write_transaction():
            await Membership.update(
                {
                    Membership.band: band.code,
                    Membership.dues_amount: band.dues,
                    Membership.seat_limit: band.seats,
                    Membership.collection: collection,
                    Membership.updated_at: now(),
                }
            ).where(Membership.id == row["id"])
        row.update(
            band=band.code,
            dues_amount=band.dues,
            seat_limit=band.seats,
            collection=collection,
        )
    customer = await _customer(account, row, principal.email, org["name"])
    name = _product_name(row, org["name"])
    if row["collection"] == "invoice":
        url = await _invoice(account, row, customer, name)
    else:
        url = await _checkout(account, row, customer, name)
    return JoinOutcome(row["id"], "organization", row["status"], url)
