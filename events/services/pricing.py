"""What a place costs: the price of a ticket type for a tier at a moment, in integer minor units.

Pure functions, no database: the registration engine, the pages and billing
all ask the same question and must get the same answer.

Money is an integer count of the currency's minor unit plus an ISO 4217 code:
19.99 USD is 1999, 1000 JPY is 1000 (the yen has no minor unit), 1.500 KWD is
1500. Floats never hold money.

Tiers, until billing's memberships land:

- ``member``: the person holds ``Role.MEMBER``;
- ``guest``: the person holds only the free guest account (``Role.GUEST`` and
  nothing else) and registers themselves;
- ``non_member``: everyone else: staff, speakers, finance without a
  membership, and colleagues registered on someone's behalf who are not
  members (the guest price rewards a person who signed up themselves; a
  booking made for them is a plain non-member booking).

:func:`is_member` is the one membership check; billing replaces its body
with "holds an active membership today" and every price and member-only
rule follows.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

from accounts.principal import Role

Tier = Literal["member", "non_member", "guest"]
TIERS: tuple[Tier, ...] = ("member", "non_member", "guest")

# ISO 4217 currencies in circulation (no funds, metals or testing codes), by minor-unit exponent.
_ZERO_DECIMAL = "BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX VND VUV XAF XOF XPF"
_THREE_DECIMAL = "BHD IQD JOD KWD LYD OMR TND"
_TWO_DECIMAL = (
    "AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BMD BND BOB BRL BSD BTN BWP BYN BZD "
    "CAD CDF CHF CNY COP CRC CUP CVE CZK DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD "
    "GTQ GYD HKD HNL HTG HUF IDR ILS INR IRR JMD KES KGS KHR KPW KYD KZT LAK LBP LKR LRD LSL MAD "
    "MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MYR MZN NAD NGN NIO NOK NPR NZD PAB PEN PGK PHP "
    "PKR PLN QAR RON RSD RUB SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS "
    "TMT TOP TRY TTD TWD TZS UAH USD UYU UZS VES WST XCD XCG YER ZAR ZMW ZWG"
)
MINOR_UNIT_EXPONENT: dict[str, int] = {
    **{code: 0 for code in _ZERO_DECIMAL.split()},
    **{code: 2 for code in _TWO_DECIMAL.split()},
    **{code: 3 for code in _THREE_DECIMAL.split()},
}


def is_known_currency(code: str) -> bool:
    """Exactly three upper-case letters naming a currency in circulation ("usd" is not accepted)."""
    return code in MINOR_UNIT_EXPONENT


def to_minor_units(amount: str | Decimal, currency: str) -> int:
    """A decimal amount as typed by a person ("19.99") in minor units (1999); ValueError if it has
    more decimals than the currency has (19.999 USD, 1000.5 JPY) or is not a number."""
    try:
        value = Decimal(str(amount).strip())
    except InvalidOperation as exc:
        raise ValueError(f"{amount!r} is not an amount") from exc
    if not value.is_finite():
        raise ValueError(f"{amount!r} is not an amount")
    scaled = value.scaleb(MINOR_UNIT_EXPONENT[currency])
    if scaled != scaled.to_integral_value():
        raise ValueError(f"{currency} has {MINOR_UNIT_EXPONENT[currency]} decimals at most")
    return int(scaled)


def format_money(minor: int, currency: str) -> str:
    """1999, "USD" -> "19.99 USD"; 1000, "JPY" -> "1000 JPY". For emails and pages."""
    exponent = MINOR_UNIT_EXPONENT.get(currency, 2)
    major = Decimal(minor).scaleb(-exponent)
    return f"{major:.{exponent}f} {currency}"


def is_member(roles: Iterable[Role]) -> bool:
    """The membership check every price and member-only rule asks; billing replaces it."""
    return Role.MEMBER in set(roles)


def tier_for(roles: Iterable[Role], *, booked_by_someone_else: bool = False) -> Tier:
    """The price tier of a person with these roles (see the module docstring for the rule)."""
    held = set(roles)
    if is_member(held):
        return "member"
    if held == {Role.GUEST} and not booked_by_someone_else:
        return "guest"
    return "non_member"


@dataclass(frozen=True, slots=True)
class Price:
    amount: int  # minor units of currency
    currency: str
    tier: Tier
    early_bird: bool


def price(ticket: Mapping[str, Any], tier: Tier, at: datetime) -> Price:
    """What ``tier`` pays for ``ticket`` (a TicketType row) at the moment ``at``.

    The early-bird price applies strictly before ``early_bird_until``; a tier
    without an early price pays its regular price all along.
    """
    regular = int(ticket[f"{tier}_price"])
    early = ticket.get(f"early_{tier}_price")
    until = ticket.get("early_bird_until")
    if early is not None and until is not None and at < until:
        return Price(int(early), ticket["currency"], tier, True)
    return Price(regular, ticket["currency"], tier, False)


def is_free(ticket: Mapping[str, Any]) -> bool:
    """Every tier pays nothing, early or not."""
    return all(ticket[f"{tier}_price"] == 0 for tier in TIERS)
