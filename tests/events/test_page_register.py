"""Registering from the event page: the form, its refusals, and CSRF."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from accounts.principal import Role
from events.tables import Registration
from tests.builders.clients import csrf_from, sign_in
from tests.builders.events import JOIN, add_ticket, create_event
from tests.builders.pages import register_api, submit
from tests.builders.people import make_actor, make_staff


async def test_registering_on_the_event_page_lands_on_my_registrations(client) -> None:
    staff = await make_staff()
    event_id = await create_event(client, staff, join_url=JOIN)
    me = await make_actor(Role.GUEST)
    await sign_in(client, me)
    response = await submit(client, f"/events/{event_id}", f"/events/{event_id}/register")
    assert response.status_code == 303
    assert response.headers["location"].startswith("/registrations?registered=")
    mine = await client.get(response.headers["location"])
    assert "You are registered for" in mine.text
    reg = await Registration.select().where(Registration.person == me.id).first()
    assert reg is not None and reg["status"] == "confirmed"
    assert f'id="status-{reg["id"]}">Confirmed<' in mine.text
    assert f'href="/registrations/{reg["id"]}/ticket"' in mine.text
    again = await client.get(f"/events/{event_id}")
    assert "You are registered (confirmed)" in again.text
    assert f'action="/events/{event_id}/register"' not in again.text


async def test_a_place_in_a_session_with_its_own_capacity_can_be_chosen(client) -> None:
    staff = await make_staff()
    start = datetime.now(UTC) + timedelta(days=10)
    event_id = await create_event(
        client,
        staff,
        kind="conference",
        title="Hands-on day",
        starts_at=start,
        ends_at=start + timedelta(hours=8),
        capacity=40,
    )
    made = await client.post(
        f"/api/v1/events/{event_id}/sessions",
        json={
            "title": "Filming workshop",
            "starts_at": (start + timedelta(hours=1)).isoformat(),
            "ends_at": (start + timedelta(hours=2)).isoformat(),
            "capacity": 8,
        },
        headers=staff.headers,
    )
    assert made.status_code == 201, made.text
    session_id = made.json()["id"]
    me = await make_actor(Role.MEMBER)
    await sign_in(client, me)
    page = await client.get(f"/events/{event_id}")
    assert f'id="session_{session_id}"' in page.text and "8 left" in page.text
    response = await submit(
        client, f"/events/{event_id}", f"/events/{event_id}/register", {"session_id": str(session_id)}
    )
    assert response.status_code == 303, response.text
    reg = await Registration.select().where(Registration.person == me.id).first()
    assert reg is not None and reg["session"] == session_id


@pytest.mark.parametrize(
    ("form", "message", "field"),
    [
        ({"ticket_type_id": "abc"}, "Choose one of the ticket types listed.", "ticket_type_id"),
        ({"ticket_type_id": "-3"}, "Choose one of the ticket types listed.", "ticket_type_id"),
        ({}, "Choose a ticket type for this event.", "ticket_type_id"),
        ({"ticket_type_id": "OTHER"}, "That ticket type is not on offer for this event.", "ticket_type_id"),
        ({"session_id": "1e9"}, "Choose one of the sessions listed.", "session_id"),
    ],
)
async def test_bad_registration_form_is_shown_again_and_writes_nothing(
    client, form: dict[str, str], message: str, field: str
) -> None:
    staff = await make_staff()
    event_id = await create_event(client, staff, kind="conference", capacity=20)
    first = await add_ticket(client, staff, event_id, name="Day one")
    await add_ticket(client, staff, event_id, name="Day two")
    other_event = await create_event(client, staff, title="Other")
    foreign_ticket = await add_ticket(client, staff, other_event, name="Elsewhere")
    if form.get("ticket_type_id") == "OTHER":
        form = {"ticket_type_id": str(foreign_ticket)}
    if "session_id" in form:
        form = {**form, "ticket_type_id": str(first)}
        start = datetime.now(UTC) + timedelta(days=7, minutes=5)
        made = await client.post(
            f"/api/v1/events/{event_id}/sessions",
            json={
                "title": "Small group",
                "starts_at": start.isoformat(),
                "ends_at": (start + timedelta(minutes=30)).isoformat(),
                "capacity": 5,
            },
            headers=staff.headers,
        )
        assert made.status_code == 201, made.text
    await sign_in(client, await make_actor(Role.MEMBER))
    response = await submit(client, f"/events/{event_id}", f"/events/{event_id}/register", form)
    assert response.status_code == 400, response.text
    assert f'<p class="error" role="alert" id="form-error">{message}</p>' in response.text
    assert 'aria-invalid="true" aria-describedby="form-error"' in response.text
    assert "<legend>Ticket type</legend>" in response.text
    assert await Registration.count() == 0


async def test_registration_form_without_csrf_is_refused(client) -> None:
    staff = await make_staff()
    event_id = await create_event(client, staff)
    await sign_in(client, await make_actor(Role.MEMBER))
    response = await client.post(f"/events/{event_id}/register", data={})
    assert response.status_code == 403 and "auth.csrf" in response.text
    assert await Registration.count() == 0


async def test_refusals_from_the_engine_are_shown_on_the_event_page(client) -> None:
    staff = await make_staff()
    event_id = await create_event(client, staff)
    me = await make_actor(Role.MEMBER)
    await register_api(client, me, event_id)
    await sign_in(client, me)
    # The page hides the form once registered; a stale tab still posts it.
    page = await client.get("/events")
    response = await client.post(f"/events/{event_id}/register", data={"_csrf_token": csrf_from(page.text)})
    assert response.status_code == 409
    assert "already registered" in response.text
    assert await Registration.count() == 1
