"""Private calendar feeds and public schedule files."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from icalendar import Calendar

from accounts.principal import Role
from events.tables import Session
from notifications.feeds import FeedEntry, build_feed, person_for, reset_token
from tests.builders.events import JOIN, published_event
from tests.builders.people import make_actor


async def _feed_url(client, actor) -> str:
    made = await client.post("/api/v1/me/feed/reset", headers=actor.headers)
    assert made.status_code == 200
    url = made.json()["url"]
    assert made.json()["webcal_url"].startswith("webcal://")
    return "/" + url.split("/", 3)[3]


async def test_a_confirmed_persons_feed_has_the_session_with_the_join_link(client) -> None:
    event_id = await published_event(client, capacity=1)
    confirmed, waiting = await make_actor(Role.MEMBER), await make_actor(Role.MEMBER)
    for actor in (confirmed, waiting):
        await client.post(f"/api/v1/events/{event_id}/registrations", headers=actor.headers)
    feed = await client.get(await _feed_url(client, confirmed))
    assert feed.status_code == 200 and feed.headers["content-type"].startswith("text/calendar")
    calendar = Calendar.from_ical(feed.text)
    [event] = calendar.walk("VEVENT")
    assert JOIN in str(event["DESCRIPTION"])
    assert calendar.walk("VTIMEZONE"), "times carry the event's zone"
    waiting_feed = await client.get(await _feed_url(client, waiting))
    assert waiting_feed.status_code == 200
    assert JOIN not in waiting_feed.text and not Calendar.from_ical(waiting_feed.text).walk("VEVENT")


async def test_reset_kills_the_old_url_and_unknown_tokens_are_404(client) -> None:
    me = await make_actor(Role.MEMBER)
    old = await _feed_url(client, me)
    assert (await client.get(old)).status_code == 200
    new = await _feed_url(client, me)
    assert new != old
    assert (await client.get(old)).status_code == 404
    assert (await client.get(new)).status_code == 200
    assert (await client.get("/feeds/not-a-token.ics")).status_code == 404
    assert (await client.get("/api/v1/me/feed/")).status_code == 401


async def test_tokens_are_long_and_random_and_only_their_hash_is_kept() -> None:
    from notifications.tables import FeedToken

    person = await make_actor(Role.MEMBER)
    tokens = {await reset_token(person.id) for _ in range(5)}
    assert len(tokens) == 5 and all(len(t) >= 43 for t in tokens)  # 32 random bytes = 256 bits
    stored = await FeedToken.select(FeedToken.token_hash).first()
    assert stored["token_hash"] not in tokens
    other = await make_actor(Role.MEMBER)
    assert await person_for(await reset_token(other.id)) == other.id


async def test_the_public_schedule_and_add_to_calendar_never_carry_the_join_link(client) -> None:
    event_id = await published_event(client)
    schedule = await client.get(f"/events/{event_id}/calendar.ics")
    assert schedule.status_code == 200 and JOIN not in schedule.text
    assert len(Calendar.from_ical(schedule.text).walk("VEVENT")) == 1
    session = await Session.select(Session.id).where(Session.event == event_id).first()
    single = await client.get(f"/sessions/{session['id']}/calendar.ics")
    assert single.status_code == 200 and "attachment" in single.headers["content-disposition"]
    assert JOIN not in single.text
    assert (await client.get("/events/999999/calendar.ics")).status_code == 404


def test_local_times_survive_a_daylight_saving_change() -> None:
    # Noon in Chicago the week before and the week after the 14 March 2027 change.
    before = datetime(2027, 3, 9, 18, 0, tzinfo=UTC)
    after = datetime(2027, 3, 16, 17, 0, tzinfo=UTC)
    entries = [
        FeedEntry(f"s{i}", start, start + timedelta(hours=1), "America/Chicago", "Grand Rounds")
        for i, start in enumerate((before, after))
    ]
    calendar = Calendar.from_ical(build_feed("x", entries, "http://127.0.0.1:8000"))
    starts = [e.decoded("DTSTART") for e in calendar.walk("VEVENT")]
    assert [s.hour for s in starts] == [12, 12]
    assert [str(s.tzinfo) for s in starts] == ["America/Chicago"] * 2


def test_a_feed_of_500_sessions_holds_them_all() -> None:
    start = datetime(2027, 1, 4, 15, 0, tzinfo=UTC)
    entries = [
        FeedEntry(
            f"s{i}",
            start + timedelta(hours=i),
            start + timedelta(hours=i, minutes=50),
            "America/Chicago",
            f"Session {i}",
        )
        for i in range(500)
    ]
    text = build_feed("big", entries, "http://127.0.0.1:8000")  # its speed: bench/feeds.py
    assert text.count("BEGIN:VEVENT") == 500 and text.count("BEGIN:VTIMEZONE") == 1


async def test_a_residents_feed_holds_their_cohorts_sessions_and_nobody_elses(client) -> None:
    from tests.builders.cohorts import make_world

    world = await make_world(client, residents=1)
    [resident] = world.residents
    outsider = await make_actor(Role.MEMBER)
    feed = await client.get(await _feed_url(client, resident))
    titles = {str(e["SUMMARY"]) for e in Calendar.from_ical(feed.text).walk("VEVENT")}
    assert len(titles) == len(world.sessions) and any("Crisis communication" in t for t in titles)
    empty = await client.get(await _feed_url(client, outsider))
    assert not Calendar.from_ical(empty.text).walk("VEVENT")
