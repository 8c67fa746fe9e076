"""An event's page: drafts, the day-by-day schedule in the event's zone, prices per viewer, member-only."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

import pytest

from accounts.principal import Role
from accounts.tables import Person
from events.pages import display
from events.tables import Registration
from tests.builders.clients import sign_in
from tests.builders.events import add_ticket, create_event, future_year
from tests.builders.pages import second_sunday_of_march, visible_text
from tests.builders.people import Actor, make_actor, make_staff


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
