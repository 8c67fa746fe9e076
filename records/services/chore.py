"""The retention run as a background chore: apply the schedule now, as the dispatcher asks.

The dispatcher runs it once a day for the whole cluster (``notifications.chores``:
its lease row in ``notifications_chore_lease``; the interval is set in
``grandrounds.server.wiring.chores``), so however many processes run a dispatcher,
the schedule is applied once. ``grandrounds retention`` applies it on demand.
"""

from __future__ import annotations

import logging

from grandrounds.db import now
from records.services import retention

log = logging.getLogger("grandrounds.records")


async def daily_retention() -> int:
    """Apply the retention schedule as of now; the rows acted on."""
    result = await retention.apply(await retention.plan(now()))
    log.info("retention run: %s", result.done)
    return result.total
