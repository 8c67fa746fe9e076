"""The catalogue page: listing, filters, paging, a bad date on the form."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.builders.events import create_event
from tests.builders.people import make_staff


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
