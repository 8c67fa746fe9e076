"""One person's copy of a session across its whole history, as a calendar client reads it.

Every emitted file is parsed with icalendar. A client applies a message only
when its SEQUENCE is above the last one it saw for the UID (RFC 5546), so the
copy's SEQUENCE must rise with every message, a per-person CANCEL included;
and the person's feed must show the same copy (same UID, same SEQUENCE).
"""

from __future__ import annotations

from datetime import timedelta

from icalendar import Calendar

from accounts.principal import Role
from accounts.tables import Person, Program
from tests.builders.events import new_event, register, the_session
from tests.builders.mail import calendar_of, deliver, to, vevent
from tests.builders.people import make_actor

CALENDAR = "text/calendar; charset=utf-8"


async def _invites(inbox, address: str) -> list[Calendar]:
    return [calendar_of(m) for m in to(inbox, address) if m.get_content_type() == "multipart/mixed"]


async def _feed(client, actor) -> tuple[str, Calendar]:
    made = await client.post("/api/v1/me/feed/reset", headers=actor.headers)
    assert made.status_code == 200
    response = await client.get("/" + made.json()["url"].split("/", 3)[3])
    assert response.status_code == 200
    return response.headers["content-type"], Calendar.from_ical(response.text)


async def test_request_reschedule_cancel_and_reregister_raise_the_copys_sequence(client, smtp_server) -> None:
    inbox, port = smtp_server
    event_id, staff = await new_event(client)
    person = await make_actor(Role.MEMBER)
    first = await register(client, event_id, person)
    await deliver(port)
    session = await the_session(event_id)
    later = session["starts_at"] + timedelta(days=1)
    moved = await client.patch(
        f"/api/v1/events/{event_id}",
        json={"starts_at": later.isoformat(), "ends_at": (later + timedelta(hours=1)).isoformat()},
        headers=staff.headers,
    )
    assert moved.status_code == 200, moved.text
    rescheduled = await the_session(event_id)
    assert rescheduled["sequence"] == 1
    await deliver(port)
    cancelled = await client.post(f"/api/v1/registrations/{first['id']}/cancel", headers=person.headers)
    assert cancelled.status_code == 200, cancelled.text
    await deliver(port)
    await register(client, event_id, person)
    await deliver(port)

    history = await _invites(inbox, person.email)
    assert [str(c["METHOD"]) for c in history] == ["REQUEST", "REQUEST", "CANCEL", "REQUEST"]
    entries = [vevent(c) for c in history]
    assert len({str(e["UID"]) for e in entries}) == 1, "one UID for the copy, cancel included"
    sequences = [int(e["SEQUENCE"]) for e in entries]
    assert sequences == [0, 1, 2, 3], "every message outranks the one before it"
    assert all(s >= rescheduled["sequence"] for s in sequences[1:]), "never below the session's own"

    content_type, feed = await _feed(client, person)
    assert content_type == CALENDAR
    [shown] = feed.walk("VEVENT")
    assert str(shown["UID"]) == str(entries[-1]["UID"]), "feed and invites are one entry in a client"
    assert int(shown["SEQUENCE"]) == sequences[-1]


async def test_cancelling_the_whole_session_still_outranks_a_person_cancel(client, smtp_server) -> None:
    inbox, port = smtp_server
    event_id, staff = await new_event(client)
    person = await make_actor(Role.MEMBER)
    reg = await register(client, event_id, person)
    await deliver(port)
    await client.post(f"/api/v1/registrations/{reg['id']}/cancel", headers=person.headers)
    await deliver(port)
    await register(client, event_id, person)
    await deliver(port)
    cancelled = await client.post(
        f"/api/v1/events/{event_id}/cancel", json={"reason": "Speaker ill"}, headers=staff.headers
    )
    assert cancelled.status_code == 200, cancelled.text
    await deliver(port)
    history = await _invites(inbox, person.email)
    assert [str(c["METHOD"]) for c in history] == ["REQUEST", "CANCEL", "REQUEST", "CANCEL"]
    assert [int(vevent(c)["SEQUENCE"]) for c in history] == [0, 1, 2, 3]


async def test_invites_name_the_programs_contact_and_ask_for_no_reply(client, smtp_server) -> None:
    inbox, port = smtp_server
    event_id, staff = await new_event(client, publish=False)
    await Program.update({Program.contact_email: "rounds@hospital.example.org"}).where(
        Program.id == staff.program_id
    )
    await client.post(f"/api/v1/events/{event_id}/publish", headers=staff.headers)
    person = await make_actor(Role.MEMBER)
    await register(client, event_id, person)
    await deliver(port)
    [calendar] = await _invites(inbox, person.email)
    event = vevent(calendar)
    assert str(event["ORGANIZER"]).lower() == "mailto:rounds@hospital.example.org"
    assert "no-reply" not in calendar.to_ical().decode()
    assert event["ATTENDEE"].params["RSVP"] == "FALSE", "replies are not processed, so none is asked for"


async def test_the_personal_feed_is_named_for_its_owner_and_says_how_often_to_refresh(client) -> None:
    person = await make_actor(Role.MEMBER)
    await Person.update({Person.name: "Dr Ada Okafor"}).where(Person.id == person.id)
    content_type, feed = await _feed(client, person)
    assert content_type == CALENDAR, "one charset, not two"
    assert "Dr Ada Okafor" in str(feed["X-WR-CALNAME"])
    assert feed["REFRESH-INTERVAL"].dt == timedelta(hours=1)
    assert feed["REFRESH-INTERVAL"].params["VALUE"] == "DURATION"
    assert str(feed["X-PUBLISHED-TTL"]) == "PT1H"


async def test_public_calendar_files_carry_one_charset(client) -> None:
    event_id, _ = await new_event(client)
    session = await the_session(event_id)
    for path in (f"/events/{event_id}/calendar.ics", f"/sessions/{session['id']}/calendar.ics"):
        response = await client.get(path)
        assert response.status_code == 200
        assert response.headers["content-type"] == CALENDAR
        Calendar.from_ical(response.text)


async def test_a_changed_session_link_shows_the_same_in_the_api_the_invite_and_the_feed(
    client, smtp_server
) -> None:
    inbox, port = smtp_server
    event_id, staff = await new_event(client)
    person = await make_actor(Role.MEMBER)
    await register(client, event_id, person)
    session = await the_session(event_id)
    new_link = "https://meet.example.org/j/moved-room"
    changed = await client.patch(
        f"/api/v1/sessions/{session['id']}", json={"join_url": new_link}, headers=staff.headers
    )
    assert changed.status_code == 200, changed.text
    await deliver(port)
    [mine] = (await client.get("/api/v1/registrations/mine", headers=person.headers)).json()
    assert mine["join_url"] == new_link
    assert new_link in str(vevent((await _invites(inbox, person.email))[-1])["CONFERENCE"])
    _, feed = await _feed(client, person)
    [shown] = feed.walk("VEVENT")
    assert new_link in str(shown["DESCRIPTION"])
