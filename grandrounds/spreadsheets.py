"""CSV cells that a spreadsheet shows as text and never runs.

Every export (event rosters, cohort progress, finance ledgers, the social media
list) holds text people typed; a cell starting with ``=``, ``+``, ``-``, ``@``
or a tab/carriage return is a formula to Excel and LibreOffice (CSV injection).
One rule for all exports, so none of them drifts.
"""

from __future__ import annotations

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> str:
    """Text a spreadsheet will show, never run: formula-like cells get a leading apostrophe."""
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text
