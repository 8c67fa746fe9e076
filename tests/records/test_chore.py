"""The daily retention chore runs once per cluster: a lease taken by one conditional write."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from accounts.principal import Role
from grandrounds.db import now
from grandrounds.server.wiring import chores
from records.services.chore import NAME, daily_retention, lease_until, take_lease
from records.tables import ChoreLease
from tests.builders.audit import audit_rows
from tests.builders.records import past_event, person, register


async def an_old_attendee() -> int:
    event_id = await past_event(1200)
    attendee = await person(Role.MEMBER, days=1300)
    await register(event_id, attendee)
    return attendee.id


async def test_two_concurrent_runs_one_applies_the_other_finds_the_lease_held() -> None:
    await an_old_attendee()
    first, second = await asyncio.gather(daily_retention("process-a"), daily_retention("process-b"))
    assert sorted([first, second]) == [0, 1], "one run anonymized the attendee, the other did nothing"
    assert len(await audit_rows("retention.run")) == 1
    assert len(await audit_rows("person.erase")) == 1
    [lease] = await ChoreLease.select()
    assert lease["holder"] == ("process-a" if first else "process-b")
    assert timedelta(hours=23) < lease["until"] - now() <= timedelta(hours=24)


async def test_within_a_day_of_the_last_run_it_returns_at_once_and_then_runs_again() -> None:
    assert await daily_retention("process-a") == 0
    assert len(await audit_rows("retention.run")) == 1
    await an_old_attendee()
    assert await daily_retention("process-b") == 0, "the last run is less than a day old"
    assert len(await audit_rows("retention.run")) == 1
    await ChoreLease.update({ChoreLease.until: now() - timedelta(seconds=1)}).where(ChoreLease.name == NAME)
    assert await daily_retention("process-b") == 1
    assert len(await audit_rows("retention.run")) == 2


async def test_the_lease_is_taken_only_once_it_has_lapsed() -> None:
    at = now()
    assert await lease_until() is None
    assert await take_lease("a", at, timedelta(minutes=30))
    assert not await take_lease("b", at + timedelta(minutes=29), timedelta(minutes=30))
    assert await take_lease("b", at + timedelta(minutes=31), timedelta(minutes=30))
    assert (await ChoreLease.select(ChoreLease.holder).first()) == {"holder": "b"}


def test_the_chore_is_wired_for_every_dispatcher() -> None:
    assert daily_retention in chores()
    assert chores()[-1] is daily_retention
