"""Tracks and sessions: the schedule, its validation, who sees and changes it, and SEQUENCE."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from accounts.principal import Role
from events.tables import Registration, RegistrationChange, Session, Track
from notifications.tables import OutboxMessage
from tests.builders.events import new_event, register
from tests.builders.people import Actor, make_actor, make_staff, people

START = datetime(2027, 4, 19, 13, tzinfo=UTC)  # Monday 08:00 in Chicago
LINK = "https://meet.example.org/j/track-a"


async def conference(client, publish: bool = True, capacity: int = 100) -> tuple[int, Actor]:
    return await new_event(
        client,
        publish=publish,
        kind="conference",
        capacity=capacity,
        join_url="",
        starts_at=START.isoformat(),
        ends_at=(START + timedelta(days=2)).isoformat(),
    )


def talk(**over: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "title": "Rumours in a measles outbreak",
        "starts_at": (START + timedelta(hours=2)).isoformat(),
        "ends_at": (START + timedelta(hours=3)).isoformat(),
        "room": "Hall A",
        "cme_quarters": 4,
    }
    body.update(over)
    return body


async def add_session(client, event_id: int, staff: Actor, **over: Any) -> dict[str, Any]:
    response = await client.post(
        f"/api/v1/events/{event_id}/sessions", json=talk(**over), headers=staff.headers
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


# Tracks


async def test_tracks_are_created_listed_renamed_and_removed(client) -> None:
    event_id, staff = await conference(client)
    made = []
    for name, position in (("Crisis communication", 2), ("Clinician voices", 1)):
        response = await client.post(
            f"/api/v1/events/{event_id}/tracks",
            json={"name": name, "position": position},
            headers=staff.headers,
        )
        assert response.status_code == 201, response.text
        made.append(response.json())
    listed = (await client.get(f"/api/v1/events/{event_id}/tracks")).json()
    assert [t["name"] for t in listed] == ["Clinician voices", "Crisis communication"]
    renamed = await client.patch(
        f"/api/v1/tracks/{made[0]['id']}", json={"name": "  Crisis   comms "}, headers=staff.headers
    )
    assert renamed.status_code == 200 and renamed.json()["name"] == "Crisis comms"
    blank = await client.patch(f"/api/v1/tracks/{made[0]['id']}", json={"name": "   "}, headers=staff.headers)
    assert blank.status_code == 400 and blank.json()["code"] == "track.name_blank"

    used = await add_session(client, event_id, staff, track_id=made[0]["id"])
    in_use = await client.delete(f"/api/v1/tracks/{made[0]['id']}", headers=staff.headers)
    assert in_use.status_code == 409 and in_use.json()["code"] == "track.in_use"
    await client.delete(f"/api/v1/sessions/{used['id']}", headers=staff.headers)
    gone = await client.delete(f"/api/v1/tracks/{made[0]['id']}", headers=staff.headers)
    assert gone.status_code == 204
    assert await Track.count() == 1
    assert (await Session.select(Session.track).where(Session.id == used["id"]).first())["track"] is None
    missing = await client.delete(f"/api/v1/tracks/{made[0]['id']}", headers=staff.headers)
    assert missing.status_code == 404 and missing.json()["code"] == "track.not_found"


@pytest.mark.parametrize(
    ("who", "status"),
    [("anonymous", 401), ("member", 403), ("other program's staff", 403), ("admin", 201)],
)
async def test_who_may_manage_tracks(client, who, status) -> None:
    event_id, staff = await conference(client)
    existing = (
        await client.post(f"/api/v1/events/{event_id}/tracks", json={"name": "Main"}, headers=staff.headers)
    ).json()
    caller = (await people(client))[who]
    headers = caller.headers if caller else {}
    created = await client.post(f"/api/v1/events/{event_id}/tracks", json={"name": "Side"}, headers=headers)
    renamed = await client.patch(f"/api/v1/tracks/{existing['id']}", json={"name": "X"}, headers=headers)
    deleted = await client.delete(f"/api/v1/tracks/{existing['id']}", headers=headers)
    assert created.status_code == status
    if status != 201:
        assert renamed.status_code == deleted.status_code == status
        assert await Track.count() == 1 and (await Track.select().first())["name"] == "Main"
    else:
        assert renamed.status_code == 200 and deleted.status_code == 204


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"name": ""}, "request.invalid"),
        ({"name": "x", "position": -1}, "request.invalid"),
        ({}, "request.invalid"),
    ],
)
async def test_bad_tracks_are_refused(client, body, code) -> None:
    event_id, staff = await conference(client)
    response = await client.post(f"/api/v1/events/{event_id}/tracks", json=body, headers=staff.headers)
    assert response.status_code == 400 and response.json()["code"] == code
    assert await Track.count() == 0


# Sessions: what is refused


@pytest.mark.parametrize(
    ("over", "code"),
    [
        ({"ends_at": (START + timedelta(hours=1)).isoformat()}, "session.times_invalid"),
        ({"ends_at": (START + timedelta(hours=2)).isoformat()}, "session.times_invalid"),
        ({"starts_at": (START - timedelta(hours=1)).isoformat()}, "session.outside_event"),
        ({"ends_at": (START + timedelta(days=3)).isoformat()}, "session.outside_event"),
        ({"starts_at": "2027-04-19T15:00:00"}, "event.times_naive"),
        ({"capacity": 0}, "session.capacity_invalid"),
        ({"capacity": 101}, "session.capacity_invalid"),
        ({"cme_quarters": -1}, "session.cme_invalid"),
        ({"cme_quarters": 5}, "session.cme_invalid"),
        ({"join_url": "ftp://example.org/room"}, "session.join_url_invalid"),
        ({"join_url": "javascript:alert(1)"}, "session.join_url_invalid"),
        ({"join_url": "https://exa mple.org"}, "session.join_url_invalid"),
        ({"track_id": 999999}, "session.track_invalid"),
        ({"title": "   "}, "session.title_blank"),
        ({"title": ""}, "request.invalid"),
        ({"cme_quarters": 1.5}, "request.invalid"),
        ({"sequence": 7}, "request.invalid"),
    ],
    ids=lambda v: next(iter(v)) + "=" + str(next(iter(v.values()))) if isinstance(v, dict) else str(v),
)
async def test_bad_sessions_are_refused_and_nothing_is_written(client, over, code) -> None:
    event_id, staff = await conference(client)
    response = await client.post(
        f"/api/v1/events/{event_id}/sessions", json=talk(**over), headers=staff.headers
    )
    assert response.status_code == 400, response.text
    assert response.json()["code"] == code
    assert await Session.count() == 0


async def test_a_track_of_another_event_is_refused(client) -> None:
    event_id, staff = await conference(client)
    other_id, _ = await conference(client)
    from events.tables import Track as TrackTable

    other_track = (
        await TrackTable.insert(TrackTable(event=other_id, name="Theirs")).returning(TrackTable.id)
    )[0]
    response = await client.post(
        f"/api/v1/events/{event_id}/sessions", json=talk(track_id=other_track["id"]), headers=staff.headers
    )
    assert response.status_code == 400 and response.json()["code"] == "session.track_invalid"


# Who sees what


async def test_the_schedule_is_public_once_published_and_links_stay_with_staff(client) -> None:
    draft_id, staff = await conference(client, publish=False)
    await add_session(client, draft_id, staff, join_url=LINK)
    member, stranger = await make_actor(Role.MEMBER), await make_staff()
    for headers in ({}, member.headers, stranger.headers):
        hidden = await client.get(f"/api/v1/events/{draft_id}/sessions", headers=headers)
        assert hidden.status_code == 404 and hidden.json()["code"] == "event.not_found"
        assert (await client.get(f"/api/v1/events/{draft_id}/tracks", headers=headers)).status_code == 404
    staff_view = await client.get(f"/api/v1/events/{draft_id}/sessions", headers=staff.headers)
    assert staff_view.status_code == 200 and staff_view.json()[0]["join_url"] == LINK

    await client.post(f"/api/v1/events/{draft_id}/publish", headers=staff.headers)
    public = await client.get(f"/api/v1/events/{draft_id}/sessions")
    assert public.status_code == 200
    [session] = public.json()
    assert session["join_url"] is None and LINK not in public.text
    assert session["time_zone"] == "America/Chicago" and session["cme_quarters"] == 4
    one = await client.get(f"/api/v1/sessions/{session['id']}", headers=member.headers)
    assert one.status_code == 200 and LINK not in one.text
    assert (await client.get("/api/v1/sessions/999999")).status_code == 404
    assert (await client.get("/api/v1/events/999999/sessions")).status_code == 404


async def test_a_drafts_single_session_is_not_found_for_outsiders(client) -> None:
    event_id, staff = await conference(client, publish=False)
    session = await add_session(client, event_id, staff)
    response = await client.get(f"/api/v1/sessions/{session['id']}")
    assert response.status_code == 404 and response.json()["code"] == "session.not_found"


@pytest.mark.parametrize(
    ("who", "status", "code"),
    [
        ("anonymous", 401, "auth.required"),
        ("member", 403, "auth.forbidden"),
        ("other program's staff", 403, "event.not_your_program"),
    ],
)
async def test_who_may_change_sessions(client, who, status, code) -> None:
    event_id, staff = await conference(client)
    session = await add_session(client, event_id, staff)
    caller = (await people(client))[who]
    headers = caller.headers if caller else {}
    created = await client.post(f"/api/v1/events/{event_id}/sessions", json=talk(), headers=headers)
    patched = await client.patch(f"/api/v1/sessions/{session['id']}", json={"room": "B"}, headers=headers)
    cancelled = await client.delete(f"/api/v1/sessions/{session['id']}", headers=headers)
    for response in (created, patched, cancelled):
        assert response.status_code == status and response.json()["code"] == code
    stored = await Session.select().where(Session.id == session["id"]).first()
    assert stored["room"] == "Hall A" and stored["status"] == "scheduled" and stored["sequence"] == 0
    assert await Session.count() == 1


@pytest.mark.parametrize("path", ["/api/v1/sessions/999999", "/api/v1/sessions/abc"])
async def test_unknown_or_malformed_session_ids(client, path) -> None:
    staff = await make_staff()
    for response in (
        await client.patch(path, json={"room": "B"}, headers=staff.headers),
        await client.delete(path, headers=staff.headers),
    ):
        assert response.status_code in (400, 404, 405)
        if "999999" in path:
            assert response.json()["code"] == "session.not_found"


# Changes and SEQUENCE


@pytest.mark.parametrize(
    ("change", "moves"),
    [
        (
            {
                "starts_at": (START + timedelta(hours=4)).isoformat(),
                "ends_at": (START + timedelta(hours=5)).isoformat(),
            },
            True,
        ),
        ({"ends_at": (START + timedelta(hours=3, minutes=30)).isoformat()}, True),
        ({"room": "Hall B"}, True),
        ({"join_url": LINK}, True),
        ({"title": "Rumours, revisited"}, False),
        ({"description": "With a live demo"}, False),
        ({"cme_quarters": 2}, False),
        ({"room": "Hall A"}, False),
    ],
    ids=["moved", "longer", "room", "link", "title", "description", "credit", "same room"],
)
async def test_sequence_goes_up_with_time_place_or_link_only(client, change, moves) -> None:
    event_id, staff = await conference(client)
    whole = await make_actor(Role.MEMBER)
    await register(client, event_id, whole)
    session = await add_session(client, event_id, staff, capacity=20)
    seated = await make_actor(Role.MEMBER)
    booked = await client.post(
        f"/api/v1/events/{event_id}/registrations", json={"session_id": session["id"]}, headers=seated.headers
    )
    assert booked.status_code == 201 and booked.json()["status"] == "confirmed", booked.text
    queued = await OutboxMessage.count()
    response = await client.patch(f"/api/v1/sessions/{session['id']}", json=change, headers=staff.headers)
    assert response.status_code == 200, response.text
    assert response.json()["sequence"] == (1 if moves else 0)
    updates = await OutboxMessage.select().where(OutboxMessage.template == "session_invite")
    sent = await OutboxMessage.count() - queued
    # The seat holder's copy of the session is updated; the whole-event registrant holds the
    # conference as one copy, which a session's change leaves alone.
    assert sent == (1 if moves else 0)
    if moves:
        assert updates[-1]["recipient"] == seated.email


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"ends_at": (START + timedelta(hours=1)).isoformat()}, "session.times_invalid"),
        ({"starts_at": (START + timedelta(days=5)).isoformat()}, "session.times_invalid"),
        ({"ends_at": (START + timedelta(days=5)).isoformat()}, "session.outside_event"),
        ({"cme_quarters": 99}, "session.cme_invalid"),
        ({"capacity": 1000}, "session.capacity_invalid"),
        ({"join_url": "mailto:x@example.org"}, "session.join_url_invalid"),
        ({"track_id": 424242}, "session.track_invalid"),
        ({"sequence": 9}, "request.invalid"),
    ],
    ids=lambda v: next(iter(v)) if isinstance(v, dict) else str(v),
)
async def test_bad_session_changes_change_nothing(client, change, code) -> None:
    event_id, staff = await conference(client)
    session = await add_session(client, event_id, staff)
    before = await Session.select().where(Session.id == session["id"]).first()
    response = await client.patch(f"/api/v1/sessions/{session['id']}", json=change, headers=staff.headers)
    assert response.status_code == 400 and response.json()["code"] == code
    assert await Session.select().where(Session.id == session["id"]).first() == before


async def test_a_seat_limit_cannot_drop_below_seats_taken_and_limits_who_is_invited(client) -> None:
    event_id, staff = await conference(client)
    whole = await make_actor(Role.MEMBER)
    await register(client, event_id, whole)
    workshop = await add_session(client, event_id, staff, capacity=3, title="Hands-on: crisis drills")
    seated = [await make_actor(Role.MEMBER) for _ in range(2)]
    for person in seated:
        booked = await client.post(
            f"/api/v1/events/{event_id}/registrations",
            json={"session_id": workshop["id"]},
            headers=person.headers,
        )
        assert booked.status_code == 201 and booked.json()["status"] == "confirmed", booked.text
    too_small = await client.patch(
        f"/api/v1/sessions/{workshop['id']}", json={"capacity": 1}, headers=staff.headers
    )
    assert too_small.status_code == 409 and too_small.json()["code"] == "session.capacity_below_registrations"
    invited = await OutboxMessage.select(OutboxMessage.recipient).where(
        OutboxMessage.template == "session_invite"
    )
    assert sorted(m["recipient"] for m in invited) == sorted(p.email for p in seated), (
        "a session with its own seats goes only to those booked in it"
    )

    # Lifting the limit opens it to every whole-event registrant, whose conference copy already
    # covers it (the session shows in their feed): no email; the seated keep their copies.
    queued = await OutboxMessage.count()
    opened = await client.patch(
        f"/api/v1/sessions/{workshop['id']}", json={"capacity": None}, headers=staff.headers
    )
    assert opened.status_code == 200 and opened.json()["sequence"] == 0
    assert await OutboxMessage.count() == queued


async def test_cancelling_a_session_keeps_it_and_ends_places_booked_in_it(client) -> None:
    event_id, staff = await conference(client)
    workshop = await add_session(client, event_id, staff, capacity=1, title="Consultation slot")
    first, second = await make_actor(Role.MEMBER), await make_actor(Role.MEMBER)
    for person in (first, second):
        await client.post(
            f"/api/v1/events/{event_id}/registrations",
            json={"session_id": workshop["id"]},
            headers=person.headers,
        )
    response = await client.delete(
        f"/api/v1/sessions/{workshop['id']}", params={"reason": "Expert unavailable"}, headers=staff.headers
    )
    assert response.status_code == 200
    assert response.json()["status"] == "cancelled" and response.json()["sequence"] == 1
    assert await Session.count() == 1
    regs = await Registration.select().where(Registration.session == workshop["id"])
    assert {r["status"] for r in regs} == {"cancelled"}
    history = await RegistrationChange.select().where(RegistrationChange.to_status == "cancelled")
    assert len(history) == 2 and all(
        "Expert unavailable" in h["reason"] and h["by_person"] == staff.id for h in history
    )
    cancels = await OutboxMessage.select(OutboxMessage.recipient, OutboxMessage.template).where(
        OutboxMessage.template.is_in(["session_invite_cancelled", "event_cancelled"])
    )
    assert sorted((m["recipient"], m["template"]) for m in cancels) == sorted(
        [(first.email, "session_invite_cancelled"), (second.email, "event_cancelled")]
    )
    again = await client.delete(f"/api/v1/sessions/{workshop['id']}", headers=staff.headers)
    assert again.status_code == 409 and again.json()["code"] == "session.cancelled"
    edit = await client.patch(f"/api/v1/sessions/{workshop['id']}", json={"room": "C"}, headers=staff.headers)
    assert edit.status_code == 409 and edit.json()["code"] == "session.cancelled"


async def test_nothing_changes_in_a_cancelled_event(client) -> None:
    event_id, staff = await conference(client)
    session = await add_session(client, event_id, staff)
    await client.post(
        f"/api/v1/events/{event_id}/cancel", json={"reason": "Venue closed"}, headers=staff.headers
    )
    for response in (
        await client.post(f"/api/v1/events/{event_id}/sessions", json=talk(), headers=staff.headers),
        await client.post(f"/api/v1/events/{event_id}/tracks", json={"name": "Late"}, headers=staff.headers),
        await client.patch(f"/api/v1/sessions/{session['id']}", json={"room": "B"}, headers=staff.headers),
        await client.delete(f"/api/v1/sessions/{session['id']}", headers=staff.headers),
    ):
        assert response.status_code == 409 and response.json()["code"] == "event.cancelled"
