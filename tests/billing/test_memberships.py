"""Individual memberships: joining through Stripe Checkout, member prices, renewal, lapse, the ledger."""

from __future__ import annotations

from datetime import timedelta

import httpx

from accounts.principal import Role
from accounts.services.standing import derived_roles
from billing.tables import LedgerEntry, Membership, StripeEvent
from tests.builders.events import register
from tests.builders.memberships import (
    MEMBER_PRICE,
    NON_MEMBER_PRICE,
    age_membership,
    cancel,
    ends_today,
    guest,
    join_individual,
    membership,
    priced_event,
    send,
    subscription_for,
)
from tests.stripe_server import Account, fee_for
from tests.stripe_server.subscriptions import anniversary, renew
from tests.stripe_server.subscriptions import cancel as cancel_subscription


async def test_joining_through_checkout_gives_member_prices(
    client: httpx.AsyncClient, stripe_account: Account
) -> None:
    event_id = await priced_event(client)
    person = await guest()
    before = await register(client, event_id, person)
    assert before["price_tier"] == "guest"
    await cancel(client, before["id"], person)

    joined = await client.post("/api/v1/memberships/individual", headers=person.headers)
    assert joined.status_code == 200, joined.text
    body = joined.json()
    assert body["status"] == "pending" and body["next_url"]
    (session,) = stripe_account.sessions()
    assert session["mode"] == "subscription" and session["amount_total"] == 19500
    assert session["metadata"]["membership_id"] == str(body["membership_id"])
    # Asking again before paying gives the same page, not a second session.
    again = await client.post("/api/v1/memberships/individual", headers=person.headers)
    assert again.json()["next_url"] == body["next_url"] and len(stripe_account.sessions()) == 1
    # Not a member until Stripe says the term is paid.
    assert Role.MEMBER not in (await derived_roles([person.id]))[person.id]

    completed = stripe_account.pay(session["id"])
    assert await send(client, completed) == "membership_active"
    row = await membership(body["membership_id"])
    subscription = subscription_for(stripe_account, body["membership_id"])
    assert row["status"] == "active" and row["stripe_subscription_id"] == subscription["id"]
    item = subscription["items"]["data"][0]
    assert int(row["current_period_end"].timestamp()) == item["current_period_end"]
    assert item["current_period_end"] == anniversary(item["current_period_start"])

    after = await register(client, event_id, person)
    assert (after["price_tier"], after["amount"]) == ("member", MEMBER_PRICE)

    mine = (await client.get("/api/v1/memberships/mine", headers=person.headers)).json()
    assert mine["is_member"] is True and mine["points"] == 0
    (own,) = mine["memberships"]
    assert own["tier"] == "individual" and own["active"] is True
    (invoice,) = mine["invoices"]
    assert invoice["status"] == "paid" and invoice["amount_paid"] == 19500
    assert invoice["hosted_invoice_url"].startswith(stripe_account.public_url)
    assert invoice["receipt_urls"] and invoice["receipt_urls"][0].startswith(stripe_account.public_url)

    refused = await client.post("/api/v1/memberships/individual", headers=person.headers)
    assert refused.status_code == 409 and refused.json()["code"] == "membership.already_active"


async def test_dues_in_the_ledger_match_stripe(client: httpx.AsyncClient, stripe_account: Account) -> None:
    person = await guest()
    body = await join_individual(client, stripe_account, person)
    entries = (
        await LedgerEntry.select(
            LedgerEntry.kind, LedgerEntry.amount, LedgerEntry.currency, LedgerEntry.registration
        )
        .where(LedgerEntry.membership == body["membership_id"])
        .order_by(LedgerEntry.id)
    )
    assert entries == [
        {"kind": "charge", "amount": 19500, "currency": "USD", "registration": None},
        {"kind": "fee", "amount": -fee_for(19500), "currency": "USD", "registration": None},
    ]
    customer = subscription_for(stripe_account, body["membership_id"])["customer"]
    charges = {c["id"] for c in stripe_account.of_kind("charge", lambda c: c.get("customer") == customer)}
    held = sum(
        t["net"] for t in stripe_account.of_kind("balance_transaction", lambda t: t["source"] in charges)
    )
    assert sum(e["amount"] for e in entries) == held


async def test_duplicate_and_out_of_order_events_end_right(
    client: httpx.AsyncClient, stripe_account: Account
) -> None:
    person = await guest()
    joined = (await client.post("/api/v1/memberships/individual", headers=person.headers)).json()
    (session,) = stripe_account.sessions()
    first = len(stripe_account.events)
    completed = stripe_account.pay(session["id"])
    created = stripe_account.last_event("customer.subscription.created")
    paid = stripe_account.last_event("invoice.paid")
    assert stripe_account.events.index(created) >= first
    subscription_id = subscription_for(stripe_account, joined["membership_id"])["id"]
    renewal = renew(stripe_account, subscription_id)  # the next year's invoice.paid, subscription.updated
    # Delivered backwards, each twice.
    for event in [*reversed(renewal), completed, paid, created, completed, *renewal]:
        await send(client, event)
    row = await membership(joined["membership_id"])
    item = stripe_account.get(subscription_id, "subscription")["items"]["data"][0]
    assert row["status"] == "active"
    assert int(row["current_period_end"].timestamp()) == item["current_period_end"]
    assert (
        int(row["starts_at"].timestamp()) == stripe_account.get(subscription_id, "subscription")["start_date"]
    )
    assert (
        await LedgerEntry.count().where(
            (LedgerEntry.membership == joined["membership_id"]) & (LedgerEntry.kind == "charge")
        )
        == 2
    )
    assert await StripeEvent.count() == len({e["id"] for e in [*renewal, completed, paid, created]})


async def test_renewal_moves_the_term_to_the_anniversary(
    client: httpx.AsyncClient, stripe_account: Account
) -> None:
    person = await guest()
    body = await join_individual(client, stripe_account, person)
    first_end = (await membership(body["membership_id"]))["current_period_end"]
    subscription_id = subscription_for(stripe_account, body["membership_id"])["id"]
    for event in renew(stripe_account, subscription_id):
        await send(client, event)
    row = await membership(body["membership_id"])
    assert int(row["current_period_end"].timestamp()) == anniversary(int(first_end.timestamp()))


async def test_a_failed_renewal_lapses_the_day_the_paid_term_ends(
    client: httpx.AsyncClient, stripe_account: Account
) -> None:
    event_id = await priced_event(client)
    person = await guest()
    body = await join_individual(client, stripe_account, person)
    paid_end = (await membership(body["membership_id"]))["current_period_end"]
    subscription_id = subscription_for(stripe_account, body["membership_id"])["id"]
    outcomes = [await send(client, e) for e in renew(stripe_account, subscription_id, succeed=False)]
    assert outcomes == ["membership_past_due", "membership_past_due"]
    row = await membership(body["membership_id"])
    assert row["status"] == "past_due" and row["current_period_end"] == paid_end  # not moved: unpaid

    # The last instant of the paid term still counts; its end does not (no sweep runs in between).
    assert Role.MEMBER in (await derived_roles([person.id], paid_end - timedelta(seconds=1)))[person.id]
    assert Role.MEMBER not in (await derived_roles([person.id], paid_end))[person.id]

    # On our clock, the term ended a minute ago: member prices are gone.
    await age_membership(body["membership_id"], ends_today(row))
    reg = await register(client, event_id, person)
    assert (reg["price_tier"], reg["amount"]) != ("member", MEMBER_PRICE)
    assert reg["amount"] in (NON_MEMBER_PRICE, 2000)
    mine = (await client.get("/api/v1/memberships/mine", headers=person.headers)).json()
    assert mine["is_member"] is False and mine["memberships"][0]["active"] is False


async def test_a_cancelled_subscription_ends_membership_at_once(
    client: httpx.AsyncClient, stripe_account: Account
) -> None:
    event_id = await priced_event(client)
    person = await guest()
    body = await join_individual(client, stripe_account, person)
    subscription_id = subscription_for(stripe_account, body["membership_id"])["id"]
    assert await send(client, cancel_subscription(stripe_account, subscription_id)) == "membership_canceled"
    row = await membership(body["membership_id"])
    assert row["status"] == "canceled"
    reg = await register(client, event_id, person)
    assert reg["price_tier"] != "member"
    # The person may join again: a new membership, a new checkout.
    again = await client.post("/api/v1/memberships/individual", headers=person.headers)
    assert again.status_code == 200 and again.json()["membership_id"] != body["membership_id"]
    assert await Membership.count() == 2


async def test_guest_joins_free_at_once_and_is_not_a_member(client: httpx.AsyncClient) -> None:
    person = await guest()
    first = await client.post("/api/v1/memberships/guest", headers=person.headers)
    second = await client.post("/api/v1/memberships/guest", headers=person.headers)
    assert first.status_code == 200 and first.json()["status"] == "active" and first.json()["next_url"] == ""
    assert second.json()["membership_id"] == first.json()["membership_id"]
    roles = (await derived_roles([person.id]))[person.id]
    assert Role.GUEST in roles and Role.MEMBER not in roles


async def test_a_dashboard_refund_of_dues_is_attributed_to_the_membership(
    client: httpx.AsyncClient, stripe_account: Account
) -> None:
    person = await guest()
    body = await join_individual(client, stripe_account, person)
    customer = subscription_for(stripe_account, body["membership_id"])["customer"]
    (charge,) = stripe_account.of_kind("charge", lambda c: c.get("customer") == customer)
    _refund, events = stripe_account.refund({"charge": charge["id"], "amount": 5000})
    refunded = next(e for e in events if e["type"] == "charge.refunded")
    await send(client, refunded)
    rows = await LedgerEntry.select(LedgerEntry.kind, LedgerEntry.amount).where(
        LedgerEntry.membership == body["membership_id"]
    )
    assert sorted((r["kind"], r["amount"]) for r in rows) == sorted(
        [("charge", 19500), ("fee", -fee_for(19500)), ("refund", -5000)]
    )
    assert await LedgerEntry.count().where(LedgerEntry.membership.is_null()) == 0
