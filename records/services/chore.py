"""The daily retention run: once per cluster, not once per process.

Every dispatcher (each ``serve`` process, each ``grandrounds worker``) calls
:func:`daily_retention` on every pass. It reads the lease row first and returns 0
at once while the lease is held or the last run is less than a day old; only
then does it try to take the lease, with one conditional write that works the
same on both engines (insert the row if missing, then UPDATE it where ``until``
has passed). Exactly one caller gets a row back; it runs, then keeps the lease
until the next run is due. A run that dies keeps the lease only for
:data:`RUN_LEASE`, after which another process tries again.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from grandrounds.db import now, write_transaction
from notifications.dispatcher import new_worker_id
from records.services import retention
from records.tables import ChoreLease

NAME = "retention"
EVERY = timedelta(hours=24)
RUN_LEASE = timedelta(minutes=30)
NEVER = datetime(2000, 1, 1, tzinfo=UTC)

log = logging.getLogger("grandrounds.records")


async def lease_until(name: str = NAME) -> datetime | None:
    row = await ChoreLease.select(ChoreLease.until).where(ChoreLease.name == name).first()
    return None if row is None else row["until"]


async def take_lease(holder: str, at: datetime, hold_for: timedelta, name: str = NAME) -> bool:
    """True when ``holder`` now holds the lease: it was free (``until`` passed) and this write took it."""
    async with write_transaction():
        await ChoreLease.insert(ChoreLease(name=name, holder="", until=NEVER)).on_conflict(
            action="DO NOTHING"
        )
        taken = await (
            ChoreLease.update({ChoreLease.holder: holder, ChoreLease.until: at + hold_for})
            .where((ChoreLease.name == name) & (ChoreLease.until <= at))
            .returning(ChoreLease.name)
        )
    return bool(taken)


async def _keep_until(holder: str, until: datetime, name: str = NAME) -> None:
    async with write_transaction():
        await ChoreLease.update({ChoreLease.until: until}).where(
            (ChoreLease.name == name) & (ChoreLease.holder == holder)
        )


async def daily_retention(holder: str | None = None) -> int:
    """Apply the retention schedule if no process did in the last day; rows acted on (0: not my turn)."""
    at = now()
    until = await lease_until()
    if until is not None and until > at:
        return 0
    me = holder or new_worker_id()
    if not await take_lease(me, at, RUN_LEASE):
        return 0
    try:
        result = await retention.apply(await retention.plan(at))
    except Exception:
        # The lease lapses after RUN_LEASE and a later pass (here or elsewhere) tries again.
        log.exception("retention run failed")
        return 0
    await _keep_until(me, at + EVERY)
    log.info("retention run: %s", result.done)
    return result.total
