"""Money and prices as people read them on the pages."""

from __future__ import annotations

import pytest

from events.pages import display


@pytest.mark.parametrize(
    ("amount", "currency", "shown"),
    [
        (1999, "USD", "$19.99"),  # DOMAIN: 19.99 USD = 1999
        (1000, "JPY", "¥1,000"),  # DOMAIN: 1000 JPY = 1000
        (123456, "EUR", "€1,234.56"),
        (1500, "KWD", "1.500 KWD"),
        (5, "GBP", "£0.05"),
        (500, "CHF", "5.00 CHF"),
    ],
)
def test_money_uses_the_currency_exponent(amount: int, currency: str, shown: str) -> None:
    assert display.money(amount, currency) == shown


def test_zero_price_reads_free() -> None:
    assert display.price_label(0, "USD") == "Free"
