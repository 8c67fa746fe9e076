"""Staff pages: my programs' events (drafts too), creating and publishing one, its sessions and roster."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from accounts.principal import Role
from events.tables import Event, Session
from tests.builders.clients import sign_in
from tests.builders.events import create_event, future_year
from tests.builders.pages import second_sunday_of_march, submit
from tests.builders.people import make_actor, make_program, make_staff

FORM = {
    "title": "Grand Rounds: telehealth etiquette",
    "kind": "webinar",
    "time_zone": "America/Chicago",
    "capacity": "150",
    "venue": "",
    "join_url": "https://meet.example.org/j/etiquette",
    "topic": "Telehealth",
    "description": "How to behave on camera.",
    "offer_hours": "24",
}


def when(month: int, day: int, hour: int) -> str:
    return f"{future_year()}-{month:02d}-{day:02d}T{hour:02d}:00"


@pytest.mark.parametrize(
    ("role", "expected"),
    [("anonymous", 302), ("guest", 403), ("member", 403), ("staff", 200), ("admin", 200)],
)
@pytest.mark.parametrize("path", ["/staff/events", "/staff/events/new"])
async def test_staff_pages_need_the_program_staff_role(client, role: str, expected: int, path: str) -> None:
    if role == "staff":
        await sign_in(client, await make_staff())
    elif role != "anonymous":
        await sign_in(client, await make_actor(Role(role)))
    response = await client.get(path)
    assert response.status_code == expected
    if expected == 302:
        assert response.headers["location"] == f"/signin?next={path}"
    if expected == 403:
        assert "Not allowed" in response.text


async def test_staff_see_their_programs_events_with_drafts_and_not_others(client) -> None:
    staff = await make_staff()
    other = await make_staff()
    mine = await create_event(client, staff, title="My published talk")
    draft = await create_event(client, staff, title="My draft talk", publish=False)
    theirs = await create_event(client, other, title="Their talk", publish=False)
    await sign_in(client, staff)
    page = await client.get("/staff/events")
    assert f'href="/staff/events/{mine}"' in page.text and f'href="/staff/events/{draft}"' in page.text
    assert "Their talk" not in page.text
    assert (await client.get(f"/staff/events/{theirs}")).status_code == 403
    assert (await client.get(f"/staff/events/{theirs}/roster")).status_code == 403
    assert (await client.get("/staff/events/987654")).status_code == 404
    await sign_in(client, await make_actor(Role.ADMIN))
    everything = await client.get("/staff/events")
    assert "Their talk" in everything.text and "My draft talk" in everything.text


async def test_create_form_offers_only_programs_i_run(client) -> None:
    staff = await make_staff()
    foreign = await make_program()
    await sign_in(client, staff)
    page = await client.get("/staff/events/new")
    assert f'<option value="{staff.program_id}"' in page.text
    assert f'<option value="{foreign}"' not in page.text
    assert "No program (admins only)" not in page.text


async def test_staff_create_a_draft_in_the_zone_they_chose_then_publish_it(client) -> None:
    staff = await make_staff()
    await sign_in(client, staff)
    form = {**FORM, "program_id": str(staff.program_id), "starts_at": when(7, 1, 12)}
    form["ends_at"] = when(7, 1, 13)
    created = await submit(client, "/staff/events/new", "/staff/events/new", form)
    assert created.status_code == 303, created.text
    event = await Event.select().first()
    assert event is not None
    assert created.headers["location"] == f"/staff/events/{event['id']}?created=1"
    assert event["status"] == "draft" and event["program"] == staff.program_id
    assert event["time_zone"] == "America/Chicago"
    # 12:00 in Chicago in July is 17:00 UTC (CDT, UTC-5).
    assert event["starts_at"] == datetime(future_year(), 7, 1, 17, tzinfo=UTC)
    assert event["offer_hours"] == 24 and event["topic"] == "Telehealth"
    detail = await client.get(created.headers["location"])
    assert "Event created as a draft." in detail.text and 'id="event-status">Draft<' in detail.text
    assert (await client.get(f"/events/{event['id']}")).status_code == 200  # staff preview
    published = await submit(client, created.headers["location"], f"/staff/events/{event['id']}/publish")
    assert published.status_code == 303
    status = await Event.select(Event.status).where(Event.id == event["id"]).first()
    assert status == {"status": "published"}
    client.cookies.clear()
    assert FORM["title"] in (await client.get("/events")).text


async def test_event_page_links_roster_and_check_in_per_session(client) -> None:
    staff = await make_staff()
    event_id = await create_event(client, staff, kind="workshop", title="Phone video workshop")
    session = await Session.select(Session.id).where(Session.event == event_id).first()
    assert session is not None
    await sign_in(client, staff)
    page = await client.get(f"/staff/events/{event_id}")
    assert f'href="/staff/events/{event_id}/roster"' in page.text
    assert f'href="/staff/events/{event_id}/roster.csv"' in page.text
    assert f'href="/staff/sessions/{session["id"]}/checkin"' in page.text
    assert f'action="/staff/events/{event_id}/publish"' not in page.text  # already published


def _gap_time() -> str:
    """02:30 on the morning US clocks spring forward: a time that never happens in Chicago."""
    return f"{second_sunday_of_march(future_year())}T02:30"


@pytest.mark.parametrize(
    ("change", "status", "message"),
    [
        ({"title": "   "}, 400, "Give the event a title."),
        ({"ends_at": when(7, 1, 11)}, 400, "The event must end after it starts."),
        ({"starts_at": "tomorrow at noon"}, 400, "Give a date and time"),
        ({"starts_at": _gap_time(), "ends_at": when(7, 1, 13)}, 400, "does not exist in this time zone"),
        ({"time_zone": "Mars/Olympus_Mons"}, 400, "Unknown time zone"),
        ({"capacity": "ten"}, 400, "Capacity must be a whole number"),
        ({"capacity": "0"}, 400, "Capacity must be a whole number"),
        ({"kind": "gala"}, 400, "Kind must be conference"),
        ({"join_url": "javascript:alert(1)"}, 400, "join link must be a web address"),
        ({"title": "x" * 201}, 400, "too long"),
        ({"program_id": "FOREIGN"}, 403, "Only staff of this event"),
        ({"program_id": ""}, 400, "Choose the program"),
    ],
)
async def test_bad_event_form_is_shown_again_with_input_and_writes_nothing(
    client, change: dict[str, str], status: int, message: str
) -> None:
    staff = await make_staff()
    foreign = await make_program()
    await sign_in(client, staff)
    form = {**FORM, "program_id": str(staff.program_id), "starts_at": when(7, 1, 12)}
    form["ends_at"] = when(7, 1, 13)
    form.update({k: str(foreign) if v == "FOREIGN" else v for k, v in change.items()})
    response = await submit(client, "/staff/events/new", "/staff/events/new", form)
    assert response.status_code == status, response.text
    assert 'role="alert"' in response.text and message in response.text
    assert 'value="https://meet.example.org/j/etiquette"' in response.text or "join_url" in change
    assert "How to behave on camera." in response.text
    assert await Event.count() == 0


async def test_admin_may_create_an_event_without_a_program(client) -> None:
    await sign_in(client, await make_actor(Role.ADMIN))
    form = {**FORM, "program_id": "", "starts_at": when(7, 1, 12), "ends_at": when(7, 1, 13)}
    created = await submit(client, "/staff/events/new", "/staff/events/new", form)
    assert created.status_code == 303, created.text
    assert (await Event.select(Event.program).first()) == {"program": None}
