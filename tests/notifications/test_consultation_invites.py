"""Consultations: the booker and the expert both get the booking in their calendar, and both lose it
when it ends. Delivered through a real SMTP server and read back with icalendar."""

from __future__ import annotations

from datetime import datetime, timedelta
from email.message import Message
from typing import Any

import pytest

from accounts.principal import Role
from accounts.tables import Organization, OrganizationMember
from events.tables import Session
from tests.builders.events import JOIN, new_event
from tests.builders.mail import HOST, calendar_of, deliver, to, vevent
from tests.builders.people import Actor, make_actor

START = datetime.fromisoformat("2027-04-07T13:00:00-05:00")  # a Wednesday afternoon in Chicago (CDT)


async def office_hours(client, *, with_expert: bool = True) -> tuple[int, int, Actor, Actor | None]:
    """A consultation with one half-hour slot; (event, slot, staff who created it, the expert)."""
    event_id, staff = await new_event(
        client,
        kind="consultation",
        title="Office hours with a social media strategist",
        starts_at=START.isoformat(),
        ends_at=(START + timedelta(hours=2)).isoformat(),
        capacity=4,
        member_only=True,
    )
    slot = await client.post(
        f"/api/v1/events/{event_id}/sessions",
        json={
            "title": "Slot 1",
            "starts_at": START.isoformat(),
            "ends_at": (START + timedelta(minutes=30)).isoformat(),
            "capacity": 1,
        },
        headers=staff.headers,
    )
    assert slot.status_code == 201, slot.text
    slot_id = int(slot.json()["id"])
    expert = None
    if with_expert:
        expert = await make_actor(Role.SPEAKER, email="strategist@example.org")
        added = await client.post(
            f"/api/v1/sessions/{slot_id}/speakers",
            json={"email": expert.email, "name": "Dr. Rhea Strategist"},
            headers=staff.headers,
        )
        assert added.status_code == 201, added.text
    return event_id, slot_id, staff, expert


async def book(client, event_id: int, slot_id: int, person: Actor) -> dict[str, Any]:
    response = await client.post(
        f"/api/v1/events/{event_id}/registrations", json={"session_id": slot_id}, headers=person.headers
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


def copies(inbox, address: str, prefix: str) -> list[tuple[str, Any, Message]]:
    """(METHOD, VEVENT, message) of every invite to ``address`` whose UID starts with ``prefix``."""
    found = []
    for message in to(inbox, address):
        if message.get_content_type() != "multipart/mixed":
            continue
        calendar = calendar_of(message)
        event = vevent(calendar)
        if str(event["UID"]).startswith(prefix):
            found.append((str(calendar["METHOD"]), event, message))
    return found


async def test_a_booking_reaches_the_booker_and_the_expert_and_a_cancellation_both(
    client, smtp_server
) -> None:
    inbox, port = smtp_server
    event_id, slot_id, _, expert = await office_hours(client)
    assert expert is not None
    booker = await make_actor(Role.MEMBER, email="grace@example.org")
    reg = await book(client, event_id, slot_id, booker)
    assert reg["status"] == "confirmed" and reg["session_id"] == slot_id
    await deliver(port)

    # The booker: their copy of the slot, with the join link.
    [(method, mine, _)] = copies(inbox, booker.email, "session-")
    assert method == "REQUEST" and str(mine["UID"]) == f"session-{slot_id}-person-{booker.id}@{HOST}"
    assert mine.start == START and mine.end == START + timedelta(minutes=30)

    # The expert: a copy of this booking, naming who booked, at the slot's time, with the link.
    [(method, theirs, message)] = copies(inbox, expert.email, "booking-")
    uid = f"booking-{reg['id']}-expert-{expert.id}@{HOST}"
    assert method == "REQUEST" and str(theirs["UID"]) == uid
    assert str(theirs["ATTENDEE"]) == f"mailto:{expert.email}"
    assert theirs["ATTENDEE"].params["CN"] == "Dr. Rhea Strategist"
    assert str(theirs["SUMMARY"]) == "Consultation with Grace · Slot 1"
    assert "grace@example.org" in str(theirs["DESCRIPTION"]) and JOIN in str(theirs["DESCRIPTION"])
    assert theirs.start == START and str(theirs["DTSTART"].params["TZID"]) == "America/Chicago"
    assert [tz.tz_name for tz in calendar_of(message).timezones] == ["America/Chicago"]
    assert (
        " ".join(message["Subject"].split())
        == "Booked: Slot 1 with Grace (Office hours with a social media strategist)"
    )

    # The booker cancels: both copies are cancelled with their own UIDs.
    cancelled = await client.post(f"/api/v1/registrations/{reg['id']}/cancel", headers=booker.headers)
    assert cancelled.status_code == 200, cancelled.text
    await deliver(port)
    assert [(m, str(e["UID"])) for m, e, _ in copies(inbox, booker.email, "session-")][-1] == (
        "CANCEL",
        f"session-{slot_id}-person-{booker.id}@{HOST}",
    )
    booking_copies = copies(inbox, expert.email, "booking-")
    assert [(m, str(e["UID"])) for m, e, _ in booking_copies] == [("REQUEST", uid), ("CANCEL", uid)]
    cancel = booking_copies[-1][1]
    assert str(cancel["STATUS"]) == "CANCELLED" and JOIN not in cancel.to_ical().decode()


async def test_an_organization_books_for_a_colleague_and_the_expert_is_told_who(client, smtp_server) -> None:
    inbox, port = smtp_server
    event_id, slot_id, _, expert = await office_hours(client)
    assert expert is not None
    leader = await make_actor(Role.MEMBER, email="leader@example.org")
    colleague = await make_actor(Role.MEMBER, email="colleague@example.org")
    org = await Organization.insert(Organization(name="Riverside Health", leader=leader.id)).returning(
        Organization.id
    )
    for person in (leader, colleague):
        await OrganizationMember.insert(OrganizationMember(organization=org[0]["id"], person=person.id))
    booked = await client.post(
        f"/api/v1/events/{event_id}/registrations/colleagues",
        json={"person_ids": [colleague.id], "session_id": slot_id},
        headers=leader.headers,
    )
    assert booked.status_code == 201, booked.text
    [reg] = booked.json()
    await deliver(port)
    [(method, _, _)] = copies(inbox, colleague.email, "session-")
    assert method == "REQUEST"
    [(method, theirs, _)] = copies(inbox, expert.email, "booking-")
    assert method == "REQUEST" and str(theirs["UID"]) == f"booking-{reg['id']}-expert-{expert.id}@{HOST}"
    assert "colleague@example.org" in str(theirs["DESCRIPTION"])
    assert copies(inbox, leader.email, "") == []  # the leader booked; the colleague attends


@pytest.mark.parametrize("what", ["slot", "event"])
async def test_cancelling_the_slot_or_the_consultation_cancels_the_experts_copy(
    client, smtp_server, what: str
) -> None:
    inbox, port = smtp_server
    event_id, slot_id, staff, expert = await office_hours(client)
    assert expert is not None
    booker = await make_actor(Role.MEMBER)
    reg = await book(client, event_id, slot_id, booker)
    if what == "slot":
        response = await client.delete(f"/api/v1/sessions/{slot_id}?reason=Unwell", headers=staff.headers)
    else:
        response = await client.post(
            f"/api/v1/events/{event_id}/cancel", json={"reason": "Unwell"}, headers=staff.headers
        )
    assert response.status_code == 200, response.text
    await deliver(port)
    uid = f"booking-{reg['id']}-expert-{expert.id}@{HOST}"
    # The REQUEST queued at booking is superseded (not sent); the CANCEL goes out.
    assert [(m, str(e["UID"])) for m, e, _ in copies(inbox, expert.email, "booking-")] == [("CANCEL", uid)]
    assert [m for m, _, _ in copies(inbox, booker.email, "session-")][-1] == "CANCEL"


async def test_a_slot_without_a_speaker_is_hosted_by_the_events_creator(client, smtp_server) -> None:
    inbox, port = smtp_server
    event_id, slot_id, staff, _ = await office_hours(client, with_expert=False)
    booker = await make_actor(Role.MEMBER)
    reg = await book(client, event_id, slot_id, booker)
    await deliver(port)
    [(method, theirs, _)] = copies(inbox, staff.email, "booking-")
    assert method == "REQUEST" and str(theirs["UID"]) == f"booking-{reg['id']}-expert-{staff.id}@{HOST}"


async def test_only_a_confirmed_booking_reaches_the_expert(client, smtp_server) -> None:
    inbox, port = smtp_server
    event_id, slot_id, _, expert = await office_hours(client)
    assert expert is not None
    first, second = await make_actor(Role.MEMBER), await make_actor(Role.MEMBER)
    taken = await book(client, event_id, slot_id, first)
    waiting = await book(client, event_id, slot_id, second)
    assert (taken["status"], waiting["status"]) == ("confirmed", "waitlisted")
    await deliver(port)
    [(_, theirs, _)] = copies(inbox, expert.email, "booking-")
    assert str(theirs["UID"]).startswith(f"booking-{taken['id']}-")
    assert copies(inbox, second.email, "") == []
    # A waitlisted booking given up tells the expert nothing (they never heard of it).
    await client.post(f"/api/v1/registrations/{waiting['id']}/cancel", headers=second.headers)
    await deliver(port)
    assert len(copies(inbox, expert.email, "booking-")) == 1


async def test_guests_cannot_book_a_members_consultation(client) -> None:
    event_id, slot_id, _, _ = await office_hours(client)
    guest = await make_actor(Role.GUEST)
    refused = await client.post(
        f"/api/v1/events/{event_id}/registrations", json={"session_id": slot_id}, headers=guest.headers
    )
    assert refused.status_code == 403 and refused.json()["code"] == "event.members_only"
    assert await Session.count().where(Session.event == event_id) >= 2
