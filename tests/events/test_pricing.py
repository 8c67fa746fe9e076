"""Prices: integer minor units plus an ISO currency, tiers by role, early-bird deadlines."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from accounts.principal import Role
from events.services.pricing import price, tier_for
from grandrounds.money import format_money, is_known_currency, to_minor_units
from grandrounds.settings import load_settings
from tests.builders.events import event_body
from tests.builders.people import make_actor, make_staff

DEADLINE = datetime(2027, 3, 1, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("typed", "currency", "minor", "shown"),
    [
        ("19.99", "USD", 1999, "19.99 USD"),
        ("1000", "JPY", 1000, "1000 JPY"),
        ("1.500", "KWD", 1500, "1.500 KWD"),
        ("0", "EUR", 0, "0.00 EUR"),
        (Decimal("250"), "GBP", 25000, "250.00 GBP"),
    ],
    ids=["19.99 USD is 1999", "1000 JPY is 1000", "three-decimal dinar", "free", "whole pounds"],
)
def test_money_is_integer_minor_units(typed: Any, currency: str, minor: int, shown: str) -> None:
    assert to_minor_units(typed, currency) == minor
    assert format_money(minor, currency) == shown


@pytest.mark.parametrize(
    ("typed", "currency"),
    [("19.999", "USD"), ("1000.5", "JPY"), ("ten", "USD"), ("NaN", "USD")],
)
def test_amounts_finer_than_the_currency_are_refused(typed: str, currency: str) -> None:
    with pytest.raises(ValueError):
        to_minor_units(typed, currency)


@pytest.mark.parametrize(
    ("code", "known"),
    [
        ("USD", True),
        ("JPY", True),
        ("EUR", True),
        ("usd", False),
        ("US", False),
        ("XYZ", False),
        ("XAU", False),
    ],
)
def test_currencies_are_iso_4217_codes_in_capitals(code: str, known: bool) -> None:
    assert is_known_currency(code) is known


@pytest.mark.parametrize(
    ("roles", "on_behalf", "tier"),
    [
        ({Role.MEMBER}, False, "member"),
        ({Role.GUEST, Role.MEMBER}, False, "member"),
        ({Role.MEMBER}, True, "member"),
        ({Role.GUEST}, False, "guest"),
        ({Role.GUEST}, True, "non_member"),
        ({Role.PROGRAM_STAFF}, False, "non_member"),
        ({Role.SPEAKER, Role.GUEST}, False, "non_member"),
        ({Role.FINANCE}, False, "non_member"),
        ({Role.ADMIN}, False, "non_member"),
        (set(), False, "non_member"),
    ],
    ids=[
        "member",
        "guest who became a member",
        "member booked by a colleague",
        "guest account only",
        "guest booked by a colleague",
        "staff",
        "speaker",
        "finance",
        "admin without membership",
        "no roles",
    ],
)
def test_tier_by_role(roles: set[Role], on_behalf: bool, tier: str) -> None:
    assert tier_for(roles, booked_by_someone_else=on_behalf) == tier


TICKET: dict[str, Any] = {
    "currency": "USD",
    "member_price": 1999,
    "non_member_price": 4999,
    "guest_price": 2999,
    "early_bird_until": DEADLINE,
    "early_member_price": 999,
    "early_non_member_price": 3999,
    "early_guest_price": None,
}


@pytest.mark.parametrize(
    ("tier", "at", "amount", "early"),
    [
        ("member", DEADLINE - timedelta(seconds=1), 999, True),
        ("member", DEADLINE, 1999, False),
        ("member", DEADLINE + timedelta(days=1), 1999, False),
        ("non_member", DEADLINE - timedelta(days=30), 3999, True),
        ("guest", DEADLINE - timedelta(days=30), 2999, False),
        ("guest", DEADLINE + timedelta(days=1), 2999, False),
    ],
    ids=[
        "member just before the deadline",
        "member at the deadline",
        "member after",
        "non-member early",
        "guest has no early price",
        "guest after",
    ],
)
def test_price_for_a_tier_at_a_moment(tier: Any, at: datetime, amount: int, early: bool) -> None:
    quoted = price(TICKET, tier, at)
    assert (quoted.amount, quoted.currency, quoted.tier, quoted.early_bird) == (amount, "USD", tier, early)


def test_price_without_any_early_bird() -> None:
    ticket = {**TICKET, "currency": "JPY", "member_price": 1000, "early_bird_until": None}
    assert price(ticket, "member", DEADLINE).amount == 1000


def test_checkout_hold_is_a_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GRANDROUNDS_CHECKOUT_HOLD_MINUTES", raising=False)
    assert load_settings().checkout_hold_minutes == 30
    monkeypatch.setenv("GRANDROUNDS_CHECKOUT_HOLD_MINUTES", "45")
    assert load_settings().checkout_hold_minutes == 45


async def test_each_tier_is_charged_its_price_through_the_api(client) -> None:
    staff = await make_staff()
    created = await client.post(
        "/api/v1/events/", json=event_body(program_id=staff.program_id), headers=staff.headers
    )
    event_id = created.json()["id"]
    await client.post(f"/api/v1/events/{event_id}/publish", headers=staff.headers)
    ticket = await client.post(
        f"/api/v1/events/{event_id}/ticket-types",
        json={
            "name": "Full day",
            "currency": "USD",
            "member_price": 1999,
            "non_member_price": 4999,
            "guest_price": 2999,
        },
        headers=staff.headers,
    )
    assert ticket.status_code == 201, ticket.text
    expected = {
        Role.MEMBER: (1999, "member"),
        Role.GUEST: (2999, "guest"),
        Role.SPEAKER: (4999, "non_member"),
    }
    for role, (amount, tier) in expected.items():
        person = await make_actor(role)
        reg = await client.post(f"/api/v1/events/{event_id}/registrations", headers=person.headers)
        assert reg.status_code == 201, reg.text
        body = reg.json()
        assert (body["amount"], body["currency"], body["price_tier"]) == (amount, "USD", tier)
        assert body["status"] == "pending_payment" and body["ticket_type_id"] == ticket.json()["id"]
