"""Staff edit, reschedule and cancel an event through its pages."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from accounts.principal import Role
from events.tables import Event
from notifications.tables import OutboxMessage
from tests.builders.clients import csrf_from, sign_in
from tests.builders.event_pages import CHICAGO, YEAR, alert, form_fields, gap_time, local, send, snapshot
from tests.builders.events import new_event, register, the_session
from tests.builders.pages import visible_text
from tests.builders.people import make_actor


async def test_staff_edit_the_event_and_see_it_saved(client) -> None:
    event_id, staff = await new_event(client)
    await sign_in(client, staff)
    edit = f"/staff/events/{event_id}/edit"
    response = await send(
        client,
        edit,
        edit,
        title="Grand Rounds: the second hour",
        venue="Room 4B",
        capacity="40",
        topic="  Crisis   comms ",
        reminder_hours="48, 2",
        member_only="on",
        description="Bring\r\nquestions.",
    )
    assert response.status_code == 303, response.text
    assert response.headers["location"] == f"/staff/events/{event_id}?done=updated"
    event = await Event.select().where(Event.id == event_id).first()
    assert event["title"] == "Grand Rounds: the second hour" and event["venue"] == "Room 4B"
    assert event["capacity"] == 40 and event["topic"] == "Crisis comms" and event["member_only"] is True
    assert event["reminder_hours"] == "48,2" and event["description"] == "Bring\nquestions."
    shown = await client.get(response.headers["location"])
    assert "Changes saved." in shown.text
    again = form_fields((await client.get(edit)).text, edit)
    assert again["member_only"] == "on" and again["reminder_hours"] == "48,2"


async def test_a_reschedule_through_the_page_raises_sequence_and_queues_updates(client) -> None:
    # Stored with seconds and a trailing space: sent back unchanged, neither counts as a move.
    start = datetime.now(UTC).replace(second=17, microsecond=0) + timedelta(days=30)
    event_id, staff = await new_event(
        client,
        venue="Room 4B ",
        starts_at=start.isoformat(),
        ends_at=(start + timedelta(hours=1)).isoformat(),
    )
    registrant = await make_actor(Role.MEMBER)
    assert (await register(client, event_id, registrant))["status"] == "confirmed"
    session = await the_session(event_id)
    invites = OutboxMessage.select().where(
        (OutboxMessage.template == "session_invite") & (OutboxMessage.recipient == registrant.email)
    )
    sent_before = len(await invites)
    await sign_in(client, staff)
    edit = f"/staff/events/{event_id}/edit"
    unchanged = await send(client, edit, edit)
    assert unchanged.headers["location"] == f"/staff/events/{event_id}?done=unchanged"
    assert (await the_session(event_id))["sequence"] == 0 and len(await invites) == sent_before

    new_start = (session["starts_at"] + timedelta(days=1)).replace(second=0, microsecond=0)
    moved = await send(
        client, edit, edit, starts_at=local(new_start), ends_at=local(new_start + timedelta(minutes=90))
    )
    assert moved.status_code == 303, moved.text
    after = await the_session(event_id)
    assert after["sequence"] == 1
    assert after["starts_at"] == new_start and after["ends_at"] == new_start + timedelta(minutes=90)
    updates = (await invites)[sent_before:]
    assert len(updates) == 1
    context = updates[0]["context"]
    context = json.loads(context) if isinstance(context, str) else context
    assert context["is_update"] is True and context["invite"]["method"] == "REQUEST"


async def test_changing_the_zone_reads_the_times_in_the_new_zone(client) -> None:
    event_id, staff = await new_event(client)
    await sign_in(client, staff)
    edit = f"/staff/events/{event_id}/edit"
    response = await send(
        client,
        edit,
        edit,
        time_zone="Europe/London",
        starts_at=f"{YEAR}-07-01T12:00",
        ends_at=f"{YEAR}-07-01T13:00",
    )
    assert response.status_code == 303, response.text
    event = await Event.select().where(Event.id == event_id).first()
    # Noon in London in July is 11:00 UTC (BST).
    assert event["time_zone"] == "Europe/London"
    assert event["starts_at"] == datetime(YEAR, 7, 1, 11, tzinfo=UTC)


@pytest.mark.parametrize(
    ("change", "status", "message"),
    [
        ({"ends_at": "START-1h"}, 400, "The event must end after it starts."),
        ({"starts_at": "GAP"}, 400, "does not exist in this time zone"),
        ({"starts_at": "next tuesday"}, 400, "Give a date and time"),
        ({"capacity": "1"}, 409, "2 seats are already taken"),
        ({"capacity": "lots"}, 400, "Capacity must be a whole number"),
        ({"title": "   "}, 400, "Give a title."),
        ({"title": "x" * 201}, 400, "too long"),
        ({"time_zone": "Mars/Olympus_Mons"}, 400, "Unknown time zone"),
        ({"reminder_hours": "soon"}, 400, "Reminder hours are whole hours"),
        ({"join_url": "javascript:alert(1)"}, 400, "join link must be a web address"),
    ],
    ids=lambda v: next(iter(v)) if isinstance(v, dict) else str(v),
)
async def test_bad_edits_show_the_form_again_and_write_nothing(client, change, status, message) -> None:
    event_id, staff = await new_event(client)
    for _ in range(2):
        await register(client, event_id, await make_actor(Role.MEMBER))
    await sign_in(client, staff)
    edit = f"/staff/events/{event_id}/edit"
    shown = form_fields((await client.get(edit)).text, edit)
    start = datetime.fromisoformat(shown["starts_at"]).replace(tzinfo=CHICAGO)
    filled = {k: gap_time() if v == "GAP" else local(start - timedelta(hours=1)) if v == "START-1h" else v
              for k, v in change.items()}  # fmt: skip
    before = await snapshot()
    response = await client.post(
        edit,
        data={
            **shown,
            "venue": "Typed venue",
            **filled,
            "_csrf_token": csrf_from((await client.get(edit)).text),
        },
    )
    assert response.status_code == status, response.text
    assert message in alert(response.text)
    assert 'value="Typed venue"' in response.text  # what was typed is kept
    field = next(iter(change))
    assert f'id="{field}"' in response.text
    assert await snapshot() == before


async def test_cancelling_asks_for_a_reason_on_a_page_of_its_own(client) -> None:
    event_id, staff = await new_event(client)
    registrant = await make_actor(Role.MEMBER)
    await register(client, event_id, registrant)
    await sign_in(client, staff)
    page = f"/staff/events/{event_id}/cancel"
    confirm = await client.get(page)
    assert "1 live registration " in visible_text(confirm.text)
    before = await snapshot()
    missing = await send(client, page, page, reason="   ")
    assert missing.status_code == 400 and "Say why it is cancelled" in alert(missing.text)
    assert await snapshot() == before
    too_long = await send(client, page, page, reason="x" * 201)
    assert too_long.status_code == 400 and await snapshot() == before

    done = await send(client, page, page, reason="The speaker is unwell")
    assert done.status_code == 303 and done.headers["location"] == f"/staff/events/{event_id}?done=cancelled"
    assert (await Event.select(Event.status).where(Event.id == event_id).first())["status"] == "cancelled"
    told = await OutboxMessage.select().where(OutboxMessage.template == "event_cancelled")
    assert [m["recipient"] for m in told] == [registrant.email]
    assert "The speaker is unwell" in str(told[0]["context"])
    shown = await client.get(done.headers["location"])
    assert (
        "The event is cancelled" in shown.text and f'href="/staff/events/{event_id}/edit"' not in shown.text
    )
    assert (await client.get(f"/staff/events/{event_id}/edit")).status_code == 409
