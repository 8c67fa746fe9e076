"""The daily retention chore runs once per cluster: the dispatchers' lease, taken by one conditional write."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from accounts.principal import Role
from grandrounds.db import now
from grandrounds.server.wiring import chores
from grandrounds.settings import get_settings
from notifications.chores import ChoreSpec
from notifications.dispatcher import Dispatcher
from notifications.tables import ChoreLease
from notifications.transports import MailLogTransport
from records.services.chore import daily_retention
from tests.builders.audit import audit_rows
from tests.builders.records import past_event, person, register


def retention_spec() -> ChoreSpec:
    [spec] = [spec for spec in chores() if spec.name == "retention"]
    return spec


def dispatcher(worker_id: str, tmp_path) -> Dispatcher:  # type: ignore[no-untyped-def]
    settings = get_settings()
    return Dispatcher(
        MailLogTransport(tmp_path / f"{worker_id}.log"), settings, worker_id, chores=[retention_spec()]
    )


async def an_old_attendee() -> int:
    event_id = await past_event(1200)
    attendee = await person(Role.MEMBER, days=1300)
    await register(event_id, attendee)
    return attendee.id


async def test_two_processes_at_once_one_applies_the_other_finds_the_lease_held(tmp_path) -> None:
    await an_old_attendee()
    at = now()
    a, b = dispatcher("process-a", tmp_path), dispatcher("process-b", tmp_path)
    first, second = await asyncio.gather(a.run_chores(at), b.run_chores(at))
    assert sorted([first, second]) == [0, 1], "one dispatcher ran retention, the other did nothing"
    assert len(await audit_rows("retention.run")) == 1
    assert len(await audit_rows("person.erase")) == 1
    [lease] = await ChoreLease.select()
    assert lease["holder"] == ("process-a" if first else "process-b")
    assert lease["until"] == at + timedelta(days=1)


async def test_within_a_day_of_the_last_run_nothing_runs_and_then_it_runs_again(tmp_path) -> None:
    at = now()
    b = dispatcher("process-b", tmp_path)
    assert await dispatcher("process-a", tmp_path).run_chores(at) == 1
    assert len(await audit_rows("retention.run")) == 1
    await an_old_attendee()
    assert await b.run_chores(at + timedelta(hours=23)) == 0, "the last run is less than a day old"
    assert len(await audit_rows("retention.run")) == 1
    assert await b.run_chores(at + timedelta(days=1)) == 1
    assert len(await audit_rows("retention.run")) == 2
    assert len(await audit_rows("person.erase")) == 1


def test_retention_is_wired_last_and_daily() -> None:
    spec = chores()[-1]
    assert spec.run is daily_retention
    assert spec.every == timedelta(days=1) and spec.lease == timedelta(minutes=30)
