"""CME credit per session and per person: only physicians (MD, DO) earn credit; others get participation."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from programs.rules.attendance import cme_credits

CREDIT_DEGREES = frozenset({"MD", "DO"})
ZERO = Decimal("0.00")


def credit_eligible(degree: str) -> bool:
    return degree.strip().upper() in CREDIT_DEGREES


def credits_for(degree: str, attended: bool, seconds: int, cme_quarters: int) -> Decimal:
    """Credit for one session: minutes / 60 to the nearest quarter, capped at the session's designation."""
    if not attended or not credit_eligible(degree) or cme_quarters <= 0:
        return ZERO
    return cme_credits(Fraction(seconds, 60), Decimal(cme_quarters) / 4)


def quarters(credits: Decimal) -> int:
    return int(credits * 4)
