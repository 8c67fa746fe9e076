"""Pages load in a fixed number of queries: twelve cards cost what three cost (no query per card)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import httpx
import pytest

from accounts.principal import Role
from tests.builders.cohorts import make_world
from tests.builders.people import Actor, make_actor, make_program, make_staff
from tests.builders.queries import counting_queries

SMALL, LARGE = 3, 12


async def _publish_events(client: httpx.AsyncClient, staff: Actor, count: int) -> list[int]:
    start = datetime.now(UTC) + timedelta(days=7)
    ids = []
    for i in range(count):
        body = {
            "kind": "webinar",
            "title": f"Grand Rounds {i}",
            "time_zone": "America/Chicago",
            "starts_at": (start + timedelta(days=i)).isoformat(),
            "ends_at": (start + timedelta(days=i, hours=1)).isoformat(),
            "capacity": 10,
            "program_id": staff.program_id,
        }
        created = await client.post("/api/v1/events/", json=body, headers=staff.headers)
        assert created.status_code == 201, created.text
        event_id = created.json()["id"]
        published = await client.post(f"/api/v1/events/{event_id}/publish", headers=staff.headers)
        assert published.status_code == 200, published.text
        ids.append(event_id)
    return ids


async def _add_workshops(client: httpx.AsyncClient, staff: Actor, event_id: int, count: int) -> None:
    """Sessions with seats of their own: the event page shows what each has left."""
    start = datetime.now(UTC) + timedelta(days=7)
    for i in range(count):
        created = await client.post(
            f"/api/v1/events/{event_id}/sessions",
            json={
                "title": f"Workshop {i}",
                "starts_at": (start + timedelta(minutes=5 * i)).isoformat(),
                "ends_at": (start + timedelta(minutes=5 * i + 5)).isoformat(),
                "capacity": 5,
            },
            headers=staff.headers,
        )
        assert created.status_code == 201, created.text


async def _queries_for(client: httpx.AsyncClient, path: str, headers: dict[str, str]) -> int:
    with counting_queries() as log:
        response = await client.get(path, headers=headers)
    assert response.status_code == 200, response.text
    return log.count


async def _catalogue_queries(client: httpx.AsyncClient, events: int) -> tuple[int, int]:
    staff = await make_staff()
    await _publish_events(client, staff, events)
    page = await _queries_for(client, "/events", staff.headers)
    api = await _queries_for(client, "/api/v1/events/", staff.headers)
    return page, api


async def _staff_index_queries(client: httpx.AsyncClient, programs: int) -> int:
    admin = await make_actor(Role.ADMIN)
    today = date.today()
    for i in range(programs):
        program_id = await make_program("residency")
        for n in range(2):
            created = await client.post(
                f"/api/v1/programs/{program_id}/cohorts",
                json={
                    "name": f"Cohort {i}.{n}",
                    "starts_on": (today + timedelta(days=n)).isoformat(),
                    "ends_on": (today + timedelta(days=90)).isoformat(),
                    "time_zone": "America/New_York",
                },
                headers=admin.headers,
            )
            assert created.status_code == 201, created.text
    return await _queries_for(client, "/programs/staff", admin.headers)


@pytest.mark.parametrize("size", [SMALL, LARGE])
async def test_the_catalogue_lists_events_it_counts_seats_for(client: httpx.AsyncClient, size: int) -> None:
    staff = await make_staff()
    await _publish_events(client, staff, size)
    page = await client.get("/events")
    assert page.status_code == 200
    assert page.text.count("Grand Rounds ") >= size


async def test_catalogue_page_and_api_cost_the_same_for_3_and_12_events(client: httpx.AsyncClient) -> None:
    small = await _catalogue_queries(client, SMALL)
    large = await _catalogue_queries(client, LARGE - SMALL)  # the second staff adds to the first's
    assert large == small


async def test_staff_index_costs_the_same_for_3_and_12_programs(client: httpx.AsyncClient) -> None:
    small = await _staff_index_queries(client, SMALL)
    large = await _staff_index_queries(client, LARGE - SMALL)
    assert large == small


async def test_event_page_costs_the_same_for_3_and_12_workshops(client: httpx.AsyncClient) -> None:
    staff = await make_staff()
    (event_id,) = await _publish_events(client, staff, 1)
    await _add_workshops(client, staff, event_id, SMALL)
    small = await _queries_for(client, f"/events/{event_id}", staff.headers)
    await _add_workshops(client, staff, event_id, LARGE - SMALL)
    page = await client.get(f"/events/{event_id}")
    assert page.text.count("Workshop ") >= LARGE
    assert await _queries_for(client, f"/events/{event_id}", staff.headers) == small


async def test_cohort_dashboard_costs_the_same_for_3_and_12_residents(client: httpx.AsyncClient) -> None:
    world = await make_world(client, residents=SMALL)
    path = f"/programs/cohorts/{world.cohort_id}"
    small = await _queries_for(client, path, world.staff.headers)
    for _ in range(LARGE - SMALL):
        await world.add_resident()
    large = await _queries_for(client, path, world.staff.headers)
    assert large == small


async def test_staff_events_dashboard_costs_the_same_for_3_and_30_events(client: httpx.AsyncClient) -> None:
    path = "/staff/events"
    staff = await make_staff()
    await _publish_events(client, staff, SMALL)
    small = await _queries_for(client, path, staff.headers)
    await _publish_events(client, staff, 30 - SMALL)
    page = await client.get(path, headers=staff.headers)
    assert page.status_code == 200
    assert await _queries_for(client, path, staff.headers) == small
