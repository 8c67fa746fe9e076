"""Attendee pages: the catalogue, an event's page, registering, and my registrations.

Everything goes through the rendered HTML as a browser would see it, with the
CSRF field taken from the form it came in.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from accounts.principal import Role
from accounts.tables import Person
from events.pages import display
from events.tables import Registration
from tests.conftest import PASSWORD, Actor, csrf_from, make_actor, make_staff
from tests.events.test_catalogue import create_event, future_year

JOIN = "https://meet.example.org/j/secret-room-4711"


async def sign_in(client, actor: Actor) -> None:
    client.cookies.clear()
    form = await client.get("/signin")
    response = await client.post(
        "/signin",
        data={"email": actor.email, "password": PASSWORD, "next": "/", "_csrf_token": csrf_from(form.text)},
    )
    assert response.status_code in (302, 303), response.text


async def submit(client, page_path: str, action: str, data: dict[str, str] | None = None):
    """Post a form the way a browser does: with the CSRF field of the page it sits on."""
    page = await client.get(page_path)
    assert page.status_code == 200, page.text
    return await client.post(action, data={**(data or {}), "_csrf_token": csrf_from(page.text)})


async def add_ticket(client, staff: Actor, event_id: int, **over: Any) -> int:
    body: dict[str, Any] = {
        "name": "General admission",
        "currency": "USD",
        "member_price": 0,
        "non_member_price": 0,
        "guest_price": 0,
    }
    body.update(over)
    created = await client.post(f"/api/v1/events/{event_id}/ticket-types", json=body, headers=staff.headers)
    assert created.status_code == 201, created.text
    return int(created.json()["id"])


async def register_api(client, person: Actor, event_id: int, **body: Any) -> dict[str, Any]:
    response = await client.post(
        f"/api/v1/events/{event_id}/registrations", json=body or None, headers=person.headers
    )
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


def visible_text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


# --- money and time, as people read them ------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "currency", "shown"),
    [
        (1999, "USD", "$19.99"),  # DOMAIN: 19.99 USD = 1999
        (1000, "JPY", "¥1,000"),  # DOMAIN: 1000 JPY = 1000
        (123456, "EUR", "€1,234.56"),
        (1500, "KWD", "1.500 KWD"),
        (5, "GBP", "£0.05"),
        (500, "CHF", "5.00 CHF"),
    ],
)
def test_money_uses_the_currency_exponent(amount: int, currency: str, shown: str) -> None:
    assert display.money(amount, currency) == shown


def test_zero_price_reads_free() -> None:
    assert display.price_label(0, "USD") == "Free"


# --- the catalogue page -------------------------------------------------------------------------


async def test_catalogue_page_lists_filters_and_marks_member_only_events(client) -> None:
    staff = await make_staff()
    open_id = await create_event(client, staff, title="Open webinar", topic="Video")
    members_id = await create_event(client, staff, title="Members' masterclass", member_only=True)
    await create_event(client, staff, title="Unpublished plans", publish=False)
    page = await client.get("/events")
    assert page.status_code == 200
    assert f'href="/events/{open_id}"' in page.text and f'href="/events/{members_id}"' in page.text
    assert "Unpublished plans" not in page.text
    card = page.text.split(f'href="/events/{members_id}"')[1].split("</li>")[0]
    assert "Members only" in card
    assert "Members only" not in page.text.split(f'href="/events/{open_id}"')[1].split("</li>")[0]
    filtered = await client.get("/events", params={"topic": "video"})
    assert "Open webinar" in filtered.text and "masterclass" not in filtered.text
    assert '<option value="Video" selected>' in filtered.text


async def test_catalogue_page_pages_through_results_keeping_filters(client) -> None:
    staff = await make_staff()
    start = datetime.now(UTC) + timedelta(days=3)
    for n in range(23):
        moment = start + timedelta(hours=n)
        end = moment + timedelta(minutes=30)
        await create_event(client, staff, title=f"Series talk {n:02d}", starts_at=moment, ends_at=end)
    first = await client.get("/events", params={"q": "series"})
    assert "Showing 1\u201320 of 23 events" in first.text
    assert "Series talk 19" in first.text and "Series talk 20" not in first.text
    assert 'href="/events?q=series&amp;page=2"' in first.text
    second = await client.get("/events", params={"q": "series", "page": "2"})
    assert "Showing 21\u201323 of 23 events" in second.text and "Series talk 22" in second.text
    assert 'rel="prev"' in second.text and 'rel="next"' not in second.text


async def test_catalogue_page_shows_a_bad_date_on_the_form(client) -> None:
    response = await client.get("/events", params={"from": "next tuesday", "q": "ethics"})
    assert response.status_code == 400
    assert 'role="alert"' in response.text and "YYYY-MM-DD" in response.text
    assert 'value="next tuesday"' in response.text and 'aria-invalid="true"' in response.text
    assert 'value="ethics"' in response.text


# --- the event page -----------------------------------------------------------------------------


async def test_draft_is_not_found_except_for_its_staff(client) -> None:
    staff = await make_staff()
    draft = await create_event(client, staff, title="Secret draft", publish=False)
    assert (await client.get(f"/events/{draft}")).status_code == 404
    await sign_in(client, await make_actor(Role.MEMBER))
    assert (await client.get(f"/events/{draft}")).status_code == 404
    await sign_in(client, await make_staff())  # staff of another program
    assert (await client.get(f"/events/{draft}")).status_code == 404
    await sign_in(client, staff)
    own = await client.get(f"/events/{draft}")
    assert own.status_code == 200 and "Draft:" in own.text
    assert (await client.get("/events/999999")).status_code == 404


def second_sunday_of_march(year: int) -> date:
    return next(date(year, 3, d) for d in range(8, 15) if date(year, 3, d).weekday() == 6)


async def dst_conference(client, staff: Actor) -> tuple[int, date]:
    """A New York conference from the Saturday before the US clock change to the Monday after.

    London changes its clocks two weeks later, so New York is 5 hours behind
    London on the Saturday and 4 hours behind on the Monday.
    """
    sunday = second_sunday_of_march(future_year())
    sat, mon = sunday - timedelta(days=1), sunday + timedelta(days=1)
    event_id = await create_event(
        client,
        staff,
        kind="conference",
        title="Social media in medicine summit",
        time_zone="America/New_York",
        starts_at=datetime.fromisoformat(f"{sat}T09:00:00-05:00"),
        ends_at=datetime.fromisoformat(f"{mon}T17:00:00-04:00"),
        venue="Grand hall, 1 Main St",
        capacity=100,
    )
    tracks = {}
    for position, name in enumerate(("Clinical", "Media")):
        body = {"name": name, "position": position}
        made = await client.post(f"/api/v1/events/{event_id}/tracks", json=body, headers=staff.headers)
        assert made.status_code == 201, made.text
        tracks[name] = made.json()["id"]
    for title, track, starts, ends in [
        ("Saturday keynote", None, f"{sat}T14:00:00-05:00", f"{sat}T15:00:00-05:00"),
        ("Late-night lab", "Media", f"{sat}T23:30:00-05:00", f"{sunday}T00:15:00-05:00"),
        ("Monday ethics panel", "Clinical", f"{mon}T14:00:00-04:00", f"{mon}T15:00:00-04:00"),
        ("Monday video clinic", "Media", f"{mon}T10:00:00-04:00", f"{mon}T11:00:00-04:00"),
    ]:
        made = await client.post(
            f"/api/v1/events/{event_id}/sessions",
            json={"title": title, "starts_at": starts, "ends_at": ends, "track_id": tracks.get(track or "")},
            headers=staff.headers,
        )
        assert made.status_code == 201, made.text
    return event_id, sunday


async def test_schedule_is_by_day_in_the_event_zone_with_times_in_both_zones_across_dst(client) -> None:
    staff = await make_staff()
    event_id, sunday = await dst_conference(client, staff)
    sat, mon = sunday - timedelta(days=1), sunday + timedelta(days=1)
    viewer = await make_actor(Role.MEMBER)
    await Person.update({Person.time_zone: "Europe/London"}).where(Person.id == viewer.id)
    await sign_in(client, viewer)
    html = (await client.get(f"/events/{event_id}")).text
    label = display.day_label
    # Days are New York days: the 23:30 Saturday session stays on Saturday although it is Sunday in UTC.
    days = re.findall(r'<h3 id="day-([0-9-]+)">', html)
    assert days == [sat.isoformat(), mon.isoformat()]
    saturday = html.split(f'id="day-{sat}"')[1].split('<section class="day"')[0]
    assert "Late-night lab" in saturday
    assert f"{label(sat)} 23:30 EST \u2013 {label(sunday)} 00:15 EST" in saturday
    # Same wall-clock time in New York, one hour apart in London after the US change.
    assert f"{label(sat)}, 14:00\u201315:00 EST" in html
    assert f"Your time: {label(sat)}, 19:00\u201320:00 GMT" in html
    assert f"{label(mon)}, 14:00\u201315:00 EDT" in html
    assert f"Your time: {label(mon)}, 18:00\u201319:00 GMT" in html
    # By track within a day, in the tracks' order; sessions without a track come first.
    monday = html.split(f'id="day-{mon}"')[1]
    clinical, media = monday.index("<h4>Clinical</h4>"), monday.index("<h4>Media</h4>")
    assert clinical < monday.index("Monday ethics panel") < media
    assert monday.index("<h4>Media</h4>") < monday.index("Monday video clinic")


@pytest.mark.parametrize("zone", [None, "America/New_York"])
async def test_no_second_time_for_anonymous_or_same_zone_viewers(client, zone: str | None) -> None:
    staff = await make_staff()
    event_id, _ = await dst_conference(client, staff)
    if zone:
        viewer = await make_actor()
        await Person.update({Person.time_zone: zone}).where(Person.id == viewer.id)
        await sign_in(client, viewer)
    html = (await client.get(f"/events/{event_id}")).text
    assert "Your time" not in html and "14:00\u201315:00 EST" in html


async def test_ticket_prices_follow_the_viewer(client) -> None:
    staff = await make_staff()
    event_id = await create_event(client, staff, kind="conference", title="Priced conference", capacity=50)
    await add_ticket(
        client, staff, event_id, name="Standard", member_price=1999, non_member_price=4999, guest_price=2999
    )
    await add_ticket(
        client,
        staff,
        event_id,
        name="Tokyo satellite",
        currency="JPY",
        member_price=1000,
        non_member_price=3000,
        guest_price=2000,
    )
    anonymous = visible_text((await client.get(f"/events/{event_id}")).text)
    assert "Members: $19.99" in anonymous and "Non-members: $49.99" in anonymous
    assert "Guests: $29.99" in anonymous
    assert "Members: ¥1,000" in anonymous
    await sign_in(client, await make_actor(Role.MEMBER))
    member = visible_text((await client.get(f"/events/{event_id}")).text)
    assert "Your price (members): $19.99" in member and "$49.99" not in member
    assert "Your price (members): ¥1,000" in member
    await sign_in(client, await make_actor(Role.GUEST))
    guest = visible_text((await client.get(f"/events/{event_id}")).text)
    assert "Your price (guests): $29.99" in guest and "$19.99" not in guest


async def test_member_only_event_invites_non_members_to_join_and_shows_no_form(client) -> None:
    staff = await make_staff()
    event_id = await create_event(client, staff, title="Members' masterclass", member_only=True)
    await sign_in(client, await make_actor(Role.GUEST))
    guest = await client.get(f"/events/{event_id}")
    assert "This event is for members." in guest.text
    assert "Become a member" in _member_only_notice(guest.text)
    assert 'href="/membership"' in _member_only_notice(guest.text)
    assert f'action="/events/{event_id}/register"' not in guest.text
    await sign_in(client, await make_actor(Role.MEMBER))
    member = await client.get(f"/events/{event_id}")
    # Members are not invited to join (the site-wide navigation still links to /membership).
    assert "Become a member" not in _member_only_notice(member.text)
    assert f'action="/events/{event_id}/register"' in member.text


def _member_only_notice(html: str) -> str:
    start = html.index('id="member-only"')
    return html[start : html.index("</div>", start)]


async def test_anonymous_visitor_is_asked_to_sign_in_to_register(client) -> None:
    staff = await make_staff()
    event_id = await create_event(client, staff)
    html = (await client.get(f"/events/{event_id}")).text
    assert f'href="/signin?next=/events/{event_id}"' in html
    blocked = await client.post(f"/events/{event_id}/register", data={})
    assert blocked.status_code in (302, 303, 403)
    assert await Registration.count() == 0


# --- registering from the event page ------------------------------------------------------------


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


# --- my registrations: status, offers, join link, cancelling -----------------------------------


async def _in_state(client, status: str) -> tuple[Actor, int, int]:
    """(me, event id, my registration id) with my registration in ``status``."""
    staff = await make_staff()
    capacity = 1 if status in ("waitlisted", "offered") else 5
    event_id = await create_event(client, staff, join_url=JOIN, capacity=capacity)
    me = await make_actor(Role.MEMBER)
    if status == "pending_payment":
        await add_ticket(
            client, staff, event_id, name="Paid", member_price=1999, non_member_price=2999, guest_price=2999
        )
    if status in ("waitlisted", "offered"):
        holder = await make_actor(Role.MEMBER)
        held = await register_api(client, holder, event_id)
    mine = await register_api(client, me, event_id)
    if status == "offered":
        cancelled = await client.post(f"/api/v1/registrations/{held['id']}/cancel", headers=holder.headers)
        assert cancelled.status_code == 200, cancelled.text
    reg = await Registration.select(Registration.status).where(Registration.id == mine["id"]).first()
    assert reg is not None and reg["status"] == status
    return me, event_id, int(mine["id"])


PAGES = ("/", "/events", "/events/{event}", "/registrations", "/account", "/registrations/{reg}/ticket")


@pytest.mark.parametrize("status", ["pending_payment", "waitlisted", "offered"])
async def test_join_link_appears_on_no_page_before_confirmation(client, status: str) -> None:
    me, event_id, reg_id = await _in_state(client, status)
    await sign_in(client, me)
    for path in PAGES:
        response = await client.get(path.format(event=event_id, reg=reg_id))
        assert response.status_code in (200, 403, 404, 409), (path, response.status_code)
        assert JOIN not in response.text, f"join link leaked on {path} to a {status} registrant"
        assert "secret-room" not in response.text


async def test_join_link_is_shown_to_a_confirmed_registrant_on_my_registrations_only(client) -> None:
    me, event_id, reg_id = await _in_state(client, "confirmed")
    await sign_in(client, me)
    mine = await client.get("/registrations")
    assert f'href="{JOIN}"' in mine.text and f'id="join-{reg_id}"' in mine.text
    assert JOIN not in (await client.get(f"/events/{event_id}")).text
    assert JOIN not in (await client.get("/events")).text
    await sign_in(client, await make_actor(Role.MEMBER))
    assert JOIN not in (await client.get("/registrations")).text


async def test_waitlisted_registrant_sees_their_place_in_line(client) -> None:
    staff = await make_staff()
    event_id = await create_event(client, staff, capacity=1)
    people = [await make_actor(Role.MEMBER) for _ in range(4)]
    regs = [await register_api(client, p, event_id) for p in people]
    await sign_in(client, people[2])
    html = visible_text((await client.get("/registrations")).text)
    assert "Waitlisted — you are number 2 in line." in html
    await sign_in(client, people[3])
    assert "you are number 3 in line" in visible_text((await client.get("/registrations")).text)
    assert regs[0]["status"] == "confirmed"


async def test_offer_shows_expiry_and_can_be_claimed(client) -> None:
    me, _, reg_id = await _in_state(client, "offered")
    await Person.update({Person.time_zone: "Asia/Tokyo"}).where(Person.id == me.id)
    await sign_in(client, me)
    html = (await client.get("/registrations")).text
    expires = (
        await Registration.select(Registration.offer_expires_at).where(Registration.id == reg_id).first()
    )
    assert expires is not None
    assert display.moment(expires["offer_expires_at"], "America/Chicago") in html
    assert f"(your time: {display.moment(expires['offer_expires_at'], 'Asia/Tokyo')})" in html
    assert f'action="/registrations/{reg_id}/claim"' in html
    assert f'action="/registrations/{reg_id}/decline"' in html
    claimed = await submit(client, "/registrations", f"/registrations/{reg_id}/claim")
    assert claimed.status_code == 303
    after = await client.get(claimed.headers["location"])
    assert "The seat is yours" in after.text and f'href="{JOIN}"' in after.text
    row = await Registration.select(Registration.status).where(Registration.id == reg_id).first()
    assert row == {"status": "confirmed"}


async def test_declining_an_offer_passes_it_on(client) -> None:
    me, _, reg_id = await _in_state(client, "offered")
    await sign_in(client, me)
    declined = await submit(client, "/registrations", f"/registrations/{reg_id}/decline")
    assert declined.status_code == 303
    row = await Registration.select(Registration.status).where(Registration.id == reg_id).first()
    assert row == {"status": "declined"}
    assert "Offer declined" in (await client.get("/registrations")).text


async def test_claiming_an_expired_offer_shows_why_and_changes_nothing(client) -> None:
    me, _, reg_id = await _in_state(client, "offered")
    await sign_in(client, me)
    page = await client.get("/registrations")
    past = datetime.now(UTC) - timedelta(minutes=1)
    await Registration.update({Registration.offer_expires_at: past}).where(Registration.id == reg_id)
    response = await client.post(f"/registrations/{reg_id}/claim", data={"_csrf_token": csrf_from(page.text)})
    assert response.status_code == 409 and "no open offer" in response.text
    row = await Registration.select(Registration.status).where(Registration.id == reg_id).first()
    assert row == {"status": "offered"}


async def test_cancel_asks_for_confirmation_then_cancels(client) -> None:
    me, _, reg_id = await _in_state(client, "confirmed")
    await sign_in(client, me)
    mine = await client.get("/registrations")
    assert f'href="/registrations/{reg_id}/cancel"' in mine.text
    confirm = await client.get(f"/registrations/{reg_id}/cancel")
    assert confirm.status_code == 200 and "Cancel your registration?" in confirm.text
    assert (await Registration.select(Registration.status).where(Registration.id == reg_id).first()) == {
        "status": "confirmed"
    }
    done = await submit(client, f"/registrations/{reg_id}/cancel", f"/registrations/{reg_id}/cancel")
    assert done.status_code == 303
    after = await client.get(done.headers["location"])
    assert "Your registration is cancelled." in after.text
    assert f'id="status-{reg_id}">Cancelled<' in after.text
    assert JOIN not in after.text


async def test_another_persons_registration_is_not_found_and_untouched(client) -> None:
    _, _, reg_id = await _in_state(client, "confirmed")
    await sign_in(client, await make_actor(Role.MEMBER))
    assert (await client.get(f"/registrations/{reg_id}/cancel")).status_code == 404
    page = await client.get("/registrations")
    for action in ("cancel", "claim", "decline"):
        response = await client.post(
            f"/registrations/{reg_id}/{action}", data={"_csrf_token": csrf_from(page.text)}
        )
        assert response.status_code == 404, action
    row = await Registration.select(Registration.status).where(Registration.id == reg_id).first()
    assert row == {"status": "confirmed"}


async def test_offer_emails_link_to_my_registrations_through_sign_in(client) -> None:
    me, _, _ = await _in_state(client, "offered")
    client.cookies.clear()
    anonymous = await client.get("/registrations")
    assert anonymous.status_code in (302, 303)
    assert anonymous.headers["location"] == "/signin?next=/registrations"
    form = await client.get(anonymous.headers["location"])
    assert 'name="next" value="/registrations"' in form.text
    signed = await client.post(
        "/signin",
        data={
            "email": me.email,
            "password": PASSWORD,
            "next": "/registrations",
            "_csrf_token": csrf_from(form.text),
        },
    )
    assert signed.headers["location"] == "/registrations"
    assert "Seat offered" in (await client.get("/registrations")).text


async def test_nav_shows_my_registrations_and_staff_links_by_role(client) -> None:
    anonymous = await client.get("/events")
    assert 'href="/events" aria-current="page"' in anonymous.text
    assert 'href="/registrations"' not in anonymous.text and 'href="/staff/events"' not in anonymous.text
    await sign_in(client, await make_actor(Role.MEMBER))
    member = await client.get("/")
    assert 'href="/registrations"' in member.text and 'href="/staff/events"' not in member.text
    await sign_in(client, await make_staff())
    assert 'href="/staff/events"' in (await client.get("/")).text
