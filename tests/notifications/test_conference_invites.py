"""A conference's invites: one copy of the event per whole-event registrant, per-session copies
for speakers and seat holders, and invites built at delivery from the rows as they are then.

Delivered through a real SMTP server and read back with icalendar, as calendar clients would.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.message import Message
from typing import Any

from accounts.principal import Role
from events.tables import Event, Session
from notifications.tables import OutboxMessage
from tests.builders.events import JOIN, new_event, register, the_session
from tests.builders.mail import HOST, calendar_of, deliver, texts, to, vevent
from tests.builders.people import Actor, make_actor

START = datetime(2027, 5, 3, 13, tzinfo=UTC)  # Monday 08:00 in Chicago (CDT)
END = START + timedelta(days=2, hours=9)  # Wednesday 17:00


async def conference(client, **over: Any) -> tuple[int, Actor]:
    values = {"kind": "conference", "starts_at": START.isoformat(), "ends_at": END.isoformat()}
    values.update(venue="Convention Center, Hall A", join_url=JOIN, capacity=50, **over)
    return await new_event(client, **values)


async def add_sessions(client, event_id: int, staff: Actor, count: int, **over: Any) -> list[dict[str, Any]]:
    made = []
    for n in range(count):
        starts = START + timedelta(days=n % 3, hours=1 + n // 3)
        body = {
            "title": f"Session {n + 1}",
            "starts_at": starts.isoformat(),
            "ends_at": (starts + timedelta(minutes=45)).isoformat(),
            **over,
        }
        response = await client.post(f"/api/v1/events/{event_id}/sessions", json=body, headers=staff.headers)
        assert response.status_code == 201, response.text
        made.append(response.json())
    return made


def invites_to(inbox, address: str) -> list[Message]:
    return [m for m in to(inbox, address) if m.get_content_type() == "multipart/mixed"]


async def test_a_whole_event_registrant_gets_one_invite_and_one_cancel(client, smtp_server) -> None:
    inbox, port = smtp_server
    event_id, staff = await conference(client)
    await add_sessions(client, event_id, staff, 9)
    person = await make_actor(Role.MEMBER)
    await register(client, event_id, person)
    listed = (await client.get("/api/v1/me/messages/", headers=person.headers)).json()["items"]
    assert "Invitation: Grand Rounds: the first hour of a crisis" in [m["subject"] for m in listed]
    await deliver(port)

    [invite] = invites_to(inbox, person.email)
    assert len(to(inbox, person.email)) == 2, "the confirmation and one invite, not one per session"
    calendar = calendar_of(invite)
    entry = vevent(calendar)
    assert calendar["METHOD"] == "REQUEST" and entry["SEQUENCE"] == 0
    assert str(entry["UID"]) == f"event-{event_id}-person-{person.id}@{HOST}"
    assert str(entry["DTSTART"].params["TZID"]) == "America/Chicago"
    assert entry.start.replace(tzinfo=None) == datetime(2027, 5, 3, 8) and entry.end == END
    assert [tz.tz_name for tz in calendar.timezones] == ["America/Chicago"]
    assert "Convention Center" in str(entry["LOCATION"]) and JOIN in str(entry["CONFERENCE"])
    assert invite["Subject"].startswith("Invitation:")

    inbox.messages.clear()
    cancelled = await client.post(
        f"/api/v1/events/{event_id}/cancel", json={"reason": "Venue flooded"}, headers=staff.headers
    )
    assert cancelled.status_code == 200
    await deliver(port)
    [message] = to(inbox, person.email)
    calendar = calendar_of(message)
    gone = vevent(calendar)
    assert calendar["METHOD"] == "CANCEL" and gone["STATUS"] == "CANCELLED"
    assert gone["UID"] == entry["UID"] and gone["SEQUENCE"] == 1
    assert "Venue flooded" in texts(message) and JOIN not in message.as_string()
    assert (await Event.select(Event.sequence).where(Event.id == event_id).first())["sequence"] == 1


async def test_withdrawing_a_whole_event_place_cancels_its_one_copy(client, smtp_server) -> None:
    inbox, port = smtp_server
    event_id, staff = await conference(client)
    await add_sessions(client, event_id, staff, 3)
    person = await make_actor(Role.MEMBER)
    reg = await register(client, event_id, person)
    await deliver(port)
    [invite] = invites_to(inbox, person.email)
    inbox.messages.clear()
    await client.post(f"/api/v1/registrations/{reg['id']}/cancel", headers=person.headers)
    await deliver(port)
    [message] = to(inbox, person.email)
    calendar = calendar_of(message)
    assert calendar["METHOD"] == "CANCEL" and vevent(calendar)["UID"] == vevent(calendar_of(invite))["UID"]


async def test_adding_or_moving_a_session_emails_no_whole_event_registrant(client, smtp_server) -> None:
    inbox, port = smtp_server
    event_id, staff = await conference(client)
    people = [await make_actor(Role.MEMBER) for _ in range(3)]
    for person in people:
        await register(client, event_id, person)
    await deliver(port)
    inbox.messages.clear()
    queued = await OutboxMessage.count()

    [session] = await add_sessions(client, event_id, staff, 1)
    later = START + timedelta(hours=5)
    moved = await client.patch(
        f"/api/v1/sessions/{session['id']}",
        json={"starts_at": later.isoformat(), "ends_at": (later + timedelta(hours=1)).isoformat()},
        headers=staff.headers,
    )
    assert moved.status_code == 200 and moved.json()["sequence"] == 1
    assert await OutboxMessage.count() == queued, "their feed shows the sessions; no email"
    assert await deliver(port) == 0 and inbox.messages == []


async def test_a_seat_holder_gets_a_copy_of_their_session(client, smtp_server) -> None:
    inbox, port = smtp_server
    event_id, staff = await conference(client)
    [workshop] = await add_sessions(client, event_id, staff, 1, capacity=2, room="Lab 3")
    seated = await make_actor(Role.MEMBER)
    booked = await client.post(
        f"/api/v1/events/{event_id}/registrations",
        json={"session_id": workshop["id"]},
        headers=seated.headers,
    )
    assert booked.status_code == 201 and booked.json()["status"] == "confirmed", booked.text
    await deliver(port)
    [invite] = invites_to(inbox, seated.email)
    entry = vevent(calendar_of(invite))
    assert str(entry["UID"]) == f"session-{workshop['id']}-person-{seated.id}@{HOST}"
    assert entry.start == datetime.fromisoformat(workshop["starts_at"]) and "Lab 3" in str(entry["LOCATION"])


async def test_moving_the_conference_updates_each_registrant_once(client, smtp_server) -> None:
    inbox, port = smtp_server
    event_id, staff = await conference(client)
    await add_sessions(client, event_id, staff, 2)
    people = [await make_actor(Role.MEMBER) for _ in range(2)]
    for person in people:
        await register(client, event_id, person)
    await deliver(port)
    first = {p.email: vevent(calendar_of(invites_to(inbox, p.email)[0])) for p in people}
    inbox.messages.clear()

    renamed = await client.patch(
        f"/api/v1/events/{event_id}", json={"title": "Summit"}, headers=staff.headers
    )
    assert renamed.status_code == 200
    assert (await Event.select(Event.sequence).where(Event.id == event_id).first())["sequence"] == 0
    assert await deliver(port) == 0, "a title is not time or place"

    earlier = START - timedelta(days=1)
    moved = await client.patch(
        f"/api/v1/events/{event_id}", json={"starts_at": earlier.isoformat()}, headers=staff.headers
    )
    assert moved.status_code == 200, moved.text
    assert (await Event.select(Event.sequence).where(Event.id == event_id).first())["sequence"] == 1
    assert {s["sequence"] for s in await Session.select(Session.sequence)} == {0}, "sessions did not move"
    await deliver(port)
    assert sorted(m["To"] for m in inbox.messages) == sorted(p.email for p in people)
    for person in people:
        [update] = to(inbox, person.email)
        calendar = calendar_of(update)
        entry = vevent(calendar)
        assert calendar["METHOD"] == "REQUEST" and update["Subject"].startswith("Updated:")
        assert entry["UID"] == first[person.email]["UID"] and entry["SEQUENCE"] == 1
        assert entry.start == earlier and entry.end == END


async def test_an_invite_is_built_from_the_rows_at_delivery(client, smtp_server) -> None:
    """Queued before a reschedule, sent after: both messages carry the new time, and each its
    own SEQUENCE in the order they were queued (a copy's sequence is fixed with the change)."""
    inbox, port = smtp_server
    event_id, staff = await new_event(client)
    person = await make_actor(Role.MEMBER)
    await register(client, event_id, person)
    [queued] = await OutboxMessage.select(OutboxMessage.context).where(
        OutboxMessage.template == "session_invite"
    )
    assert "BEGIN:VCALENDAR" not in str(queued["context"]) and JOIN not in str(queued["context"])
    session = await the_session(event_id)
    later = session["starts_at"] + timedelta(days=1)
    await client.patch(
        f"/api/v1/events/{event_id}",
        json={"starts_at": later.isoformat(), "ends_at": (later + timedelta(hours=1)).isoformat()},
        headers=staff.headers,
    )
    await deliver(port)
    sent = invites_to(inbox, person.email)
    assert len(sent) == 2
    entries = [vevent(calendar_of(message)) for message in sent]
    assert sorted(entry["SEQUENCE"] for entry in entries) == [0, 1]
    for entry in entries:
        assert entry.start == later and JOIN in str(entry["CONFERENCE"])


async def test_the_join_link_is_checked_again_at_delivery(client, smtp_server) -> None:
    """Confirmed when queued, cancelled before it went out: the REQUEST goes without the link."""
    inbox, port = smtp_server
    event_id, _ = await new_event(client)
    person = await make_actor(Role.MEMBER)
    reg = await register(client, event_id, person)
    await client.post(f"/api/v1/registrations/{reg['id']}/cancel", headers=person.headers)
    await deliver(port)
    request, cancel = invites_to(inbox, person.email)
    assert calendar_of(request)["METHOD"] == "REQUEST" and calendar_of(cancel)["METHOD"] == "CANCEL"
    for message in to(inbox, person.email):
        assert JOIN not in message.as_string()


async def test_a_message_whose_session_is_gone_fails_for_good_and_the_rest_go_out(
    client, smtp_server
) -> None:
    inbox, port = smtp_server
    gone_event, _ = await new_event(client)
    first = await make_actor(Role.MEMBER)
    await register(client, gone_event, first)
    kept_event, _ = await new_event(client)
    second = await make_actor(Role.MEMBER)
    await register(client, kept_event, second)
    session = await the_session(gone_event)
    await Session.delete().where(Session.id == session["id"])

    await deliver(port)
    assert await OutboxMessage.count().where(OutboxMessage.status == "pending") == 0
    [failed] = await OutboxMessage.select().where(OutboxMessage.status == "failed")
    assert failed["template"] == "session_invite" and failed["recipient"] == first.email
    assert f"session {session['id']} no longer exists" in failed["last_error"]
    assert failed["attempts"] == 1
    assert len(invites_to(inbox, second.email)) == 1 and invites_to(inbox, first.email) == []
    assert [m["Subject"] for m in to(inbox, first.email)] == [
        m["Subject"] for m in to(inbox, second.email) if m.get_content_type() != "multipart/mixed"
    ], "the first person's confirmation went out all the same"
    assert await deliver(port) == 0, "not tried again"


def test_the_worker_wires_the_resolvers_too() -> None:
    """``grandrounds worker`` builds its dispatcher without the app: it must resolve invites all the same."""
    from grandrounds.registry import set_aside
    from grandrounds.server.background import worker_dispatcher
    from grandrounds.settings import get_settings
    from notifications import invites

    with set_aside():
        worker_dispatcher(get_settings())
        assert {kind for kind, _ in invites.INVITE_RESOLVERS.contents()} == {"session", "event", "booking"}
