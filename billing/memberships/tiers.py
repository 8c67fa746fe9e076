"""The membership offer in one place: tiers, annual dues, organization revenue bands and their seats.

Changing a price is a change to this file (and a release), not a database
edit: a price that could change under a running checkout would charge a
person something other than what the page showed. Money is integer minor
units plus an ISO currency, as everywhere.

- Guest: free, no Stripe; a guest account samples the network.
- Individual: 195.00 USD a year.
- Organization: dues by the organization's annual revenue, with the seats
  its leader assigns to colleagues. Points worth half the dues are granted
  for each paid term (4,000.00 USD dues -> 2,000 points).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Tier = Literal["guest", "individual", "organization"]
TIERS: tuple[Tier, ...] = ("guest", "individual", "organization")
Collection = Literal["automatic", "invoice"]

CURRENCY = "USD"
INDIVIDUAL_DUES = 19500  # 195.00 USD a year
# How long an organization has to pay an invoice ("pay later"); membership starts when it is paid.
INVOICE_DAYS_UNTIL_DUE = 30


@dataclass(frozen=True, slots=True)
class Band:
    """A revenue band: who falls in it, what a year costs, how many colleagues it seats."""

    code: str
    label: str
    dues: int  # minor units of CURRENCY per annual term
    seats: int


BANDS: tuple[Band, ...] = (
    Band("A", "Annual revenue under $10M", 100000, 5),
    Band("B", "Annual revenue $10M to $100M", 400000, 15),
    Band("C", "Annual revenue $100M to $1B", 1000000, 40),
    Band("D", "Annual revenue over $1B", 2500000, 100),
)
_BY_CODE = {band.code: band for band in BANDS}


def band(code: str) -> Band | None:
    """The band with this code ("A".."D"), or None."""
    return _BY_CODE.get(code.strip().upper())


def points_for_dues(dues_minor: int, exponent: int = 2) -> int:
    """Points granted for one paid term: half the dues in major units (400000 minor USD -> 2,000)."""
    minor_per_major: int = 10**exponent
    return dues_minor // minor_per_major // 2
