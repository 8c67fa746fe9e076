"""Staff pages that manage an event: edit and cancel it, sessions and tracks, speakers, ticket types.

Everything goes through the rendered HTML as a browser would send it: the
form's own fields (as the page filled them in) and its CSRF token.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from html import unescape
from html.parser import HTMLParser
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from accounts.principal import Role
from events.pages import display
from events.tables import Event, Registration, Session, SessionSpeaker, TicketType, Track
from notifications.tables import OutboxMessage
from tests.conftest import Actor, csrf_from, make_actor, make_staff
from tests.events.test_catalogue import future_year
from tests.events.test_pages import second_sunday_of_march, sign_in, visible_text
from tests.events.test_scheduling import new_event, register, the_session

CHICAGO = ZoneInfo("America/Chicago")
YEAR = future_year()
# A conference from Monday 08:00 to Wednesday 08:00 in Chicago (CDT, UTC-5).
CONF_START = datetime(YEAR, 4, 19, 8, tzinfo=CHICAGO)
CONF_END = CONF_START + timedelta(days=2)


class _Fields(HTMLParser):
    """The fields of one form, as a browser would submit them without any change."""

    def __init__(self, action: str) -> None:
        super().__init__()
        self.action, self.inside, self.fields = action, False, {}
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.inside = a.get("action") == self.action
        if not self.inside or (not a.get("name") and tag != "option"):
            return
        if tag == "input" and a.get("type") not in ("submit", "button"):
            if a.get("type") != "checkbox" or "checked" in a:
                self.fields[a["name"]] = a.get("value", "on" if a.get("type") == "checkbox" else "")
        elif tag == "select":
            self._select = a["name"]
        elif tag == "option" and self._select and ("selected" in a or self._select not in self.fields):
            self.fields[self._select] = a.get("value", "")
        elif tag == "textarea":
            self._textarea = a["name"]
            self.fields[a["name"]] = ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.inside = False
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self.fields[self._textarea] += data


def form_fields(html: str, action: str) -> dict[str, str]:
    parser = _Fields(action)
    parser.feed(html)
    return dict(parser.fields)


async def send(client, page: str, action: str, **changes: str):
    """Open ``page``, fill the form posting to ``action`` as shown, apply ``changes``, submit it."""
    shown = await client.get(page)
    assert shown.status_code == 200, shown.text
    data = {"_csrf_token": csrf_from(shown.text), **form_fields(shown.text, action), **changes}
    return await client.post(action, data=data)


def local(moment: datetime) -> str:
    return moment.astimezone(CHICAGO).strftime("%Y-%m-%dT%H:%M")


def gap_time() -> str:
    """02:30 on the morning US clocks spring forward: it never happens in Chicago."""
    return f"{second_sunday_of_march(YEAR)}T02:30"


async def conference(client, staff: Actor | None = None) -> tuple[int, Actor]:
    return await new_event(
        client,
        staff,
        kind="conference",
        capacity=100,
        join_url="",
        starts_at=CONF_START.isoformat(),
        ends_at=CONF_END.isoformat(),
    )


async def add_talk(client, event_id: int, staff: Actor, **over: Any) -> int:
    body = {
        "title": "Rumours in a measles outbreak",
        "starts_at": (CONF_START + timedelta(hours=2)).isoformat(),
        "ends_at": (CONF_START + timedelta(hours=3)).isoformat(),
        "room": "Hall A",
        **over,
    }
    response = await client.post(f"/api/v1/events/{event_id}/sessions", json=body, headers=staff.headers)
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


async def snapshot() -> list[Any]:
    """Every row these pages could write, to show a refused form wrote nothing."""
    tables = (Event, Session, Track, SessionSpeaker, TicketType, Registration)
    rows = [await t.select().order_by(t.id) for t in tables]
    return [*rows, await OutboxMessage.count()]


def alert(page: str) -> str:
    """The words of the page's error message."""
    start = page.index(">", page.index('role="alert"')) + 1
    return unescape(visible_text(page[start : page.index("</p>", start)])).strip()


# --- who may ------------------------------------------------------------------------------------

PAGES = [
    "/staff/events/{event}/edit",
    "/staff/events/{event}/cancel",
    "/staff/events/{event}/sessions",
    "/staff/events/{event}/tickets",
    "/staff/sessions/{session}/edit",
    "/staff/sessions/{session}/cancel",
    "/staff/sessions/{session}/speakers",
]


async def caller(client, who: str, staff: Actor) -> None:
    client.cookies.clear()
    if who == "staff":
        await sign_in(client, staff)
    elif who == "other program's staff":
        await sign_in(client, await make_staff())
    elif who != "anonymous":
        await sign_in(client, await make_actor(Role(who)))


@pytest.mark.parametrize(
    ("who", "status"),
    [("anonymous", 302), ("member", 403), ("other program's staff", 403), ("staff", 200), ("admin", 200)],
)
@pytest.mark.parametrize("template", PAGES)
async def test_who_may_open_the_management_pages(client, template: str, who: str, status: int) -> None:
    event_id, staff = await conference(client)
    session_id = await add_talk(client, event_id, staff)
    path = template.format(event=event_id, session=session_id)
    await caller(client, who, staff)
    response = await client.get(path)
    assert response.status_code == status, response.text
    if status == 302:
        assert response.headers["location"] == f"/signin?next={path}"
    elif status == 403:
        code = "auth.forbidden" if who == "member" else "event.not_your_program"
        assert "Not allowed" in response.text and f"<code>{code}</code>" in response.text


ACTIONS = [
    ("/staff/events/{event}/edit", {"title": "Taken over", "time_zone": "America/Chicago"}),
    ("/staff/events/{event}/cancel", {"reason": "Taken over"}),
    ("/staff/events/{event}/sessions", {"title": "Intruder", "starts_at": "", "ends_at": ""}),
    ("/staff/events/{event}/tracks", {"name": "Intruders"}),
    ("/staff/events/{event}/tickets", {"name": "Free", "currency": "USD", "member_price": "0"}),
    ("/staff/sessions/{session}/edit", {"title": "Taken over"}),
    ("/staff/sessions/{session}/cancel", {"reason": "Taken over"}),
    ("/staff/sessions/{session}/speakers", {"email": "x@example.org", "name": "X"}),
    ("/staff/speakers/{speaker}/withdraw", {}),
    ("/staff/tracks/{track}/rename", {"name": "Taken over"}),
    ("/staff/tracks/{track}/remove", {}),
    ("/staff/ticket-types/{ticket}/deactivate", {}),
]


@pytest.mark.parametrize(
    ("who", "status"), [("anonymous", 302), ("member", 403), ("other program's staff", 403)]
)
@pytest.mark.parametrize(("template", "data"), ACTIONS, ids=[a[0] for a in ACTIONS])
async def test_outsiders_change_nothing(
    client, template: str, data: dict[str, str], who: str, status: int
) -> None:
    event_id, staff = await conference(client)
    session_id = await add_talk(client, event_id, staff)
    track = await client.post(
        f"/api/v1/events/{event_id}/tracks", json={"name": "Main"}, headers=staff.headers
    )
    ticket = await client.post(
        f"/api/v1/events/{event_id}/ticket-types",
        json={
            "name": "Day pass",
            "currency": "USD",
            "member_price": 0,
            "non_member_price": 0,
            "guest_price": 0,
        },
        headers=staff.headers,
    )
    speaker = await client.post(
        f"/api/v1/sessions/{session_id}/speakers",
        json={"email": "speaker@example.org", "name": "Dr. Speaker"},
        headers=staff.headers,
    )
    ids = {"event": event_id, "session": session_id, "track": track.json()["id"]}
    ids.update(ticket=ticket.json()["id"], speaker=speaker.json()["id"])
    path = template.format(**ids)
    before = await snapshot()
    await caller(client, who, staff)
    token = csrf_from((await client.get("/signin" if who == "anonymous" else "/")).text)
    response = await client.post(path, data={**data, "_csrf_token": token})
    assert response.status_code == status, response.text
    if status == 302:
        assert response.headers["location"] == f"/signin?next={path}"
    assert await snapshot() == before


@pytest.mark.parametrize(
    "path",
    ["/staff/events/987654/edit", "/staff/sessions/987654/speakers", "/staff/events/99999999999999/tickets"],
)
async def test_unknown_or_impossible_ids_are_not_found(client, path: str) -> None:
    await sign_in(client, await make_staff())
    response = await client.get(path)
    assert response.status_code == 404 and "Not found" in response.text


async def test_the_event_page_links_to_every_management_page(client) -> None:
    event_id, staff = await conference(client)
    await sign_in(client, staff)
    page = (await client.get(f"/staff/events/{event_id}")).text
    for suffix in ("edit", "sessions", "tickets", "cancel"):
        assert f'href="/staff/events/{event_id}/{suffix}"' in page


# --- editing and cancelling the event -------------------------------------------------------------


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


# --- sessions and tracks ------------------------------------------------------------------------------


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


# --- speakers ---------------------------------------------------------------------------------------------


async def test_staff_invite_see_answers_and_withdraw_speakers(client) -> None:
    event_id, staff = await conference(client)
    session_id = await add_talk(client, event_id, staff)
    await sign_in(client, staff)
    page = f"/staff/sessions/{session_id}/speakers"
    invited = await send(client, page, page, email="Ana.Lopez@Example.org", name="Dr. Ana López")
    assert invited.status_code == 303 and invited.headers["location"] == f"{page}?done=invited"
    speaker = await SessionSpeaker.select().first()
    assert speaker["email_key"] == "ana.lopez@example.org" and speaker["status"] == "invited"
    assert await OutboxMessage.count().where(OutboxMessage.template == "speaker_invitation") == 1
    for email, status in (("b@example.org", "accepted"), ("c@example.org", "declined")):
        await send(client, page, page, email=email, name=email[0].upper())
        await SessionSpeaker.update({SessionSpeaker.status: status}).where(SessionSpeaker.email_key == email)
    listed = await client.get(page)
    statuses = [
        visible_text(p.split("</td>")[0]).strip() for p in listed.text.split('<td class="status">')[1:]
    ]
    assert statuses == ["Invited, no answer yet", "Accepted", "Declined"]

    before = await snapshot()
    for email, message in (
        ("not-an-address", "does not look like an email"),
        ("ana.lopez@example.org", "already"),
    ):
        bad = await send(client, page, page, email=email, name="Someone")
        assert bad.status_code in (400, 409) and message in alert(bad.text)
        assert 'value="Someone"' in bad.text
    assert await snapshot() == before

    withdrawn = await send(client, page, f"/staff/speakers/{speaker['id']}/withdraw")
    assert withdrawn.status_code == 303 and withdrawn.headers["location"] == f"{page}?done=withdrawn"
    row = await SessionSpeaker.select().where(SessionSpeaker.id == speaker["id"]).first()
    assert row["status"] == "withdrawn" and row["token_hash"] == ""
    again = await send(client, page, f"/staff/speakers/{speaker['id']}/withdraw")
    assert again.status_code == 409 and "withdrawn" in alert(again.text)


# --- ticket types -----------------------------------------------------------------------------------------


TICKET = {
    "name": "Day pass",
    "currency": "USD",
    "member_price": "19.99",
    "non_member_price": "49",
    "guest_price": "0",
}


async def test_prices_typed_as_amounts_are_stored_in_minor_units(client) -> None:
    event_id, staff = await conference(client)
    await sign_in(client, staff)
    page = f"/staff/events/{event_id}/tickets"
    added = await send(client, page, page, **TICKET)
    assert added.status_code == 303 and added.headers["location"] == f"{page}?done=added"
    yen = await send(
        client, page, page, **{**TICKET, "name": "Tokyo pass", "currency": "jpy", "member_price": "1000"}
    )
    assert yen.status_code == 303, yen.text
    rows = {r["name"]: r for r in await TicketType.select()}
    assert rows["Day pass"]["member_price"] == 1999  # DOMAIN: 19.99 USD = 1999
    assert rows["Day pass"]["non_member_price"] == 4900 and rows["Day pass"]["guest_price"] == 0
    assert rows["Tokyo pass"]["currency"] == "JPY" and rows["Tokyo pass"]["member_price"] == 1000  # 1000 JPY
    listed = visible_text((await client.get(page)).text)
    assert "Members: $19.99" in listed and "Non-members: $49.00" in listed and "Members: ¥1,000" in listed


async def test_early_bird_sales_window_member_only_and_quantity(client) -> None:
    event_id, staff = await conference(client)
    await sign_in(client, staff)
    page = f"/staff/events/{event_id}/tickets"
    response = await send(
        client,
        page,
        page,
        **TICKET,
        early_member_price="9.50",
        early_bird_until=f"{YEAR}-03-01T23:59",
        sales_start=f"{YEAR}-01-15T09:00",
        sales_end=f"{YEAR}-04-19T08:00",
        member_only="on",
        quantity="25",
    )
    assert response.status_code == 303, response.text
    row = await TicketType.select().first()
    assert row["early_member_price"] == 950 and row["early_non_member_price"] is None
    # 23:59 on 1 March in Chicago is 05:59 UTC the next day (CST, UTC-6).
    assert row["early_bird_until"] == datetime(YEAR, 3, 2, 5, 59, tzinfo=UTC)
    assert row["sales_start"] == datetime(YEAR, 1, 15, 15, tzinfo=UTC)
    assert row["member_only"] is True and row["quantity"] == 25
    listed = visible_text((await client.get(page)).text)
    assert f"Early bird until {display.day_label(date(YEAR, 3, 1))}, 23:59 CST" in listed
    assert "Members: $9.50" in listed and "25 places, 25 left" in listed


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"member_price": "19.999"}, "USD amounts have at most 2 decimal places"),
        ({"member_price": "-5"}, "The member price cannot be negative."),
        ({"guest_price": "-0.01"}, "The guest price cannot be negative."),
        ({"currency": "JPY", "member_price": "1000.5"}, "JPY amounts have no decimals"),
        ({"member_price": "$19.99"}, "plain number such as 19.99"),
        ({"member_price": "1,000"}, "plain number"),
        ({"member_price": "1e3"}, "plain number"),
        ({"member_price": ""}, "Give the member price"),
        ({"member_price": "99999999999"}, "above the most a ticket may cost"),
        ({"currency": "usdollars"}, "Unknown currency"),
        ({"name": "  "}, "Give the ticket type a name."),
        ({"early_member_price": "9"}, "Give the date and time early-bird prices end."),
        ({"early_member_price": "29", "early_bird_until": f"{YEAR}-03-01T12:00"}, "cannot be higher"),
        (
            {"early_member_price": "9", "early_bird_until": f"{YEAR}-05-01T12:00"},
            "no later than the event starts",
        ),
        ({"sales_start": f"{YEAR}-03-01T12:00", "sales_end": f"{YEAR}-02-01T12:00"}, "Sales must end after"),
        ({"sales_start": "GAP"}, "does not exist in this time zone"),
        ({"quantity": "0"}, "Quantity is a whole number"),
    ],
    ids=lambda v: "-".join(f"{k}={w}" for k, w in v.items()) if isinstance(v, dict) else v[:20],
)
async def test_bad_ticket_types_show_the_form_again_and_write_nothing(client, change, message) -> None:
    event_id, staff = await conference(client)
    await sign_in(client, staff)
    page = f"/staff/events/{event_id}/tickets"
    before = await snapshot()
    filled = {k: gap_time() if v == "GAP" else v for k, v in change.items()}
    response = await send(client, page, page, **{**TICKET, "description": "Typed words", **filled})
    assert response.status_code == 400, response.text
    assert message in alert(response.text)
    assert "Typed words" in response.text
    assert await snapshot() == before


async def test_deactivating_stops_selling_a_type(client) -> None:
    event_id, staff = await conference(client)
    await sign_in(client, staff)
    page = f"/staff/events/{event_id}/tickets"
    await send(client, page, page, **TICKET)
    ticket = await TicketType.select().first()
    response = await send(client, page, f"/staff/ticket-types/{ticket['id']}/deactivate")
    assert response.status_code == 303 and response.headers["location"] == f"{page}?done=deactivated"
    assert (await TicketType.select(TicketType.active).first())["active"] is False
    listed = await client.get(page)
    assert "Not on sale" in listed.text
    assert f'action="/staff/ticket-types/{ticket["id"]}/deactivate"' not in listed.text
