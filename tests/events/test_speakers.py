"""Speakers: invited by staff, answering by private link or on their own page, withdrawn by staff."""

from __future__ import annotations

import hashlib
import json
import re
from datetime import timedelta

import pytest

from accounts.principal import Role
from events.tables import SessionSpeaker
from notifications.tables import OutboxMessage
from tests.builders.clients import csrf_from, sign_in
from tests.builders.people import make_actor, make_staff, people
from tests.builders.speakers import invite, webinar

TOKEN_IN_LINK = re.compile(r"/speaking/respond/([A-Za-z0-9_-]+)")


async def token_sent_to(email: str) -> str:
    rows = await OutboxMessage.select(OutboxMessage.context).where(
        (OutboxMessage.recipient == email) & (OutboxMessage.template == "speaker_invitation")
    )
    match = TOKEN_IN_LINK.search(str(rows[-1]["context"]))
    assert match
    return match.group(1)


# Staff invite and withdraw


@pytest.mark.parametrize(
    ("who", "status", "code"),
    [
        ("anonymous", 401, "auth.required"),
        ("member", 403, "auth.forbidden"),
        ("other program's staff", 403, "event.not_your_program"),
        ("admin", 201, None),
    ],
)
async def test_who_may_invite_list_and_withdraw_speakers(client, who, status, code) -> None:
    _, session, staff = await webinar(client)
    existing = await invite(client, session["id"], staff, "first@example.org")
    caller = (await people(client))[who]
    headers = caller.headers if caller else {}
    added = await client.post(
        f"/api/v1/sessions/{session['id']}/speakers",
        json={"email": "x@example.org", "name": "X"},
        headers=headers,
    )
    listed = await client.get(f"/api/v1/sessions/{session['id']}/speakers", headers=headers)
    withdrawn = await client.delete(f"/api/v1/speakers/{existing['id']}", headers=headers)
    assert added.status_code == status
    if code:
        for response in (added, listed, withdrawn):
            assert response.status_code == status and response.json()["code"] == code
        assert await SessionSpeaker.count() == 1
        assert (await SessionSpeaker.select().first())["status"] == "invited"
    else:
        assert listed.status_code == 200 and len(listed.json()) == 2
        assert withdrawn.status_code == 200 and withdrawn.json()["status"] == "withdrawn"


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"email": "not-an-address", "name": "X"}, 400, "speaker.email_invalid"),
        ({"email": "a@b", "name": "X"}, 400, "speaker.email_invalid"),
        ({"email": "ok@example.org", "name": "   "}, 400, "speaker.name_blank"),
        ({"email": "ok@example.org"}, 400, "request.invalid"),
        ({"email": "ok@example.org", "name": "X", "status": "accepted"}, 400, "request.invalid"),
        ({"email": "x" * 300 + "@example.org", "name": "X"}, 400, "request.invalid"),
        ({"email": "FIRST@example.org", "name": "Again"}, 409, "speaker.duplicate"),
    ],
    ids=["no at", "no dot", "blank name", "no name", "unknown field", "too long", "same address"],
)
async def test_bad_invitations_are_refused_and_nothing_is_sent(client, body, status, code) -> None:
    _, session, staff = await webinar(client)
    await invite(client, session["id"], staff, "first@example.org")
    queued = await OutboxMessage.count()
    response = await client.post(
        f"/api/v1/sessions/{session['id']}/speakers", json=body, headers=staff.headers
    )
    assert response.status_code == status and response.json()["code"] == code
    assert await SessionSpeaker.count() == 1 and await OutboxMessage.count() == queued


async def test_unknown_sessions_and_speakers(client) -> None:
    staff = await make_staff()
    for response in (
        await client.post(
            "/api/v1/sessions/999999/speakers",
            json={"email": "a@example.org", "name": "A"},
            headers=staff.headers,
        ),
        await client.get("/api/v1/sessions/999999/speakers", headers=staff.headers),
    ):
        assert response.status_code == 404 and response.json()["code"] == "session.not_found"
    gone = await client.delete("/api/v1/speakers/999999", headers=staff.headers)
    assert gone.status_code == 404 and gone.json()["code"] == "speaker.not_found"
    assert (await client.delete("/api/v1/speakers/abc", headers=staff.headers)).status_code in (400, 404, 405)


async def test_an_invitation_links_an_existing_account_and_a_withdrawn_speaker_can_be_asked_again(
    client,
) -> None:
    _, session, staff = await webinar(client)
    known = await make_actor(Role.MEMBER, email="known@example.org")
    speaker = await invite(client, session["id"], staff, "Known@Example.org")
    assert speaker["person_id"] == known.id and speaker["email"] == "known@example.org"
    row = await SessionSpeaker.select().where(SessionSpeaker.id == speaker["id"]).first()
    assert row["invite_uid"].startswith(f"session-{session['id']}-person-{known.id}@")
    assert row["token_hash"] and len(row["token_hash"]) == 64

    withdrawn = await client.delete(f"/api/v1/speakers/{speaker['id']}", headers=staff.headers)
    assert withdrawn.json()["status"] == "withdrawn"
    twice = await client.delete(f"/api/v1/speakers/{speaker['id']}", headers=staff.headers)
    assert twice.status_code == 409 and twice.json()["code"] == "speaker.withdrawn"
    again = await invite(client, session["id"], staff, "known@example.org", name="Known Again")
    assert again["id"] == speaker["id"] and again["status"] == "invited" and again["name"] == "Known Again"
    revived = await SessionSpeaker.select().where(SessionSpeaker.id == speaker["id"]).first()
    assert revived["invite_uid"] == row["invite_uid"], "the same calendar copy comes back"
    assert revived["token_hash"] not in ("", row["token_hash"]), "a fresh link"


async def test_speakers_of_a_cancelled_session_cannot_be_added(client) -> None:
    _, session, staff = await webinar(client)
    await client.delete(f"/api/v1/sessions/{session['id']}", headers=staff.headers)
    response = await client.post(
        f"/api/v1/sessions/{session['id']}/speakers",
        json={"email": "a@example.org", "name": "A"},
        headers=staff.headers,
    )
    assert response.status_code == 409 and response.json()["code"] == "session.cancelled"


# The private link


async def test_the_link_shows_the_session_and_only_a_post_answers(client) -> None:
    _, session, staff = await webinar(client)
    speaker = await invite(client, session["id"], staff, "guest@example.org")
    token = await token_sent_to("guest@example.org")
    stored = await SessionSpeaker.select().where(SessionSpeaker.id == speaker["id"]).first()
    assert stored["token_hash"] == hashlib.sha256(token.encode()).hexdigest()

    page = await client.get(f"/speaking/respond/{token}")
    assert page.status_code == 200
    assert "Tue 16 Mar 2027, 09:00\N{EN DASH}10:00 CDT" in page.text
    assert 'name="answer" value="accept"' in page.text
    assert 'content="no-referrer"' in page.text
    unchanged = await SessionSpeaker.select().where(SessionSpeaker.id == speaker["id"]).first()
    assert unchanged["status"] == "invited" and unchanged["responded_at"] is None

    no_csrf = await client.post(f"/speaking/respond/{token}", data={"answer": "accept"})
    assert no_csrf.status_code == 403
    csrf = csrf_from(page.text)
    nonsense = await client.post(f"/speaking/respond/{token}", data={"answer": "maybe", "_csrf_token": csrf})
    assert nonsense.status_code == 400 and "accept or decline" in nonsense.text
    assert (await SessionSpeaker.select().where(SessionSpeaker.id == speaker["id"]).first())[
        "status"
    ] == "invited"

    declined = await client.post(
        f"/speaking/respond/{token}", data={"answer": "decline", "_csrf_token": csrf}
    )
    assert declined.status_code == 200 and "You declined" in declined.text
    row = await SessionSpeaker.select().where(SessionSpeaker.id == speaker["id"]).first()
    assert row["status"] == "declined" and row["responded_at"] is not None and row["person"] is None
    changed_mind = await client.post(
        f"/speaking/respond/{token}", data={"answer": "accept", "_csrf_token": csrf}
    )
    assert changed_mind.status_code == 200
    assert (await SessionSpeaker.select().where(SessionSpeaker.id == speaker["id"]).first())[
        "status"
    ] == "accepted"
    queued = [
        r["context"] if isinstance(r["context"], dict) else json.loads(r["context"])
        for r in await OutboxMessage.select(OutboxMessage.context).where(
            (OutboxMessage.recipient == "guest@example.org") & (OutboxMessage.template == "session_invite")
        )
    ]
    # Each answer queues an update of their copy, with the answer as its PARTSTAT.
    assert [c["invite"]["partstat"] for c in queued] == ["DECLINED", "ACCEPTED"]


@pytest.mark.parametrize("token", ["nope", "x" * 200, "%00", "a/b"])
async def test_unknown_links_are_not_found(client, token) -> None:
    response = await client.get(f"/speaking/respond/{token}")
    assert response.status_code == 404


async def test_answering_while_signed_in_links_the_account(client) -> None:
    _, session, staff = await webinar(client)
    speaker = await invite(client, session["id"], staff, "late@example.org")
    person = await make_actor(Role.GUEST, email="late@example.org")
    await sign_in(client, person)
    token = await token_sent_to("late@example.org")
    page = await client.get(f"/speaking/respond/{token}")
    answered = await client.post(
        f"/speaking/respond/{token}", data={"answer": "accept", "_csrf_token": csrf_from(page.text)}
    )
    assert answered.status_code == 200
    row = await SessionSpeaker.select().where(SessionSpeaker.id == speaker["id"]).first()
    assert row["person"] == person.id and row["status"] == "accepted"
    assert "-invitee-" in row["invite_uid"], "the calendar copy keeps the UID it was sent with"


# My speaking


async def test_my_speaking_lists_my_sessions_in_both_zones_and_answers(client) -> None:
    _, session, staff = await webinar(client)
    me = await make_actor(Role.GUEST, email="me@example.org")
    from accounts.tables import Person

    await Person.update({Person.time_zone: "Europe/Berlin"}).where(Person.id == me.id)
    mine = await invite(client, session["id"], staff, "me@example.org")
    others = await invite(client, session["id"], staff, "other@example.org")

    listed = await client.get("/api/v1/me/speaking", headers=me.headers)
    assert listed.status_code == 200
    [slot] = listed.json()
    assert slot["speaker_id"] == mine["id"] and slot["status"] == "invited"
    assert slot["local_starts_at"] == "2027-03-16T09:00:00-05:00"
    assert slot["my_time_zone"] == "Europe/Berlin" and slot["my_starts_at"] == "2027-03-16T15:00:00+01:00"
    assert slot["join_url"], "a speaker sees the link"

    accepted = await client.post(f"/api/v1/me/speaking/{mine['id']}/accept", headers=me.headers)
    assert accepted.status_code == 200 and accepted.json()["status"] == "accepted"
    row = await SessionSpeaker.select().where(SessionSpeaker.id == mine["id"]).first()
    assert row["responded_at"] is not None
    for path in (f"/api/v1/me/speaking/{others['id']}/accept", "/api/v1/me/speaking/999999/decline"):
        response = await client.post(path, headers=me.headers)
        assert response.status_code == 404 and response.json()["code"] == "speaker.not_found"
    assert (await SessionSpeaker.select().where(SessionSpeaker.id == others["id"]).first())[
        "status"
    ] == "invited"
    assert (await client.get("/api/v1/me/speaking")).status_code == 401

    public = (await client.get(f"/api/v1/sessions/{session['id']}")).json()
    assert public["speakers"] == ["Dr. Speaker"]
    declined = await client.post(f"/api/v1/me/speaking/{mine['id']}/decline", headers=me.headers)
    assert declined.json()["status"] == "declined" and declined.json()["join_url"] is None
    await client.delete(f"/api/v1/speakers/{mine['id']}", headers=staff.headers)
    assert (await client.get("/api/v1/me/speaking", headers=me.headers)).json() == []
    gone = await client.post(f"/api/v1/me/speaking/{mine['id']}/accept", headers=me.headers)
    assert gone.status_code == 404


async def test_the_speaking_page_needs_sign_in_and_answers_by_post(client) -> None:
    _, session, staff = await webinar(client)
    me = await make_actor(Role.GUEST, email="page@example.org")
    mine = await invite(client, session["id"], staff, "page@example.org")
    redirected = await client.get("/speaking")
    assert redirected.status_code in (302, 303) and redirected.headers["location"] == "/signin?next=/speaking"

    await sign_in(client, me)
    page = await client.get("/speaking")
    assert page.status_code == 200
    assert "Tue 16 Mar 2027, 09:00\N{EN DASH}10:00 CDT" in page.text and "Awaiting your answer" in page.text
    answered = await client.post(
        f"/speaking/{mine['id']}", data={"answer": "accept", "_csrf_token": csrf_from(page.text)}
    )
    assert answered.status_code in (302, 303) and answered.headers["location"] == "/speaking?answered=accept"
    after = await client.get("/speaking?answered=accept")
    assert "You accepted" in after.text and "Thank you" in after.text
    bad = await client.post(
        f"/speaking/{mine['id']}", data={"answer": "perhaps", "_csrf_token": csrf_from(after.text)}
    )
    assert bad.status_code == 400
    assert (await SessionSpeaker.select().where(SessionSpeaker.id == mine["id"]).first())[
        "status"
    ] == "accepted"


async def test_a_speaker_of_a_rescheduled_session_sees_the_new_time(client) -> None:
    event_id, session, staff = await webinar(client)
    me = await make_actor(Role.GUEST, email="moved@example.org")
    await invite(client, session["id"], staff, "moved@example.org")
    start = session["starts_at"] + timedelta(days=1)
    await client.patch(
        f"/api/v1/events/{event_id}",
        json={"starts_at": start.isoformat(), "ends_at": (start + timedelta(hours=1)).isoformat()},
        headers=staff.headers,
    )
    [slot] = (await client.get("/api/v1/me/speaking", headers=me.headers)).json()
    assert slot["local_starts_at"] == "2027-03-17T09:00:00-05:00"
