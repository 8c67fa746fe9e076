"""Check-in pages: the door list, the room screen, self check-in and the ticket, without JavaScript."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from accounts.principal import Role
from events.services.checkin.codes import code_at
from events.tables import CheckIn, CheckInRemoval, Session
from grandrounds.db import now
from tests.builders.checkin import register, ticket_code_of, webinar
from tests.builders.clients import csrf_from, sign_in
from tests.builders.people import make_actor, make_staff


async def post_form(client, page: str, action: str, form: dict[str, str]):
    html = (await client.get(page)).text
    return await client.post(action, data={**form, "_csrf_token": csrf_from(html)})


def door(session_id: int) -> str:
    return f"/staff/sessions/{session_id}/checkin"


@pytest.mark.parametrize("page", ["door", "screen"])
async def test_staff_pages_send_strangers_away(client, page) -> None:
    world = await webinar(client)
    path = door(world.session_id) if page == "door" else f"/staff/sessions/{world.session_id}/checkin-code"
    anonymous = await client.get(path)
    assert anonymous.status_code in (302, 303) and anonymous.headers["location"] == f"/signin?next={path}"
    for stranger in (await make_actor(Role.MEMBER), await make_staff()):
        await sign_in(client, stranger)
        assert (await client.get(path)).status_code == 403
    for allowed in (world.staff, await make_actor(Role.ADMIN)):
        await sign_in(client, allowed)
        assert (await client.get(path)).status_code == 200


async def test_the_door_page_checks_in_a_scanned_ticket_once_and_never_echoes_the_code(client) -> None:
    world = await webinar(client)
    person, reg_id, _ = await register(client, world.event_id)
    code = await ticket_code_of(reg_id)
    await sign_in(client, world.staff)
    page = await client.get(door(world.session_id))
    assert page.status_code == 200
    assert re.search(r'<input id="ticket_code"[^>]*autofocus', page.text)
    assert 'id="checked-in-count">0<' in page.text and 'id="confirmed-count">1<' in page.text
    assert code not in page.text
    scanned = await post_form(client, door(world.session_id), door(world.session_id), {"ticket_code": code})
    assert scanned.status_code == 201, scanned.text
    assert f"{person.email.split('@')[0].title()} is checked in." in scanned.text
    assert 'id="checked-in-count">1<' in scanned.text and code not in scanned.text
    again = await post_form(client, door(world.session_id), door(world.session_id), {"ticket_code": code})
    assert again.status_code == 200 and "was already checked in" in again.text
    unknown = await post_form(client, door(world.session_id), door(world.session_id), {"ticket_code": "nope"})
    assert unknown.status_code == 404 and "No ticket for this event has that code." in unknown.text
    assert await CheckIn.count() == 1


async def test_the_door_page_finds_people_and_checks_in_and_undoes_with_buttons(client) -> None:
    world = await webinar(client)
    _, reg_id, _ = await register(
        client, world.event_id, await make_actor(Role.MEMBER, email="ada@example.org")
    )
    await register(client, world.event_id, await make_actor(Role.MEMBER, email="grace@example.org"))
    await sign_in(client, world.staff)
    found = await client.get(door(world.session_id), params={"q": "ADA"})
    assert "ada@example.org" in found.text and "grace@example.org" not in found.text
    action = f"{door(world.session_id)}/{reg_id}"
    assert f'action="{action}"' in found.text
    checked = await post_form(client, door(world.session_id), action, {"q": "ada"})
    assert checked.status_code == 201 and "Ada is checked in." in checked.text
    assert "✓ Checked in" in checked.text
    undone = await post_form(client, door(world.session_id), f"{action}/undo", {"q": "ada"})
    assert undone.status_code == 200 and "Check-in of Ada undone." in undone.text
    assert await CheckIn.count() == 0 and await CheckInRemoval.count() == 1


async def test_the_door_form_needs_its_csrf_token(client) -> None:
    world = await webinar(client)
    _, reg_id, _ = await register(client, world.event_id)
    await sign_in(client, world.staff)
    await client.get(door(world.session_id))
    refused = await client.post(door(world.session_id), data={"ticket_code": await ticket_code_of(reg_id)})
    assert refused.status_code == 403 and await CheckIn.count() == 0


async def test_the_room_screen_shows_the_code_refreshes_and_carries_no_secret(client) -> None:
    world = await webinar(client, open_now=True)
    await sign_in(client, world.staff)
    screen = await client.get(f"/staff/sessions/{world.session_id}/checkin-code")
    assert screen.status_code == 200 and screen.headers["cache-control"] == "no-store"
    refresh = re.search(r'<meta http-equiv="refresh" content="(\d+)">', screen.text)
    assert refresh and 1 <= int(refresh.group(1)) <= 60
    row = await Session.select(Session.checkin_secret).where(Session.id == world.session_id).first()
    assert row is not None
    shown = re.search(r'id="checkin-code"[^>]*>(\d{3}) (\d{3})<', screen.text)
    assert shown and shown.group(1) + shown.group(2) in {
        code_at(row["checkin_secret"], now()),
        code_at(row["checkin_secret"], now() - timedelta(seconds=60)),
    }
    assert "<svg" in screen.text and row["checkin_secret"] not in screen.text
    assert f"/checkin/{world.session_id}" in screen.text


async def test_an_attendee_checks_in_on_the_self_check_in_page(client) -> None:
    world = await webinar(client, open_now=True)
    person, _, _ = await register(client, world.event_id)
    path = f"/checkin/{world.session_id}"
    anonymous = await client.get(path)
    assert anonymous.status_code in (302, 303) and anonymous.headers["location"] == f"/signin?next={path}"
    await sign_in(client, person)
    form = await client.get(path)
    assert (
        form.status_code == 200
        and '<label for="code">' in form.text
        and 'autocomplete="one-time-code"' in form.text
    )
    wrong = await post_form(client, path, path, {"code": "12-34"})
    assert wrong.status_code == 400 and "That code is not right" in wrong.text
    row = await Session.select(Session.checkin_secret).where(Session.id == world.session_id).first()
    assert row is not None
    done = await post_form(client, path, path, {"code": code_at(row["checkin_secret"], now())})
    assert done.status_code == 201 and "You are checked in" in done.text
    assert 'id="checked-in"' in (await client.get(path)).text
    check_in = await CheckIn.select().first()
    assert check_in is not None and check_in["method"] == "self"


async def test_the_self_check_in_page_says_why_someone_cannot(client) -> None:
    world = await webinar(client)
    stranger = await make_actor(Role.MEMBER)
    await sign_in(client, stranger)
    page = await client.get(f"/checkin/{world.session_id}")
    assert page.status_code == 200 and "You are not registered for this session" in page.text
    person, _, _ = await register(client, world.event_id)
    await sign_in(client, person)
    page = await client.get(f"/checkin/{world.session_id}")
    assert "Self check-in is open from" in page.text and 'name="code"' not in page.text


async def test_the_ticket_page_shows_the_owner_a_qr_code_and_nobody_else_anything(client) -> None:
    world = await webinar(client, capacity=1)
    owner, reg_id, _ = await register(client, world.event_id)
    code = await ticket_code_of(reg_id)
    path = f"/registrations/{reg_id}/ticket"
    anonymous = await client.get(path)
    assert anonymous.status_code in (302, 303)
    await sign_in(client, owner)
    mine = await client.get(path)
    assert mine.status_code == 200 and mine.headers["cache-control"] == "no-store"
    assert "<svg" in mine.text and f'id="ticket-code">{code}<' in mine.text
    for other in (await make_actor(Role.MEMBER), world.staff, await make_actor(Role.ADMIN)):
        await sign_in(client, other)
        response = await client.get(path)
        assert response.status_code == 404 and code not in response.text
    waiting, waiting_reg, status = await register(client, world.event_id)
    assert status == "waitlisted"
    await sign_in(client, waiting)
    pending = await client.get(f"/registrations/{waiting_reg}/ticket")
    assert (
        pending.status_code == 200 and "<svg" not in pending.text and 'id="ticket-code"' not in pending.text
    )
    assert "once your registration is confirmed" in pending.text
