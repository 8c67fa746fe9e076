"""Staff add, edit and cancel sessions, and manage tracks, through the pages."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from events.tables import Session, Track
from notifications.tables import OutboxMessage
from tests.builders.clients import sign_in
from tests.builders.event_pages import (
    YEAR,
    add_talk,
    alert,
    conference,
    form_fields,
    gap_time,
    send,
    snapshot,
)


async def test_staff_add_a_session_with_track_credits_and_own_capacity(client) -> None:
    event_id, staff = await conference(client)
    track = await client.post(
        f"/api/v1/events/{event_id}/tracks", json={"name": "Clinicians"}, headers=staff.headers
    )
    await sign_in(client, staff)
    page = f"/staff/events/{event_id}/sessions"
    response = await send(
        client,
        page,
        page,
        title="  Video   on a phone ",
        track_id=str(track.json()["id"]),
        starts_at=f"{YEAR}-04-20T09:00",
        ends_at=f"{YEAR}-04-20T10:00",
        room="Hall B",
        join_url="https://meet.example.org/j/hall-b",
        capacity="30",
        cme_credits="0.75",
        counts_toward_completion="",
    )
    assert response.status_code == 303, response.text
    session = await Session.select().where(Session.title == "Video on a phone").first()
    assert response.headers["location"] == f"{page}?done=session_added#session-{session['id']}"
    # 09:00 in Chicago in April is 14:00 UTC (CDT).
    assert session["starts_at"] == datetime(YEAR, 4, 20, 14, tzinfo=UTC)
    assert (
        session["track"] == track.json()["id"] and session["room"] == "Hall B" and session["capacity"] == 30
    )
    assert session["cme_quarters"] == 3 and session["counts_toward_completion"] is False
    listed = await client.get(response.headers["location"])
    row = listed.text.split(f'id="session-{session["id"]}"')[1].split("</tr>")[0]
    assert "Session added." in listed.text and "Clinicians" in row and ">0.75<" in row


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"ends_at": f"{YEAR}-04-20T08:00"}, "The session must end after it starts."),
        ({"starts_at": "GAP"}, "does not exist in this time zone"),
        ({"cme_credits": "0.3"}, "quarter hours"),
        ({"cme_credits": "2"}, "at most 1 CME credits"),
        ({"capacity": "500"}, "from 1 to 100 people"),
        ({"starts_at": f"{YEAR}-05-20T09:00", "ends_at": f"{YEAR}-05-20T10:00"}, "within the event's dates"),
        ({"join_url": "javascript:alert(1)"}, "must be a web address"),
        ({"title": " "}, "Give the session a title."),
        ({"track_id": "abc"}, "No such track"),
    ],
    ids=lambda v: "-".join(v) if isinstance(v, dict) else v[:20],
)
async def test_bad_sessions_show_the_form_again_and_write_nothing(client, change, message) -> None:
    event_id, staff = await conference(client)
    await sign_in(client, staff)
    page = f"/staff/events/{event_id}/sessions"
    before = await snapshot()
    filled = {k: gap_time() if v == "GAP" else v for k, v in change.items()}
    fields = {"title": "Typed title", "starts_at": f"{YEAR}-04-20T09:00", "ends_at": f"{YEAR}-04-20T10:00"}
    response = await send(client, page, page, **{**fields, "room": "Typed room", **filled})
    assert response.status_code in (400, 409), response.text
    assert message in alert(response.text)
    assert 'value="Typed room"' in response.text
    assert await snapshot() == before


async def test_editing_a_session_raises_sequence_only_when_it_moves(client) -> None:
    event_id, staff = await conference(client)
    session_id = await add_talk(client, event_id, staff, cme_quarters=4)
    await client.post(
        f"/api/v1/sessions/{session_id}/speakers",
        json={"email": "speaker@example.org", "name": "Dr. Speaker"},
        headers=staff.headers,
    )
    await sign_in(client, staff)
    edit = f"/staff/sessions/{session_id}/edit"
    shown = form_fields((await client.get(edit)).text, edit)
    assert (
        shown["cme_credits"] == "1"
        and shown["room"] == "Hall A"
        and shown["starts_at"] == f"{YEAR}-04-19T10:00"
    )
    same = await send(client, edit, edit)
    assert same.headers["location"].endswith(f"?done=session_unchanged#session-{session_id}")
    renamed = await send(client, edit, edit, title="Rumours, revisited", cme_credits="0.5")
    assert renamed.status_code == 303
    row = await Session.select().where(Session.id == session_id).first()
    assert row["title"] == "Rumours, revisited" and row["cme_quarters"] == 2 and row["sequence"] == 0
    updates_before = await OutboxMessage.count().where(OutboxMessage.recipient == "speaker@example.org")
    moved = await send(client, edit, edit, room="Hall C")
    assert moved.status_code == 303
    row = await Session.select().where(Session.id == session_id).first()
    assert row["room"] == "Hall C" and row["sequence"] == 1
    assert (
        await OutboxMessage.count().where(OutboxMessage.recipient == "speaker@example.org")
        == updates_before + 1
    )
    before = await snapshot()
    bad = await send(client, edit, edit, ends_at=f"{YEAR}-04-19T09:00")
    assert bad.status_code == 400 and "must end after it starts" in alert(bad.text)
    assert await snapshot() == before


async def test_cancelling_a_session_needs_a_reason(client) -> None:
    event_id, staff = await conference(client)
    session_id = await add_talk(client, event_id, staff)
    await sign_in(client, staff)
    page = f"/staff/sessions/{session_id}/cancel"
    before = await snapshot()
    missing = await send(client, page, page, reason="")
    assert missing.status_code == 400 and "Say why the session is cancelled" in alert(missing.text)
    assert await snapshot() == before
    done = await send(client, page, page, reason="Room flooded")
    assert done.status_code == 303
    assert (
        done.headers["location"]
        == f"/staff/events/{event_id}/sessions?done=session_cancelled#session-{session_id}"
    )
    row = await Session.select().where(Session.id == session_id).first()
    assert row["status"] == "cancelled" and row["sequence"] == 1
    listed = await client.get(done.headers["location"])
    assert f'href="/staff/sessions/{session_id}/edit"' not in listed.text
    assert (await client.get(page)).status_code == 409


async def test_tracks_are_added_renamed_and_removed(client) -> None:
    event_id, staff = await conference(client)
    await sign_in(client, staff)
    page = f"/staff/events/{event_id}/sessions"
    added = await send(client, page, f"/staff/events/{event_id}/tracks", name="  Clinician   voices ")
    assert added.status_code == 303 and added.headers["location"] == f"{page}?done=track_added#tracks"
    track = await Track.select().first()
    assert track["name"] == "Clinician voices"
    blank = await send(client, page, f"/staff/events/{event_id}/tracks", name="  ")
    assert blank.status_code == 400 and "Give the track a name." in alert(blank.text)
    assert await Track.count() == 1
    renamed = await send(client, page, f"/staff/tracks/{track['id']}/rename", name="Voices")
    assert renamed.status_code == 303
    assert (await Track.select(Track.name).first())["name"] == "Voices"
    session_id = await add_talk(client, event_id, staff, track_id=track["id"])
    in_use = await send(client, page, f"/staff/tracks/{track['id']}/remove")
    assert in_use.status_code == 409 and "Scheduled sessions use this track" in alert(in_use.text)
    assert await Track.count() == 1
    await send(
        client, f"/staff/sessions/{session_id}/cancel", f"/staff/sessions/{session_id}/cancel", reason="Moved"
    )
    removed = await send(client, page, f"/staff/tracks/{track['id']}/remove")
    assert removed.status_code == 303 and await Track.count() == 0
