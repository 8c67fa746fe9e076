"""The catalogue: published events to come, filtered by kind, topic, words and days in each event's zone."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from events.services import catalogue
from events.tables import Event
from grandrounds.errors import InvalidInput
from tests.builders.events import create_event, future_year
from tests.builders.people import make_staff


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


async def titles(client, **params: str) -> list[str]:
    response = await client.get("/api/v1/events/", params=params)
    assert response.status_code == 200, response.text
    return [e["title"] for e in response.json()["items"]]


async def test_lists_only_published_events_still_to_come_soonest_first(client) -> None:
    staff = await make_staff()
    soon = datetime.now(UTC) + timedelta(days=2)
    later_id = await create_event(client, staff, title="Later", starts_at=soon + timedelta(days=5),
                                  ends_at=soon + timedelta(days=5, hours=1))  # fmt: skip
    await create_event(client, staff, title="Sooner", starts_at=soon, ends_at=soon + timedelta(hours=1))
    await create_event(client, staff, title="Draft", publish=False)
    past_id = await create_event(client, staff, title="Over")
    await Event.update({Event.starts_at: at(2020, 1, 1, 10), Event.ends_at: at(2020, 1, 1, 11)}).where(
        Event.id == past_id
    )
    assert await titles(client) == ["Sooner", "Later"]
    page = (await client.get("/api/v1/events/", params={"limit": 1, "offset": 1})).json()
    assert page["total"] == 2 and [e["id"] for e in page["items"]] == [later_id]


async def test_filters_by_kind_topic_and_words(client) -> None:
    staff = await make_staff()
    await create_event(client, staff, title="Crisis comms webinar", topic="Crisis communication")
    await create_event(
        client, staff, kind="workshop", title="Hands-on video", topic="Video", description="Phones and light"
    )
    await create_event(client, staff, kind="conference", title="Annual meeting", venue="Rochester, MN")
    assert await titles(client, kind="workshop") == ["Hands-on video"]
    assert await titles(client, topic="crisis COMMUNICATION") == ["Crisis comms webinar"]
    assert await titles(client, q="PHONES") == ["Hands-on video"]  # description, any case
    assert await titles(client, q="rochester") == ["Annual meeting"]  # venue
    assert await titles(client, q="video light") == ["Hands-on video"]  # every word must match
    assert await titles(client, q="video annual") == []


async def test_typed_wildcards_match_literally(client) -> None:
    staff = await make_staff()
    await create_event(client, staff, title="100% remote grand rounds")
    await create_event(client, staff, title="1000 remote learners")
    await create_event(client, staff, title="peer_review clinic")
    await create_event(client, staff, title="peer review clinic")
    assert await titles(client, q="100%") == ["100% remote grand rounds"]
    assert await titles(client, q="peer_review") == ["peer_review clinic"]
    assert await titles(client, q="%") == ["100% remote grand rounds"]


# DOMAIN: "a day" is a day in the event's time zone, never UTC.
@pytest.mark.parametrize(
    ("zone", "local_start_hour", "utc_day_differs"),
    [
        ("America/Los_Angeles", 20, True),  # 20:00 PT on the 14th is the 15th in UTC
        ("Asia/Tokyo", 7, True),  # 07:00 JST on the 14th is the 13th in UTC
        ("Europe/London", 12, False),
    ],
)
async def test_date_range_counts_days_in_the_event_zone(
    client, zone: str, local_start_hour: int, utc_day_differs: bool
) -> None:
    from zoneinfo import ZoneInfo

    staff = await make_staff()
    year = future_year()
    start = datetime(year, 3, 14, local_start_hour, tzinfo=ZoneInfo(zone))
    await create_event(
        client,
        staff,
        title="On the 14th",
        time_zone=zone,
        starts_at=start,
        ends_at=start + timedelta(hours=1),
    )
    assert (start.astimezone(UTC).date() != start.date()) is utc_day_differs
    day = f"{year}-03-14"
    assert await titles(client, **{"from": day, "to": day}) == ["On the 14th"]
    assert await titles(client, **{"from": f"{year}-03-15"}) == []
    assert await titles(client, **{"to": f"{year}-03-13"}) == []
    assert await titles(client, **{"from": f"{year}-03-13", "to": f"{year}-03-13"}) == []


async def test_multi_day_event_matches_every_day_it_runs(client) -> None:
    staff = await make_staff()
    year = future_year()
    await create_event(
        client,
        staff,
        kind="conference",
        title="Three days",
        time_zone="America/New_York",
        starts_at=datetime.fromisoformat(f"{year}-06-01T09:00:00-04:00"),
        ends_at=datetime.fromisoformat(f"{year}-06-03T17:00:00-04:00"),
    )
    for day in ("01", "02", "03"):
        assert await titles(client, **{"from": f"{year}-06-{day}", "to": f"{year}-06-{day}"}) == [
            "Three days"
        ]
    assert await titles(client, **{"from": f"{year}-06-04"}) == []
    assert await titles(client, **{"to": f"{year}-05-31"}) == []


@pytest.mark.parametrize(
    ("params", "code", "field"),
    [
        ({"from": "14/03/2027"}, "catalogue.date_invalid", "from"),
        ({"to": "2027-02-30"}, "catalogue.date_invalid", "to"),
        ({"from": "99999-01-01"}, "catalogue.date_invalid", "from"),
        ({"from": "2027-03-15", "to": "2027-03-14"}, "catalogue.range_invalid", "to"),
        ({"kind": "party"}, "event.kind_unknown", "kind"),
        ({"q": "x" * 201}, "catalogue.query_too_long", "q"),
        ({"topic": "t" * 101}, "catalogue.query_too_long", "topic"),
    ],
)
async def test_bad_filters_are_a_coded_400(client, params: dict[str, str], code: str, field: str) -> None:
    response = await client.get("/api/v1/events/", params=params)
    assert response.status_code == 400, response.text
    assert response.json()["code"] == code
    assert response.json()["details"]["field"] == field


@pytest.mark.parametrize("params", [{"limit": "0"}, {"limit": "201"}, {"offset": "-1"}, {"limit": "x"}])
async def test_bad_paging_is_a_400(client, params: dict[str, str]) -> None:
    response = await client.get("/api/v1/events/", params=params)
    assert response.status_code == 400 and response.json()["code"] == "request.invalid"


def test_parse_query_normalises_blank_filters() -> None:
    query = catalogue.parse_query(kind=" ", topic="  Video   ethics ", date_from="", q="  a   b ")
    assert query == catalogue.CatalogueQuery(topic="Video ethics", q="a b")
    with pytest.raises(InvalidInput):
        catalogue.parse_query(limit=0)


def test_day_start_follows_the_zone_across_a_clock_change() -> None:
    # US clocks go forward on the second Sunday of March: midnight before is EST, after is EDT.
    year = future_year()
    sunday = next(date(year, 3, d) for d in range(8, 15) if date(year, 3, d).weekday() == 6)
    assert catalogue.day_start(sunday, "America/New_York") == datetime(year, 3, sunday.day, 5, tzinfo=UTC)
    after = sunday + timedelta(days=1)
    assert catalogue.day_start(after, "America/New_York") == datetime(year, 3, after.day, 4, tzinfo=UTC)


async def test_topics_offered_are_those_of_listed_events(client) -> None:
    staff = await make_staff()
    await create_event(client, staff, topic="Video")
    await create_event(client, staff, topic="crisis communication")
    await create_event(client, staff, topic="Hidden", publish=False)
    assert await catalogue.topics() == ["crisis communication", "Video"]
