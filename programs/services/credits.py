"""CME credit per session and per person.

Which degrees earn AMA PRA Category 1 Credit is each program's setting
(``ProgramSettings.credit_degrees``; MD and DO unless a program says
otherwise). Everyone else who completes receives a certificate of
participation stating the hours attended and the credit designated.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from fractions import Fraction

from programs.rules.attendance import cme_credits

DEFAULT_CREDIT_DEGREES = ("MD", "DO")
ZERO = Decimal("0.00")


def normalise_degrees(degrees: Iterable[str]) -> tuple[str, ...]:
    """Upper-case, trimmed, de-duplicated, in the order given."""
    seen: dict[str, None] = {}
    for degree in degrees:
        name = degree.strip().upper()
        if name:
            seen.setdefault(name, None)
    return tuple(seen)


def credit_eligible(degree: str, degrees: Iterable[str]) -> bool:
    return degree.strip().upper() in set(degrees)


def credits_for(
    degree: str, attended: bool, seconds: int, cme_quarters: int, degrees: Iterable[str]
) -> Decimal:
    """Credit for one session: minutes / 60 to the nearest quarter, capped at the session's designation."""
    if not attended or not credit_eligible(degree, degrees) or cme_quarters <= 0:
        return ZERO
    return cme_credits(Fraction(seconds, 60), Decimal(cme_quarters) / 4)


def credit_note(degree: str, degrees: Iterable[str]) -> str:
    """What a learner is told about credit: whether their degree earns it here, and what they get if not."""
    named = ", ".join(degrees) or "no degree"
    if credit_eligible(degree, degrees):
        return f"Your degree ({degree.strip().upper()}) earns AMA PRA Category 1 Credit in this program."
    shown = degree.strip().upper() or "not given"
    return (
        f"AMA PRA Category 1 Credit goes to {named} in this program; your degree ({shown}) does not earn it. "
        "You receive a certificate of participation stating the hours attended and the credit designated."
    )


def quarters(credits: Decimal) -> int:
    return int(credits * 4)
