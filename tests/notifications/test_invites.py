"""Calendar invites by email, delivered through a real SMTP server and read back with icalendar.

What a calendar client needs: METHOD on the calendar and as the text/calendar
method parameter, one stable UID per session and person, a SEQUENCE that
goes up with every change of time or place, CANCEL with the same UID, and a
VTIMEZONE so the wall-clock time survives a daylight-saving change. And what
the domain needs: the join link only for confirmed registrants and speakers.
"""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from typing import Any

import pytest
from icalendar import Calendar

from accounts.principal import Role
from events.tables import Registration, RegistrationChange, SessionSpeaker
from grandrounds.settings import get_settings
from notifications.calendar import Invitation, build_invite, invite_uid
from notifications.tables import OutboxMessage
from notifications.transports import fill_body
from tests.builders.events import JOIN, new_event, register, the_session
from tests.builders.mail import HOST, calendar_of, deliver, leaves, texts, to, vevent
from tests.builders.people import make_actor


async def test_a_confirmed_registrant_gets_a_request_and_a_waitlisted_one_gets_no_link(
    client, smtp_server
) -> None:
    inbox, port = smtp_server
    event_id, _ = await new_event(client, capacity=1)
    confirmed, waiting = await make_actor(Role.MEMBER), await make_actor(Role.MEMBER)
    await register(client, event_id, confirmed)
    await register(client, event_id, waiting)
    session = await the_session(event_id)
    await deliver(port)

    [invite] = [m for m in to(inbox, confirmed.email) if m.get_content_type() == "multipart/mixed"]
    calendar = calendar_of(invite)
    assert calendar["METHOD"] == "REQUEST"
    event = vevent(calendar)
    assert str(event["UID"]) == f"session-{session['id']}-person-{confirmed.id}@{HOST}"
    assert event["SEQUENCE"] == 0 and event["STATUS"] == "CONFIRMED"
    assert str(event["ORGANIZER"]).lower() == "mailto:no-reply@grandrounds.localhost"
    attendee = event["ATTENDEE"]
    assert str(attendee) == f"mailto:{confirmed.email}"
    assert attendee.params["PARTSTAT"] == "ACCEPTED" and attendee.params["RSVP"] == "FALSE"
    assert "DTSTAMP" in event and event["SUMMARY"]
    assert [tz.tz_name for tz in calendar.timezones] == ["America/Chicago"]
    assert event.start.tzinfo is not None and str(event["DTSTART"].params["TZID"]) == "America/Chicago"
    assert event.start == session["starts_at"] and event.end == session["ends_at"]
    assert (
        JOIN in str(event["CONFERENCE"])
        and JOIN in str(event["LOCATION"])
        and JOIN in str(event["DESCRIPTION"])
    )
    assert JOIN in texts(invite)

    for message in to(inbox, waiting.email):
        assert "text/calendar" not in [p.get_content_type() for p in leaves(message)]
        assert JOIN not in message.as_string()


async def test_a_reschedule_across_daylight_saving_keeps_the_uid_and_raises_the_sequence(
    client, smtp_server
) -> None:
    inbox, port = smtp_server
    # Friday 12 March 2027, 09:00 in Chicago is still standard time (UTC-6).
    event_id, staff = await new_event(
        client, starts_at="2027-03-12T09:00:00-06:00", ends_at="2027-03-12T10:00:00-06:00"
    )
    person = await make_actor(Role.MEMBER)
    await register(client, event_id, person)
    await deliver(port)
    [first] = [m for m in to(inbox, person.email) if m.get_content_type() == "multipart/mixed"]
    before = vevent(calendar_of(first))
    assert before.start.replace(tzinfo=None) == datetime(2027, 3, 12, 9)
    assert before.start.utcoffset() == timedelta(hours=-6)

    # Moved to Tuesday 16 March, 09:00 on the wall clock: daylight time began on the 14th.
    moved = await client.patch(
        f"/api/v1/events/{event_id}",
        json={"starts_at": "2027-03-16T09:00:00-05:00", "ends_at": "2027-03-16T10:00:00-05:00"},
        headers=staff.headers,
    )
    assert moved.status_code == 200, moved.text
    inbox.messages.clear()
    assert await deliver(port) == 1
    [update] = to(inbox, person.email)
    assert update["Subject"].startswith("Updated:")
    calendar = calendar_of(update)
    after = vevent(calendar)
    assert calendar["METHOD"] == "REQUEST"
    assert after["UID"] == before["UID"]
    assert after["SEQUENCE"] > before["SEQUENCE"]
    assert after.start.replace(tzinfo=None) == datetime(2027, 3, 16, 9), "the wall-clock hour stays as set"
    assert after.start.utcoffset() == timedelta(hours=-5), "the offset follows the zone's rules"
    assert after.start.astimezone(UTC) == datetime(2027, 3, 16, 14, tzinfo=UTC)
    ical = calendar.to_ical().decode()
    assert "DTSTART;TZID=America/Chicago:20270316T090000" in ical
    [zone] = calendar.timezones
    assert zone.standard and zone.daylight, "the VTIMEZONE carries both rules around the change"


async def test_cancelling_a_registration_sends_cancel_with_the_same_uid(client, smtp_server) -> None:
    inbox, port = smtp_server
    event_id, _ = await new_event(client)
    person = await make_actor(Role.MEMBER)
    reg = await register(client, event_id, person)
    await deliver(port)
    [request] = [m for m in to(inbox, person.email) if m.get_content_type() == "multipart/mixed"]
    uid = vevent(calendar_of(request))["UID"]
    inbox.messages.clear()
    cancelled = await client.post(f"/api/v1/registrations/{reg['id']}/cancel", headers=person.headers)
    assert cancelled.status_code == 200
    await deliver(port)
    [message] = to(inbox, person.email)
    calendar = calendar_of(message)
    assert calendar["METHOD"] == "CANCEL"
    event = vevent(calendar)
    assert event["UID"] == uid and event["STATUS"] == "CANCELLED"
    assert JOIN not in message.as_string()


async def test_a_claimed_offer_gets_its_request_only_when_confirmed(client, smtp_server) -> None:
    inbox, port = smtp_server
    event_id, _ = await new_event(client, capacity=1)
    holder, next_in_line = await make_actor(Role.MEMBER), await make_actor(Role.MEMBER)
    held = await register(client, event_id, holder)
    waiting = await register(client, event_id, next_in_line)
    await client.post(f"/api/v1/registrations/{held['id']}/cancel", headers=holder.headers)
    await deliver(port)
    offered = to(inbox, next_in_line.email)
    assert offered and all("text/calendar" not in texts(m) and JOIN not in m.as_string() for m in offered)
    for message in offered:
        assert all(p.get_content_type() != "text/calendar" for p in leaves(message))
    inbox.messages.clear()
    claimed = await client.post(f"/api/v1/registrations/{waiting['id']}/claim", headers=next_in_line.headers)
    assert claimed.json()["status"] == "confirmed"
    await deliver(port)
    [invite] = [m for m in to(inbox, next_in_line.email) if m.get_content_type() == "multipart/mixed"]
    assert vevent(calendar_of(invite))["UID"].endswith(f"-person-{next_in_line.id}@{HOST}")


async def test_speaker_invite_answer_update_and_withdrawal_share_one_uid(client, smtp_server) -> None:
    inbox, port = smtp_server
    event_id, staff = await new_event(client)
    session = await the_session(event_id)
    added = await client.post(
        f"/api/v1/sessions/{session['id']}/speakers",
        json={"email": "Dr.Guest@Example.ORG", "name": "Dr. Guest"},
        headers=staff.headers,
    )
    assert added.status_code == 201, added.text
    speaker = added.json()
    await deliver(port)
    [invitation] = to(inbox, "dr.guest@example.org")
    first = vevent(calendar_of(invitation))
    digest = hashlib.sha256(b"dr.guest@example.org").hexdigest()[:24]
    assert str(first["UID"]) == f"session-{session['id']}-invitee-{digest}@{HOST}"
    assert first["ATTENDEE"].params["PARTSTAT"] == "NEEDS-ACTION"
    assert JOIN in str(first["CONFERENCE"]), "speakers get the link"
    link = re.search(r"http://\S+/speaking/respond/(\S+)", texts(invitation))
    assert link, "the invitation carries an accept/decline link"
    token = link.group(1)
    stored = await SessionSpeaker.select().where(SessionSpeaker.id == speaker["id"]).first()
    assert stored["token_hash"] == hashlib.sha256(token.encode()).hexdigest() and token not in str(stored)

    inbox.messages.clear()
    page = await client.get(f"/speaking/respond/{token}")
    assert page.status_code == 200 and "I will speak" in page.text
    assert await OutboxMessage.count().where(OutboxMessage.status == "pending") == 0, "GET changes nothing"
    from tests.builders.clients import csrf_from

    answered = await client.post(
        f"/speaking/respond/{token}", data={"answer": "accept", "_csrf_token": csrf_from(page.text)}
    )
    assert answered.status_code == 200, answered.text
    await deliver(port)
    [reply] = to(inbox, "dr.guest@example.org")
    accepted = vevent(calendar_of(reply))
    assert accepted["UID"] == first["UID"] and accepted["ATTENDEE"].params["PARTSTAT"] == "ACCEPTED"

    inbox.messages.clear()
    room = await client.patch(
        f"/api/v1/sessions/{session['id']}", json={"room": "Studio 2"}, headers=staff.headers
    )
    assert room.status_code == 200 and room.json()["sequence"] == 1
    await deliver(port)
    [update] = to(inbox, "dr.guest@example.org")
    updated = vevent(calendar_of(update))
    # The accept's REQUEST was the copy's second message, so the update is its third.
    assert updated["UID"] == first["UID"] and updated["SEQUENCE"] == accepted["SEQUENCE"] + 1 == 2
    assert "Studio 2" in str(updated["LOCATION"]) and updated["ATTENDEE"].params["PARTSTAT"] == "ACCEPTED"

    inbox.messages.clear()
    withdrawn = await client.delete(f"/api/v1/speakers/{speaker['id']}", headers=staff.headers)
    assert withdrawn.status_code == 200 and withdrawn.json()["status"] == "withdrawn"
    await deliver(port)
    [cancel] = to(inbox, "dr.guest@example.org")
    calendar = calendar_of(cancel)
    assert calendar["METHOD"] == "CANCEL" and vevent(calendar)["UID"] == first["UID"]
    assert (await client.get(f"/speaking/respond/{token}")).status_code == 404, "a withdrawn link is dead"


async def test_cancelling_a_session_cancels_every_copy(client, smtp_server) -> None:
    inbox, port = smtp_server
    start = datetime(2027, 6, 7, 14, tzinfo=UTC)
    event_id, staff = await new_event(
        client,
        kind="conference",
        starts_at=start.isoformat(),
        ends_at=(start + timedelta(days=1)).isoformat(),
    )
    whole, attendee = await make_actor(Role.MEMBER), await make_actor(Role.MEMBER)
    await register(client, event_id, whole)
    talk = {
        "title": "Misinformation in an outbreak",
        "starts_at": (start + timedelta(hours=2)).isoformat(),
        "ends_at": (start + timedelta(hours=3)).isoformat(),
        "room": "Hall A",
        "capacity": 5,
    }
    created = await client.post(f"/api/v1/events/{event_id}/sessions", json=talk, headers=staff.headers)
    session_id = created.json()["id"]
    seat = await client.post(
        f"/api/v1/events/{event_id}/registrations", json={"session_id": session_id}, headers=attendee.headers
    )
    assert seat.status_code == 201 and seat.json()["status"] == "confirmed"
    await client.post(
        f"/api/v1/sessions/{session_id}/speakers",
        json={"email": "speaker@example.org", "name": "Sam Speaker"},
        headers=staff.headers,
    )
    await deliver(port)
    [given] = [m for m in to(inbox, attendee.email) if m.get_content_type() == "multipart/mixed"]
    uid = vevent(calendar_of(given))["UID"]
    assert uid == invite_uid(session_id, get_settings().base_url, person_id=attendee.id)
    inbox.messages.clear()

    cancelled = await client.delete(
        f"/api/v1/sessions/{session_id}", params={"reason": "Speaker unwell"}, headers=staff.headers
    )
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    await deliver(port)
    # The whole-event registrant holds the conference as one copy: a session's end is not theirs.
    assert sorted(m["To"] for m in inbox.messages) == sorted([attendee.email, "speaker@example.org"])
    for message in inbox.messages:
        calendar = calendar_of(message)
        event = vevent(calendar)
        assert calendar["METHOD"] == "CANCEL" and event["STATUS"] == "CANCELLED" and event["SEQUENCE"] == 1
        assert "Speaker unwell" in texts(message)
    [mine] = to(inbox, attendee.email)
    assert vevent(calendar_of(mine))["UID"] == uid


async def test_cancelling_an_event_tells_everyone_once(client, smtp_server) -> None:
    inbox, port = smtp_server
    event_id, staff = await new_event(client, capacity=1)
    confirmed, waiting = await make_actor(Role.MEMBER), await make_actor(Role.MEMBER)
    await register(client, event_id, confirmed)
    await register(client, event_id, waiting)
    session = await the_session(event_id)
    await client.post(
        f"/api/v1/sessions/{session['id']}/speakers",
        json={"email": "host@example.org", "name": "Hana Host"},
        headers=staff.headers,
    )
    await deliver(port)
    inbox.messages.clear()

    response = await client.post(
        f"/api/v1/events/{event_id}/cancel", json={"reason": "Storm warning"}, headers=staff.headers
    )
    assert response.status_code == 200
    await deliver(port)
    [to_confirmed] = to(inbox, confirmed.email)
    calendar = calendar_of(to_confirmed)
    assert calendar["METHOD"] == "CANCEL"
    assert vevent(calendar)["UID"] == invite_uid(
        session["id"], get_settings().base_url, person_id=confirmed.id
    )
    assert "Storm warning" in texts(to_confirmed) and JOIN not in to_confirmed.as_string()
    [to_waiting] = to(inbox, waiting.email)
    assert "text/calendar" not in [p.get_content_type() for p in leaves(to_waiting)]
    assert "Storm warning" in texts(to_waiting) and JOIN not in to_waiting.as_string()
    [to_speaker] = to(inbox, "host@example.org")
    assert calendar_of(to_speaker)["METHOD"] == "CANCEL"
    assert await RegistrationChange.count().where(RegistrationChange.by_person == staff.id) == 2
    assert await Registration.count().where(Registration.status != "cancelled") == 0


# The builder and the transport alone


def _invitation(**over: Any) -> Invitation:
    values: dict[str, Any] = {
        "method": "REQUEST",
        "uid": "session-1-person-2@example.org",
        "sequence": 3,
        "starts_at": datetime(2027, 11, 7, 7, 30, tzinfo=UTC),
        "ends_at": datetime(2027, 11, 7, 9, tzinfo=UTC),
        "time_zone": "America/Chicago",
        "summary": "Night shift handover, social media edition",
        "organizer": "grandrounds <no-reply@grandrounds.localhost>",
        "attendee_email": "pending@example.org",
        "attendee_name": "Pat, Pending",
        "place": "Room 4",
        "description": "Line one; line two, with commas",
        "url": "https://grandrounds.example.org/events/1",
        "join_url": JOIN,
    }
    values.update(over)
    return Invitation(**values)


@pytest.mark.parametrize(("reveal", "shown"), [(False, False), (True, True)], ids=["pending", "confirmed"])
def test_the_join_link_is_written_only_when_revealed(reveal, shown) -> None:
    ics = build_invite(_invitation(reveal_join_url=reveal))
    assert (JOIN in ics.replace("\r\n ", "")) is shown
    assert ("CONFERENCE" in ics) is shown
    event = vevent(Calendar.from_ical(ics))
    assert str(event["LOCATION"]).startswith("Room 4")
    assert "line two, with commas" in str(event["DESCRIPTION"])


def test_a_time_inside_the_autumn_change_keeps_its_zone_rules() -> None:
    # 7 Nov 2027 01:30 CDT is the first of two 01:30s in Chicago; the instant must survive.
    calendar = Calendar.from_ical(
        build_invite(_invitation(starts_at=datetime(2027, 11, 7, 6, 30, tzinfo=UTC)))
    )
    event = vevent(calendar)
    assert event.start.astimezone(UTC) == datetime(2027, 11, 7, 6, 30, tzinfo=UTC)
    assert "VTIMEZONE" in calendar.to_ical().decode()


def test_cancel_carries_status_and_method() -> None:
    calendar = Calendar.from_ical(build_invite(_invitation(method="CANCEL", reveal_join_url=True)))
    event = vevent(calendar)
    assert calendar["METHOD"] == "CANCEL" and event["STATUS"] == "CANCELLED" and event["SEQUENCE"] == 3


def test_uids_are_stable_and_hide_the_address() -> None:
    base = "https://grandrounds.example.org"
    assert invite_uid(5, base, person_id=9) == "session-5-person-9@grandrounds.example.org"
    by_email = invite_uid(5, base, email=" Guest@Example.org ")
    assert by_email == invite_uid(5, base, email="guest@example.org") and "guest" not in by_email


@pytest.mark.parametrize("method", ["CANCEL", "PUBLISH", ""])
def test_a_method_parameter_that_does_not_match_the_calendar_is_refused(method) -> None:
    ics = build_invite(_invitation())
    with pytest.raises(ValueError, match="does not match"):
        fill_body(EmailMessage(), "text", "<p>html</p>", {"ics": ics, "ics_method": method})


def test_a_message_without_a_calendar_stays_plain_alternative() -> None:
    message = EmailMessage()
    fill_body(message, "text", "<p>html</p>", {"name": "x"})
    assert message.get_content_type() == "multipart/alternative"


async def test_one_copy_per_person_when_a_speaker_is_also_registered(client, smtp_server) -> None:
    inbox, port = smtp_server
    event_id, staff = await new_event(client)
    session = await the_session(event_id)
    both = await make_actor(Role.MEMBER, email="both@example.org")
    reg = await register(client, event_id, both)
    speaker = (
        await client.post(
            f"/api/v1/sessions/{session['id']}/speakers",
            json={"email": "both@example.org", "name": "Bo Both"},
            headers=staff.headers,
        )
    ).json()
    await deliver(port)
    uids = {
        vevent(calendar_of(m))["UID"]
        for m in to(inbox, both.email)
        if m.get_content_type() == "multipart/mixed"
    }
    assert uids == {f"session-{session['id']}-person-{both.id}@{HOST}"}, (
        "speaker and registrant share one copy"
    )

    inbox.messages.clear()
    await client.delete(f"/api/v1/speakers/{speaker['id']}", headers=staff.headers)
    await deliver(port)
    [kept] = to(inbox, both.email)
    calendar = calendar_of(kept)
    assert calendar["METHOD"] == "REQUEST", "no longer speaking, still registered: the copy stays"
    assert vevent(calendar)["ATTENDEE"].params["PARTSTAT"] == "ACCEPTED"

    inbox.messages.clear()
    await client.post(f"/api/v1/registrations/{reg['id']}/cancel", headers=both.headers)
    await deliver(port)
    [gone] = to(inbox, both.email)
    assert calendar_of(gone)["METHOD"] == "CANCEL"


async def test_the_link_of_a_cancelled_session_shows_it_and_takes_no_answer(client) -> None:
    from tests.builders.clients import csrf_from

    event_id, staff = await new_event(client)
    session = await the_session(event_id)
    await client.post(
        f"/api/v1/sessions/{session['id']}/speakers",
        json={"email": "late@example.org", "name": "Lee Late"},
        headers=staff.headers,
    )
    [row] = await OutboxMessage.select(OutboxMessage.context).where(
        OutboxMessage.template == "speaker_invitation"
    )
    match = re.search(r"/speaking/respond/([A-Za-z0-9_-]+)", str(row["context"]))
    assert match
    token = match.group(1)
    await client.delete(f"/api/v1/sessions/{session['id']}", headers=staff.headers)
    page = await client.get(f"/speaking/respond/{token}")
    assert page.status_code == 200 and "cancelled" in page.text and 'value="accept"' not in page.text
    csrf = csrf_from((await client.get("/signin")).text)  # a hand-made POST: the page offers no form
    response = await client.post(f"/speaking/respond/{token}", data={"answer": "accept", "_csrf_token": csrf})
    assert response.status_code == 409
    assert (await SessionSpeaker.select(SessionSpeaker.status).first())["status"] == "invited"
