"""Chores run once per interval for the cluster, and never hold mail back."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import timedelta

import pytest

from grandrounds.db import now, write_transaction
from grandrounds.server.wiring import chores
from grandrounds.settings import get_settings
from notifications.chores import ChoreSpec
from notifications.dispatcher import Dispatcher
from notifications.outbox import enqueue_email
from notifications.tables import ChoreLease, OutboxMessage
from notifications.transports import MailLogTransport
from tests.builders.mail import Inbox, smtp_dispatcher

SECOND = timedelta(seconds=1)


def counting(runs: Counter[str], name: str, every: timedelta) -> ChoreSpec:
    async def run() -> int:
        runs[name] += 1
        return 1

    return ChoreSpec(name, run, every=every, lease=timedelta(minutes=5))


def dispatchers(specs: list[ChoreSpec], tmp_path) -> list[Dispatcher]:  # type: ignore[no-untyped-def]
    settings = get_settings()
    return [
        Dispatcher(MailLogTransport(tmp_path / f"{worker}.log"), settings, worker, chores=specs)
        for worker in ("worker-a", "worker-b")
    ]


async def test_two_dispatchers_at_the_same_instant_run_each_chore_once_per_interval(tmp_path) -> None:
    runs: Counter[str] = Counter()
    specs = [counting(runs, "often", 15 * SECOND), counting(runs, "hourly", timedelta(hours=1))]
    a, b = dispatchers(specs, tmp_path)
    at = now()

    ran = await asyncio.gather(a.run_chores(at), b.run_chores(at))
    assert runs == {"often": 1, "hourly": 1} and sum(ran) == 2

    # Both ask again within the interval: nothing is due.
    assert await asyncio.gather(a.run_chores(at + 14 * SECOND), b.run_chores(at + 14 * SECOND)) == [0, 0]
    assert runs == {"often": 1, "hourly": 1}

    # After its interval each chore runs once more, the hourly one only after its hour.
    await asyncio.gather(a.run_chores(at + 15 * SECOND), b.run_chores(at + 15 * SECOND))
    assert runs == {"often": 2, "hourly": 1}
    later = at + timedelta(hours=1)
    await asyncio.gather(b.run_chores(later), a.run_chores(later))
    assert runs == {"often": 3, "hourly": 2}
    leases = {row["name"]: row["until"] for row in await ChoreLease.select()}
    assert leases == {"often": later + 15 * SECOND, "hourly": later + timedelta(hours=1)}


async def test_a_failed_run_is_tried_again_after_the_shorter_of_interval_and_lease(tmp_path) -> None:
    attempts = 0

    async def fails() -> int:
        nonlocal attempts
        attempts += 1
        raise ConnectionError("Stripe is away")

    daily = ChoreSpec("flaky", fails, every=timedelta(days=1), lease=timedelta(minutes=30))
    [a, b] = dispatchers([daily], tmp_path)
    at = now()
    assert await a.run_chores(at) == 1 and attempts == 1, "the failure is logged, not raised"
    assert await b.run_chores(at + timedelta(minutes=29)) == 0
    assert await b.run_chores(at + timedelta(minutes=30)) == 1 and attempts == 2


def test_the_wired_chores_have_one_name_each_and_a_lease_longer_than_a_tick() -> None:
    specs = chores()
    assert len({spec.name for spec in specs}) == len(specs)
    assert all(spec.lease > SECOND for spec in specs)
    assert {spec.name for spec in specs} >= {"offer-expiry", "hold-expiry", "session-reminders", "retention"}


def test_a_chore_needs_a_usable_name_and_schedule() -> None:
    async def nothing() -> int:
        return 0

    with pytest.raises(ValueError):
        ChoreSpec("", nothing, every=SECOND, lease=SECOND)
    with pytest.raises(ValueError):
        ChoreSpec("x", nothing, every=timedelta(0), lease=SECOND)


async def test_a_chore_that_never_returns_does_not_hold_mail_back(smtp_server: tuple[Inbox, int]) -> None:
    inbox, port = smtp_server
    started, finished = asyncio.Event(), asyncio.Event()
    cancelled = False

    async def stuck() -> int:
        # A Stripe call that hangs: it waits for an event nobody sets.
        nonlocal cancelled
        started.set()
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            cancelled = True
            raise
        finally:
            finished.set()
        return 0

    async with write_transaction():
        await enqueue_email("welcome", "patient@example.org", {"name": "P", "account_url": "u"})
    dispatcher = smtp_dispatcher(port)
    dispatcher.chores = [ChoreSpec("stuck", stuck, every=SECOND, lease=timedelta(minutes=5))]
    running = asyncio.create_task(dispatcher.run_forever(poll_seconds=0.05))
    try:
        await asyncio.wait_for(started.wait(), timeout=30)
        assert await asyncio.to_thread(inbox.received.wait, 30), "the message waited for the chore"
    finally:
        dispatcher.stop()
        await asyncio.wait_for(running, timeout=30)

    assert [m["To"] for m in inbox.messages] == ["patient@example.org"]
    assert (await OutboxMessage.select(OutboxMessage.status).first()) == {"status": "sent"}
    assert finished.is_set() and cancelled, "stopping cancelled the stuck chore"
    # The stuck run never finished: the chore is due again in one interval, not a whole lease.
    lease = await ChoreLease.select().where(ChoreLease.name == "stuck").first()
    assert lease is not None and lease["until"] - now() <= SECOND
