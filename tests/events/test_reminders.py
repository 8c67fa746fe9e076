"""Reminders before sessions: the nearest due one, once per person, never to the unconfirmed."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from accounts.principal import Role
from events.services import reminders
from events.services.reminders import due_offset, local_wording, reminder_hours, send_due_reminders
from events.tables import Session
from notifications.tables import OutboxMessage
from tests.builders.events import JOIN, published_event
from tests.builders.people import make_actor

START = datetime(2027, 3, 16, 17, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("setting", "expected"),
    [("24,1", (24, 1)), ("1, 24", (24, 1)), ("", ()), ("48,x,-3,0,1", (48, 1)), ("9999", ())],
)
def test_reminder_hours_parse(setting: str, expected: tuple[int, ...]) -> None:
    assert reminder_hours(setting) == expected


@pytest.mark.parametrize(
    ("before", "expected"),
    [
        (timedelta(hours=30), None),
        (timedelta(hours=24), 24),
        (timedelta(hours=23), 24),
        (timedelta(minutes=59), 1),
        (timedelta(minutes=30), 1),  # a server down all day sends one reminder, the nearest
        (timedelta(0), None),
        (-timedelta(minutes=5), None),
    ],
)
def test_the_nearest_due_reminder_is_chosen(before: timedelta, expected: int | None) -> None:
    assert due_offset(START, (24, 1), START - before) == expected


def test_wording_is_in_the_readers_zone_across_daylight_saving() -> None:
    # 16 March 2027: Chicago is already on CDT (since 14 March), London still on GMT.
    assert local_wording(START, "America/Chicago") == "Tuesday 16 March 2027, 12:00 CDT"
    assert local_wording(START, "Europe/London") == "Tuesday 16 March 2027, 17:00 GMT"


async def _webinar_with_people(client, capacity: int = 1) -> tuple[int, dict, object, object]:
    start = datetime.now(UTC) + timedelta(days=3)
    event_id = await published_event(
        client,
        capacity=capacity,
        starts_at=start.isoformat(),
        ends_at=(start + timedelta(hours=1)).isoformat(),
    )
    confirmed = await make_actor(Role.MEMBER)
    waiting = await make_actor(Role.MEMBER)
    for actor in (confirmed, waiting):
        r = await client.post(f"/api/v1/events/{event_id}/registrations", headers=actor.headers)
        assert r.status_code == 201
    session = await Session.select().where(Session.event == event_id).first()
    return event_id, session, confirmed, waiting


async def test_reminders_go_once_to_confirmed_people_only(client) -> None:
    _, session, confirmed, waiting = await _webinar_with_people(client)
    start = session["starts_at"]
    assert await send_due_reminders(start - timedelta(hours=30)) == 0
    assert await send_due_reminders(start - timedelta(hours=23)) == 1
    assert await send_due_reminders(start - timedelta(hours=22)) == 0, "the same reminder is queued once"
    assert await send_due_reminders(start - timedelta(minutes=40)) == 1
    rows = await OutboxMessage.select().where(OutboxMessage.template == "session_reminder")
    assert {r["recipient"] for r in rows} == {confirmed.email}
    contexts = [json.loads(r["context"]) if isinstance(r["context"], str) else r["context"] for r in rows]
    assert sorted(c["hours"] for c in contexts) == [1, 24]
    assert all(c["join_url"] == JOIN for c in contexts), "confirmed people get the join link"
    assert not any(waiting.email == r["recipient"] for r in rows)


async def test_a_rescheduled_session_is_reminded_again(client) -> None:
    _, session, _, _ = await _webinar_with_people(client)
    start = session["starts_at"]
    assert await send_due_reminders(start - timedelta(minutes=30)) == 1
    later = start + timedelta(days=1)
    await Session.update({Session.starts_at: later, Session.ends_at: later + timedelta(hours=1)}).where(
        Session.id == session["id"]
    )
    assert await send_due_reminders(later - timedelta(minutes=30)) == 1


async def test_a_crash_before_the_batch_commits_neither_resends_nor_skips(client, monkeypatch) -> None:
    event_id, session, *_ = await _webinar_with_people(client, capacity=10)
    for _ in range(4):
        extra = await make_actor(Role.MEMBER)
        assert (
            await client.post(f"/api/v1/events/{event_id}/registrations", headers=extra.headers)
        ).status_code == 201
    real = reminders.enqueue_emails

    async def dies_after_writing(*args, **kwargs):  # type: ignore[no-untyped-def]
        await real(*args, **kwargs)
        raise ConnectionError("the process died here")

    monkeypatch.setattr(reminders, "enqueue_emails", dies_after_writing)
    moment = session["starts_at"] - timedelta(hours=2)
    with pytest.raises(ConnectionError):
        await send_due_reminders(moment)
    reminded = OutboxMessage.template == "session_reminder"
    assert await OutboxMessage.count().where(reminded) == 0, "the written rows rolled back with the batch"
    monkeypatch.setattr(reminders, "enqueue_emails", real)
    assert await send_due_reminders(moment) == 6
    assert await send_due_reminders(moment) == 0
    rows = await OutboxMessage.select(OutboxMessage.recipient).where(
        OutboxMessage.template == "session_reminder"
    )
    recipients = [r["recipient"] for r in rows]
    assert len(recipients) == len(set(recipients)) == 6
