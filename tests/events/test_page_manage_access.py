"""Who may open and post the staff pages that manage an event; unknown ids; links from the event page."""

from __future__ import annotations

import pytest

from accounts.principal import Role
from tests.builders.clients import csrf_from, sign_in
from tests.builders.event_pages import add_talk, conference, snapshot
from tests.builders.people import Actor, make_actor, make_staff

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
