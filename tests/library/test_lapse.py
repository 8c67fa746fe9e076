"""A lapsed member loses members-only content the day the membership lapses.

Membership is a derived role (accounts.services.standing): a role source says,
for an instant, who is a member. Here a source stands in for billing with one
membership whose paid term ends at the start of its lapse day, and the clock
that standing asks is set either side of that instant, so the boundary itself
is tested, not a day on either side of it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime, timedelta

import pytest

from accounts.principal import Role
from accounts.services import standing
from tests.builders.library import SECRET_BODY, make_item
from tests.builders.people import make_actor

LAPSE_DAY = datetime(2027, 4, 14, tzinfo=UTC)  # the paid term ends at 00:00 UTC on this day


@pytest.fixture
def term_ends() -> Iterator[dict[int, datetime]]:
    """person id -> the instant their paid term ends; registered as a role source for this test only."""
    terms: dict[int, datetime] = {}

    async def membership_source(person_ids: Sequence[int], at: datetime) -> dict[int, Iterable[Role]]:
        return {pid: {Role.MEMBER} for pid in person_ids if pid in terms and at < terms[pid]}

    with standing.ROLE_SOURCES.only(membership_source):
        yield terms


def clock_at(monkeypatch: pytest.MonkeyPatch, instant: datetime) -> None:
    monkeypatch.setattr(standing, "now", lambda: instant)


async def test_access_ends_at_the_start_of_the_lapse_day(client, monkeypatch, term_ends) -> None:
    staff = await make_actor(Role.PROGRAM_STAFF)
    item_id = await make_item(client, staff)
    person = await make_actor(Role.GUEST)
    term_ends[person.id] = LAPSE_DAY

    clock_at(monkeypatch, LAPSE_DAY - timedelta(seconds=1))  # the last second of the paid term
    api = await client.get(f"/api/v1/library/items/{item_id}", headers=person.headers)
    assert api.json()["locked"] is False and api.json()["body"] == SECRET_BODY
    page = await client.get(f"/library/{item_id}", headers=person.headers)
    assert SECRET_BODY in page.text

    clock_at(monkeypatch, LAPSE_DAY)  # the lapse day has begun
    api = await client.get(f"/api/v1/library/items/{item_id}", headers=person.headers)
    assert api.json()["locked"] is True and api.json()["body"] is None
    page = await client.get(f"/library/{item_id}", headers=person.headers)
    assert SECRET_BODY not in page.text and 'href="/membership"' in page.text

    clock_at(monkeypatch, LAPSE_DAY + timedelta(hours=23, minutes=59))  # still the lapse day
    api = await client.get(f"/api/v1/library/items/{item_id}", headers=person.headers)
    assert api.json()["locked"] is True


async def test_on_the_real_clock_a_term_that_ended_today_locks_and_one_ending_tomorrow_does_not(
    client, term_ends
) -> None:
    staff = await make_actor(Role.PROGRAM_STAFF)
    item_id = await make_item(client, staff)
    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    lapsed, current = await make_actor(Role.GUEST), await make_actor(Role.GUEST)
    term_ends[lapsed.id] = today
    term_ends[current.id] = today + timedelta(days=1)
    assert (await client.get(f"/api/v1/library/items/{item_id}", headers=lapsed.headers)).json()["locked"]
    assert not (await client.get(f"/api/v1/library/items/{item_id}", headers=current.headers)).json()[
        "locked"
    ]
    # The search does not reach into the body for the lapsed reader either.
    found = await client.get("/api/v1/library/items", params={"q": "escalation"}, headers=lapsed.headers)
    assert found.json()["total"] == 0
    found = await client.get("/api/v1/library/items", params={"q": "escalation"}, headers=current.headers)
    assert found.json()["total"] == 1


async def test_with_billings_own_membership_rows_the_paid_term_end_is_the_boundary(
    client, monkeypatch
) -> None:
    """The same rule through billing's Membership table and its registered role source."""
    from billing.tables import Membership

    staff = await make_actor(Role.PROGRAM_STAFF)
    item_id = await make_item(client, staff)
    person = await make_actor(Role.GUEST)
    await Membership.insert(
        Membership(
            tier="individual",
            person=person.id,
            status="active",
            dues_amount=25_000,
            currency="USD",
            starts_at=LAPSE_DAY - timedelta(days=365),
            current_period_end=LAPSE_DAY,
        )
    )
    clock_at(monkeypatch, LAPSE_DAY - timedelta(seconds=1))
    assert (await client.get(f"/api/v1/library/items/{item_id}", headers=person.headers)).json()[
        "locked"
    ] is False
    clock_at(monkeypatch, LAPSE_DAY)
    assert (await client.get(f"/api/v1/library/items/{item_id}", headers=person.headers)).json()[
        "locked"
    ] is True
