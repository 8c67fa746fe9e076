"""Money: an integer count of a currency's minor unit plus its ISO 4217 code.

19.99 USD is 1999, 1000 JPY is 1000 (the yen has no minor unit), 1.500 KWD is
1500. Floats never hold money. Events (ticket prices) and billing (the ledger,
dues, refunds) both stand on this one module, so a currency's exponent and
the way an amount is printed are decided once.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

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
