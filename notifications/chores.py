"""Background chores on their own schedules, each run once per interval for the whole cluster.

Every dispatcher (the one inside each ``serve`` process while
``GRANDROUNDS_DISPATCHER_IN_SERVER=1``, each ``grandrounds worker``) ticks
through the same list of :class:`ChoreSpec`. Each chore has a row in
``notifications_chore_lease`` whose ``until`` says when it is next due. A tick
reads every row in one query and goes on when nothing is due, which is most
ticks. For a chore that is due, one conditional write that works the same on
both engines (insert the row if missing, then UPDATE it where ``until`` has
passed) decides which process runs it: exactly one caller gets its row back.
The winner holds the row for the chore's ``lease`` (how long a run may take
before its runner is presumed dead), runs it, then sets ``until`` to the run's
start plus ``every``. So N processes run a chore once per interval, not N
times, and a process that dies mid-run delays the chore by ``lease`` at most.

A run that fails (or is cancelled when its process stops) is tried again after
the shorter of ``every`` and ``lease``: soon for the frequent chores, and for
the daily retention run after half an hour rather than a day.

The package that owns a chore says what it does; the composition
(``grandrounds.server.wiring.chores``) says how often, and the dispatcher
(``notifications.dispatcher.Dispatcher.run_chore``) is the one place a run
starts and ends.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from grandrounds.db import write_transaction
from notifications.tables import ChoreLease

# The row a chore gets the first time any process asks: due at once.
NEVER = datetime(2000, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class ChoreSpec:
    """One background job: what to run, how often for the cluster, and how long one run may take.

    ``run`` returns how much it did (rows, messages), for the log. ``lease`` should
    exceed the longest healthy run: a run still going when it lapses may be
    started again elsewhere (every chore is idempotent, so that costs work, not
    correctness).
    """

    name: str
    run: Callable[[], Awaitable[int]]
    every: timedelta
    lease: timedelta

    def __post_init__(self) -> None:
        if not 0 < len(self.name) <= 64:
            raise ValueError(f"a chore's name is 1 to 64 characters: {self.name!r}")
        if self.every <= timedelta(0) or self.lease <= timedelta(0):
            raise ValueError(f"chore {self.name}: every and lease must be positive")

    def next_due(self, started: datetime, succeeded: bool) -> datetime:
        """When the chore is due again after a run that began at ``started``."""
        return started + (self.every if succeeded else min(self.every, self.lease))


async def lease_ends() -> dict[str, datetime]:
    """Every chore's ``until``, in one query; a chore never run has no entry."""
    rows = await ChoreLease.select(ChoreLease.name, ChoreLease.until)
    return {row["name"]: row["until"] for row in rows}


def due(specs: Iterable[ChoreSpec], ends: dict[str, datetime], at: datetime) -> list[ChoreSpec]:
    """The chores whose lease has lapsed at ``at`` (or that never ran), in the order given."""
    return [spec for spec in specs if spec.name not in ends or ends[spec.name] <= at]


async def take(name: str, holder: str, at: datetime, hold_for: timedelta) -> bool:
    """True when ``holder`` now holds the chore: its lease was free at ``at`` and this write took it."""
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


async def keep_until(name: str, holder: str, until: datetime) -> None:
    """After a run: the chore is next due at ``until``, unless another process took it meanwhile."""
    async with write_transaction():
        await ChoreLease.update({ChoreLease.until: until}).where(
            (ChoreLease.name == name) & (ChoreLease.holder == holder)
        )
