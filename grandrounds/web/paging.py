"""Bounded paging parameters for lists: ``limit`` and ``offset`` checked before any query runs.

Both are bounded above so an absurd value is answered 400 ``request.invalid`` by
parameter validation rather than reaching the database (where a number too big
for the column would fail as a 500, or scan far past any real list).
"""

from __future__ import annotations

from typing import Annotated

from litestar.params import QueryParameter

PAGE_LIMIT_MAX = 200
"""The most rows one page of an ordinary list returns."""

EXPORT_LIMIT_MAX = 500
"""The most rows one page of a roster, ledger or listing export returns."""

OFFSET_MAX = 1_000_000
"""Far beyond any list this system keeps; past it the request is a mistake or a probe."""

Limit = Annotated[int, QueryParameter(ge=1, le=PAGE_LIMIT_MAX)]
ExportLimit = Annotated[int, QueryParameter(ge=1, le=EXPORT_LIMIT_MAX)]
Offset = Annotated[int, QueryParameter(ge=0, le=OFFSET_MAX)]
