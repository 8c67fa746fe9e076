"""The audit trail of events' staff actions: one row per change, who made it, as what, on what, and the diff.

Each staff route of the events package declares its action; these tests read the
rows a representative set of them leave (through the API and the staff pages) and
show that a refused change leaves none. Attendees' own acts (self check-in) are
not staff actions and leave no row.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from accounts.principal import Role
from accounts.tables import Person
from events.services.checkin.codes import code_at
from events.tables import CheckIn, Session
from grandrounds.db import now
from tests.builders.audit import audit_rows
from tests.builders.checkin import register, webinar
from tests.builders.clients import sign_in
from tests.builders.event_pages import add_talk, conference, local, send
from tests.builders.events import add_ticket_type, event_body, make_event, the_session
from tests.builders.people import make_actor, make_staff

STAFF_ROLE = "program_staff"


def _about(row: dict[str, Any]) -> tuple[Any, ...]:
    """Who acted with which role, on what, touching whose data."""
    return (row["actor_id"], row["role"], row["object_kind"], row["object_id"], row["subject_id"])


async def test_creating_and_publishing_an_event_are_one_row_each(client) -> None:
    staff = await make_staff()
    body = event_body(program_id=staff.program_id, capacity=25)
    created = await client.post("/api/v1/events/", json=body, headers=staff.headers)
    assert created.status_code == 201, created.text
    event_id = created.json()["id"]
    session = await the_session(event_id)

    [create] = await audit_rows("event.create")
    assert _about(create) == (staff.id, STAFF_ROLE, "event", str(event_id), None)
    changes = create["changes"]
    assert changes["title"] == [None, body["title"]] and changes["capacity"] == [None, 25]
    assert changes["kind"] == [None, "webinar"] and changes["program_id"] == [None, staff.program_id]
    assert changes["starts_at"] == [None, datetime.fromisoformat(body["starts_at"]).isoformat()]
    assert changes["session_id"] == session["id"]

    published = await client.post(f"/api/v1/events/{event_id}/publish", headers=staff.headers)
    assert published.status_code == 200
    again = await client.post(f"/api/v1/events/{event_id}/publish", headers=staff.headers)
    assert again.status_code == 200 and again.json()["status"] == "published"
    [publish] = await audit_rows("event.publish")
    assert _about(publish) == (staff.id, STAFF_ROLE, "event", str(event_id), None)
    assert publish["changes"] == {"status": ["draft", "published"]}


async def test_moving_an_event_is_a_reschedule_and_any_other_edit_an_update(client) -> None:
    event_id, staff = await make_event(client)
    url = f"/api/v1/events/{event_id}"
    before = (await client.get(url)).json()

    renamed = await client.patch(url, json={"title": "Grand Rounds, renamed"}, headers=staff.headers)
    assert renamed.status_code == 200, renamed.text
    [update] = await audit_rows("event.update")
    assert _about(update) == (staff.id, STAFF_ROLE, "event", str(event_id), None)
    assert update["changes"] == {"title": [before["title"], "Grand Rounds, renamed"]}

    starts = datetime.fromisoformat(before["starts_at"]) + timedelta(days=1)
    ends = datetime.fromisoformat(before["ends_at"]) + timedelta(days=1)
    moved = await client.patch(
        url, json={"starts_at": starts.isoformat(), "ends_at": ends.isoformat()}, headers=staff.headers
    )
    assert moved.status_code == 200, moved.text
    [reschedule] = await audit_rows("event.reschedule")
    assert _about(reschedule) == (staff.id, STAFF_ROLE, "event", str(event_id), None)
    assert reschedule["changes"] == {
        "starts_at": [
            datetime.fromisoformat(before["starts_at"]).astimezone(UTC).isoformat(),
            starts.astimezone(UTC).isoformat(),
        ],
        "ends_at": [
            datetime.fromisoformat(before["ends_at"]).astimezone(UTC).isoformat(),
            ends.astimezone(UTC).isoformat(),
        ],
        "sessions_moved": 1,  # the webinar's one sitting moved with it
    }

    nothing = await client.patch(url, json={}, headers=staff.headers)
    assert nothing.status_code == 200
    assert len(await audit_rows("event.update")) == 1 and len(await audit_rows("event.reschedule")) == 1


async def test_the_edit_page_records_a_reschedule_once(client) -> None:
    event_id, staff = await conference(client)
    event = (await client.get(f"/api/v1/events/{event_id}")).json()
    later = datetime.fromisoformat(event["ends_at"]) + timedelta(hours=2)
    await sign_in(client, staff)
    page = f"/staff/events/{event_id}/edit"
    done = await send(client, page, page, ends_at=local(later), venue="Hall B")
    assert done.status_code == 303, done.text
    assert await audit_rows("event.update") == []
    [row] = await audit_rows("event.reschedule")
    assert _about(row) == (staff.id, STAFF_ROLE, "event", str(event_id), None)
    assert set(row["changes"]) == {"ends_at", "venue"}
    assert row["changes"]["venue"] == ["", "Hall B"]


async def test_cancelling_an_event_records_the_reason_and_what_it_ended(client) -> None:
    event_id, staff = await make_event(client)
    await register(client, event_id)
    cancelled = await client.post(
        f"/api/v1/events/{event_id}/cancel", json={"reason": "Speaker unwell"}, headers=staff.headers
    )
    assert cancelled.status_code == 200, cancelled.text
    [row] = await audit_rows("event.cancel")
    assert _about(row) == (staff.id, STAFF_ROLE, "event", str(event_id), None)
    assert row["changes"] == {
        "status": ["published", "cancelled"],
        "reason": "Speaker unwell",
        "sessions_cancelled": 1,
        "registrations_cancelled": 1,
    }


async def test_cancelling_a_session_on_its_page_is_one_row(client) -> None:
    event_id, staff = await conference(client)
    session_id = await add_talk(client, event_id, staff)
    [create] = await audit_rows("session.create")
    assert create["object_id"] == str(session_id) and create["changes"]["room"] == [None, "Hall A"]
    await sign_in(client, staff)
    page = f"/staff/sessions/{session_id}/cancel"
    refused = await send(client, page, page, reason="")
    assert refused.status_code == 400
    assert await audit_rows("session.cancel") == []
    done = await send(client, page, page, reason="Room flooded")
    assert done.status_code == 303
    [row] = await audit_rows("session.cancel")
    assert _about(row) == (staff.id, STAFF_ROLE, "session", str(session_id), None)
    assert row["changes"] == {
        "status": ["scheduled", "cancelled"],
        "event_id": event_id,
        "reason": "Room flooded",
        "registrations_cancelled": 0,
    }


async def test_moving_a_session_is_a_reschedule_and_renaming_it_an_update(client) -> None:
    event_id, staff = await conference(client)
    session_id = await add_talk(client, event_id, staff)
    url = f"/api/v1/sessions/{session_id}"
    renamed = await client.patch(url, json={"title": "Rumours, revisited"}, headers=staff.headers)
    assert renamed.status_code == 200, renamed.text
    session = await Session.select().where(Session.id == session_id).first()
    assert session is not None
    later = session["starts_at"] + timedelta(minutes=30)
    moved = await client.patch(url, json={"starts_at": later.isoformat()}, headers=staff.headers)
    assert moved.status_code == 200, moved.text
    [update] = await audit_rows("session.update")
    assert update["changes"] == {
        "title": ["Rumours in a measles outbreak", "Rumours, revisited"],
        "event_id": event_id,
    }
    [reschedule] = await audit_rows("session.reschedule")
    assert _about(reschedule) == (staff.id, STAFF_ROLE, "session", str(session_id), None)
    assert reschedule["changes"]["starts_at"] == [session["starts_at"].isoformat(), later.isoformat()]


async def test_staff_check_in_and_undo_name_the_registrant(client) -> None:
    world = await webinar(client)
    person, reg_id, _ = await register(client, world.event_id)
    url = f"/api/v1/sessions/{world.session_id}/checkins"
    checked = await client.post(url, json={"registration_id": reg_id}, headers=world.staff.headers)
    assert checked.status_code == 201, checked.text
    again = await client.post(url, json={"registration_id": reg_id}, headers=world.staff.headers)
    assert again.status_code == 200 and again.json()["already"] is True
    [row] = await audit_rows("registration.check_in")
    assert _about(row) == (world.staff.id, STAFF_ROLE, "registration", str(reg_id), person.id)
    assert row["changes"]["method"] == [None, "search"]
    assert row["changes"]["checked_in_at"][0] is None and row["changes"]["checked_in_at"][1]
    assert row["changes"]["session_id"] == world.session_id

    undone = await client.delete(
        f"{url}/{reg_id}", params={"reason": "wrong person"}, headers=world.staff.headers
    )
    assert undone.status_code == 200, undone.text
    [undo] = await audit_rows("registration.check_in.undo")
    assert _about(undo) == (world.staff.id, STAFF_ROLE, "registration", str(reg_id), person.id)
    assert undo["changes"]["method"] == ["search", None]
    assert undo["changes"]["checked_in_at"][1] is None
    assert undo["changes"]["reason"] == "wrong person"
    missing = await client.delete(f"{url}/{reg_id}", headers=world.staff.headers)
    assert missing.status_code == 404
    assert len(await audit_rows("registration.check_in.undo")) == 1


async def test_an_attendees_own_check_in_is_not_a_staff_action(client) -> None:
    world = await webinar(client, open_now=True)
    person, _, _ = await register(client, world.event_id)
    session = await Session.select(Session.checkin_secret).where(Session.id == world.session_id).first()
    assert session is not None
    code = code_at(session["checkin_secret"], now())
    done = await client.post(
        f"/api/v1/sessions/{world.session_id}/self-checkin", json={"code": code}, headers=person.headers
    )
    assert done.status_code == 201, done.text
    assert await CheckIn.count() == 1
    assert await audit_rows("registration.check_in") == []


async def test_inviting_and_withdrawing_a_speaker_name_them_when_known(client) -> None:
    event_id, staff = await make_event(client)
    session = await the_session(event_id)
    speaker = await make_actor(Role.MEMBER)
    await Person.update({Person.email_verified_at: now()}).where(Person.id == speaker.id)
    url = f"/api/v1/sessions/{session['id']}/speakers"
    known = await client.post(url, json={"email": speaker.email, "name": "Dr. Known"}, headers=staff.headers)
    assert known.status_code == 201, known.text
    stranger = await client.post(
        url, json={"email": "nobody@example.org", "name": "Dr. Stranger"}, headers=staff.headers
    )
    assert stranger.status_code == 201, stranger.text
    duplicate = await client.post(
        url, json={"email": speaker.email, "name": "Dr. Known"}, headers=staff.headers
    )
    assert duplicate.status_code == 409
    first, second = await audit_rows("speaker.invite")
    assert _about(first) == (staff.id, STAFF_ROLE, "speaker", str(known.json()["id"]), speaker.id)
    assert first["changes"] == {"status": [None, "invited"], "session_id": session["id"]}
    assert second["subject_id"] is None

    withdrawn = await client.delete(f"/api/v1/speakers/{known.json()['id']}", headers=staff.headers)
    assert withdrawn.status_code == 200, withdrawn.text
    [withdraw] = await audit_rows("speaker.withdraw")
    assert _about(withdraw) == (staff.id, STAFF_ROLE, "speaker", str(known.json()["id"]), speaker.id)
    assert withdraw["changes"] == {"status": ["invited", "withdrawn"], "session_id": session["id"]}


async def test_deactivating_a_ticket_type_once_is_one_row(client) -> None:
    event_id, staff = await make_event(client)
    ticket = await add_ticket_type(client, event_id, staff.headers, member_price=1500)
    [create] = await audit_rows("ticket_type.create")
    assert create["changes"]["member_price"] == [None, 1500]
    url = f"/api/v1/ticket-types/{ticket['id']}/deactivate"
    for _ in range(2):
        done = await client.post(url, headers=staff.headers)
        assert done.status_code == 200 and done.json()["active"] is False
    [row] = await audit_rows("ticket_type.deactivate")
    assert _about(row) == (staff.id, STAFF_ROLE, "ticket_type", str(ticket["id"]), None)
    assert row["changes"] == {"active": [True, False], "event_id": event_id}


async def test_every_roster_csv_download_is_recorded_with_its_row_count(client) -> None:
    event_id, staff = await make_event(client)
    for _ in range(3):
        await register(client, event_id)
    await sign_in(client, staff)
    page = await client.get(f"/staff/events/{event_id}/roster.csv")
    assert page.status_code == 200 and page.text.count("\n") == 4
    [row] = await audit_rows("export.roster_csv")
    assert _about(row) == (staff.id, STAFF_ROLE, "event", str(event_id), None)
    assert row["changes"] == {"rows": 3, "event_id": event_id, "status": None, "filtered": False}

    api = await client.get(
        f"/api/v1/events/{event_id}/registrations",
        params={"format": "csv", "status": "confirmed"},
        headers=staff.headers,
    )
    assert api.status_code == 200
    assert [r["changes"]["rows"] for r in await audit_rows("export.roster_csv")] == [3, 3]
    listed = await client.get(f"/api/v1/events/{event_id}/registrations", headers=staff.headers)
    assert listed.status_code == 200 and len(await audit_rows("export.roster_csv")) == 2


async def test_refused_changes_write_no_row(client) -> None:
    event_id, staff = await make_event(client)
    world_reg = await register(client, event_id)
    session = await the_session(event_id)
    stranger = await make_staff()
    before = await audit_rows()

    url = f"/api/v1/events/{event_id}"
    assert (await client.patch(url, json={"title": "Mine"}, headers=stranger.headers)).status_code == 403
    assert (await client.patch(url, json={"capacity": 0}, headers=staff.headers)).status_code == 400
    event = (await client.get(url)).json()
    backwards = {"ends_at": event["starts_at"]}
    assert (await client.patch(url, json=backwards, headers=staff.headers)).status_code == 400
    cancel = f"{url}/cancel"
    assert (await client.post(cancel, json={"reason": ""}, headers=staff.headers)).status_code == 400
    assert (await client.post(cancel, json={"reason": "x"}, headers=stranger.headers)).status_code == 403
    checkins = f"/api/v1/sessions/{session['id']}/checkins"
    refused = await client.post(checkins, json={"registration_id": world_reg[1]}, headers=stranger.headers)
    assert refused.status_code == 403
    ticket = {"name": "Bad", "currency": "XXX", "member_price": 0, "non_member_price": 0, "guest_price": 0}
    bad_ticket = await client.post(f"{url}/ticket-types", json=ticket, headers=staff.headers)
    assert bad_ticket.status_code == 400
    await sign_in(client, staff)
    blank = await send(client, f"/staff/events/{event_id}/edit", f"/staff/events/{event_id}/edit", title="")
    assert blank.status_code == 400
    await sign_in(client, stranger)
    assert (await client.get(f"/staff/events/{event_id}/roster.csv")).status_code == 403

    assert await audit_rows() == before
