"""Editing, rescheduling and cancelling events: who may, what is refused, what moves with them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from accounts.principal import Role
from events.tables import Event, Registration, RegistrationChange, Session
from notifications.tables import OutboxMessage
from tests.builders.events import JOIN, event_body, new_event, register, the_session
from tests.builders.people import make_actor, make_staff, people

CHICAGO = "America/Chicago"


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


# Who may edit and cancel


@pytest.mark.parametrize(
    ("who", "status", "code"),
    [
        ("anonymous", 401, "auth.required"),
        ("member", 403, "auth.forbidden"),
        ("other program's staff", 403, "event.not_your_program"),
        ("admin", 200, None),
        ("the event's staff", 200, None),
    ],
)
async def test_who_may_edit_an_event(client, who, status, code) -> None:
    event_id, staff = await new_event(client)
    callers = await people(client)
    caller = staff if who == "the event's staff" else callers[who]
    headers = caller.headers if caller else {}
    response = await client.patch(f"/api/v1/events/{event_id}", json={"title": "Renamed"}, headers=headers)
    assert response.status_code == status, response.text
    title = (await Event.select(Event.title).where(Event.id == event_id).first())["title"]
    if code:
        assert response.json()["code"] == code
        assert title != "Renamed"
    else:
        assert response.json()["title"] == "Renamed" and title == "Renamed"


@pytest.mark.parametrize(
    ("who", "status", "code"),
    [
        ("anonymous", 401, "auth.required"),
        ("member", 403, "auth.forbidden"),
        ("other program's staff", 403, "event.not_your_program"),
        ("admin", 200, None),
    ],
)
async def test_who_may_cancel_an_event(client, who, status, code) -> None:
    event_id, _ = await new_event(client)
    caller = (await people(client))[who]
    response = await client.post(
        f"/api/v1/events/{event_id}/cancel",
        json={"reason": "Speaker unwell"},
        headers=caller.headers if caller else {},
    )
    assert response.status_code == status, response.text
    stored = (await Event.select(Event.status).where(Event.id == event_id).first())["status"]
    if code:
        assert response.json()["code"] == code and stored == "published"
    else:
        assert stored == "cancelled"


@pytest.mark.parametrize("path", ["/api/v1/events/999999", "/api/v1/events/abc", "/api/v1/events/-1"])
async def test_unknown_or_malformed_event_ids(client, path) -> None:
    staff = await make_staff()
    patched = await client.patch(path, json={"title": "x"}, headers=staff.headers)
    cancelled = await client.post(f"{path}/cancel", json={"reason": "x"}, headers=staff.headers)
    assert patched.status_code in (400, 404, 405) and cancelled.status_code in (400, 404, 405)
    if path.endswith("999999"):
        assert patched.json()["code"] == cancelled.json()["code"] == "event.not_found"


# What is refused


@pytest.mark.parametrize(
    ("change", "status", "code"),
    [
        ({"ends_at": "2020-01-01T00:00:00Z"}, 400, "event.times_invalid"),
        ({"starts_at": "2099-01-01T00:00:00Z"}, 400, "event.times_invalid"),
        ({"time_zone": "Mars/Olympus"}, 400, "event.time_zone_unknown"),
        ({"starts_at": "2027-03-10T09:00:00"}, 400, "event.times_naive"),
        ({"capacity": 0}, 400, "event.capacity_invalid"),
        ({"capacity": -3}, 400, "event.capacity_invalid"),
        ({"capacity": "ten"}, 400, "request.invalid"),
        ({"capacity": 1}, 409, "event.capacity_below_registrations"),
        ({"join_url": "javascript:alert(1)"}, 400, "event.join_url_invalid"),
        ({"join_url": "ftp://files.example.org/x"}, 400, "event.join_url_invalid"),
        ({"join_url": "https://"}, 400, "event.join_url_invalid"),
        ({"reminder_hours": "0"}, 400, "event.reminder_hours_invalid"),
        ({"reminder_hours": "24,,1"}, 400, "event.reminder_hours_invalid"),
        ({"reminder_hours": "337"}, 400, "event.reminder_hours_invalid"),
        ({"reminder_hours": "soon"}, 400, "event.reminder_hours_invalid"),
        ({"title": "   "}, 400, "event.title_blank"),
        ({"title": ""}, 400, "request.invalid"),
        ({"status": "published"}, 400, "request.invalid"),
        ({"member_only": "yes"}, 400, "request.invalid"),
    ],
    ids=lambda v: str(v) if not isinstance(v, dict) else next(iter(v)) + "=" + str(next(iter(v.values()))),
)
async def test_bad_edits_are_refused_and_change_nothing(client, change, status, code) -> None:
    event_id, staff = await new_event(client)
    for _ in range(2):
        await register(client, event_id, await make_actor(Role.MEMBER))
    before = await Event.select().where(Event.id == event_id).first()
    session_before = await the_session(event_id)
    response = await client.patch(f"/api/v1/events/{event_id}", json=change, headers=staff.headers)
    assert response.status_code == status, response.text
    assert response.json()["code"] == code
    assert await Event.select().where(Event.id == event_id).first() == before
    assert await the_session(event_id) == session_before


async def test_edits_apply_and_reminder_hours_are_normalised(client) -> None:
    event_id, staff = await new_event(client)
    response = await client.patch(
        f"/api/v1/events/{event_id}",
        json={
            "description": "Bring questions.",
            "topic": " crisis ",
            "member_only": True,
            "reminder_hours": "48, 2",
            "capacity": 25,
        },
        headers=staff.headers,
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["topic"] == "crisis" and body["member_only"] is True and body["capacity"] == 25
    assert body["reminder_hours"] == "48,2" and body["description"] == "Bring questions."
    cleared = await client.patch(
        f"/api/v1/events/{event_id}", json={"reminder_hours": ""}, headers=staff.headers
    )
    assert cleared.json()["reminder_hours"] == ""


async def test_rescheduling_a_webinar_moves_its_session_and_raises_its_sequence(client) -> None:
    event_id, staff = await new_event(client)
    session = await the_session(event_id)
    assert session["sequence"] == 0
    start = session["starts_at"] + timedelta(days=2, hours=3)
    response = await client.patch(
        f"/api/v1/events/{event_id}",
        json={"starts_at": start.isoformat(), "ends_at": (start + timedelta(minutes=90)).isoformat()},
        headers=staff.headers,
    )
    assert response.status_code == 200, response.text
    moved = await the_session(event_id)
    assert moved["starts_at"] == start and moved["ends_at"] == start + timedelta(minutes=90)
    assert moved["sequence"] == 1
    # Title and description are not "time or place": no new sequence.
    await client.patch(f"/api/v1/events/{event_id}", json={"title": "New name"}, headers=staff.headers)
    renamed = await the_session(event_id)
    assert renamed["title"] == "New name" and renamed["sequence"] == 1
    await client.patch(f"/api/v1/events/{event_id}", json={"join_url": JOIN + "-2"}, headers=staff.headers)
    relinked = await the_session(event_id)
    assert relinked["join_url"] == JOIN + "-2" and relinked["sequence"] == 2


async def test_a_conference_cannot_shrink_around_its_sessions(client) -> None:
    start = datetime(2027, 5, 3, 13, tzinfo=UTC)
    event_id, staff = await new_event(
        client,
        kind="conference",
        starts_at=start.isoformat(),
        ends_at=(start + timedelta(days=2)).isoformat(),
    )
    talk = {
        "title": "Day two keynote",
        "starts_at": (start + timedelta(days=1)).isoformat(),
        "ends_at": (start + timedelta(days=1, hours=1)).isoformat(),
    }
    assert (
        await client.post(f"/api/v1/events/{event_id}/sessions", json=talk, headers=staff.headers)
    ).status_code == 201
    shrink = await client.patch(
        f"/api/v1/events/{event_id}",
        json={"ends_at": (start + timedelta(hours=8)).isoformat()},
        headers=staff.headers,
    )
    assert shrink.status_code == 409 and shrink.json()["code"] == "event.sessions_outside_span"
    session = await Session.select().where(Session.event == event_id).first()
    assert session["sequence"] == 0
    # Moving the conference's dates does not move its sessions, nor tell anyone.
    longer = await client.patch(
        f"/api/v1/events/{event_id}",
        json={"ends_at": (start + timedelta(days=3)).isoformat()},
        headers=staff.headers,
    )
    assert longer.status_code == 200
    assert (await Session.select(Session.sequence).where(Session.event == event_id).first())["sequence"] == 0


async def test_more_capacity_offers_the_freed_seats_to_the_line(client) -> None:
    event_id, staff = await new_event(client, capacity=1)
    first, second, third = [await make_actor(Role.MEMBER) for _ in range(3)]
    for person in (first, second, third):
        await register(client, event_id, person)
    response = await client.patch(f"/api/v1/events/{event_id}", json={"capacity": 2}, headers=staff.headers)
    assert response.status_code == 200 and response.json()["seats_left"] == 0
    statuses = {
        r["person"]: r["status"] for r in await Registration.select().where(Registration.event == event_id)
    }
    assert statuses == {first.id: "confirmed", second.id: "offered", third.id: "waitlisted"}


async def test_cancelling_an_event_cancels_every_live_place_with_history(client) -> None:
    event_id, staff = await new_event(client, capacity=1)
    confirmed, waiting = await make_actor(Role.MEMBER), await make_actor(Role.MEMBER)
    await register(client, event_id, confirmed)
    await register(client, event_id, waiting)
    blank = await client.post(
        f"/api/v1/events/{event_id}/cancel", json={"reason": "  "}, headers=staff.headers
    )
    assert blank.status_code == 400 and blank.json()["code"] == "event.cancel_reason_required"
    missing = await client.post(f"/api/v1/events/{event_id}/cancel", json={}, headers=staff.headers)
    assert missing.status_code == 400
    assert await Registration.count().where(Registration.status == "cancelled") == 0

    response = await client.post(
        f"/api/v1/events/{event_id}/cancel", json={"reason": "The speaker is unwell"}, headers=staff.headers
    )
    assert response.status_code == 200 and response.json()["status"] == "cancelled"
    regs = await Registration.select().where(Registration.event == event_id)
    assert {r["status"] for r in regs} == {"cancelled"}
    history = await RegistrationChange.select().where(RegistrationChange.to_status == "cancelled")
    assert len(history) == 2
    assert {h["from_status"] for h in history} == {"confirmed", "waitlisted"}
    assert all(h["by_person"] == staff.id and "The speaker is unwell" in h["reason"] for h in history)
    session = await the_session(event_id)
    assert session["status"] == "cancelled" and session["sequence"] == 1
    told = await OutboxMessage.select().where(OutboxMessage.template == "event_cancelled")
    assert sorted(m["recipient"] for m in told) == sorted([confirmed.email, waiting.email])
    assert all(JOIN not in str(m["context"]) for m in told), "a cancellation never carries the link"

    again = await client.post(
        f"/api/v1/events/{event_id}/cancel", json={"reason": "x"}, headers=staff.headers
    )
    assert again.status_code == 409 and again.json()["code"] == "event.cancelled"
    edit = await client.patch(f"/api/v1/events/{event_id}", json={"title": "x"}, headers=staff.headers)
    assert edit.status_code == 409 and edit.json()["code"] == "event.cancelled"
    late = await client.post(f"/api/v1/events/{event_id}/registrations", headers=waiting.headers)
    assert late.status_code == 409


async def test_create_refuses_a_join_link_that_is_not_a_web_address(client) -> None:
    staff = await make_staff()
    response = await client.post(
        "/api/v1/events/",
        json=event_body(program_id=staff.program_id, join_url="javascript:alert(1)"),
        headers=staff.headers,
    )
    assert response.status_code == 400 and response.json()["code"] == "event.join_url_invalid"
    assert await Event.count() == 0
