"""Cohort prerequisites: staff of the cohort's program choose published library items; learners see them."""

from __future__ import annotations

import asyncio

from accounts.principal import Role
from library.tables import CohortPrerequisite
from tests.builders.library import make_cohort, make_item
from tests.builders.people import make_actor, make_staff


def path(cohort_id: int) -> str:
    return f"/api/v1/library/cohorts/{cohort_id}/prerequisites"


async def test_staff_add_items_in_order_and_readers_see_them_as_far_as_their_access_goes(client) -> None:
    staff = await make_staff()
    cohort = await make_cohort(staff.program_id or 0)
    first = await make_item(client, staff, title="Read first", audience="public")
    second = await make_item(client, staff, title="Then this")
    for item_id in (first, second):
        added = await client.post(path(cohort), json={"item_id": item_id}, headers=staff.headers)
        assert added.status_code == 201, added.text
    guest = await make_actor(Role.GUEST)
    listed = (await client.get(path(cohort), headers=guest.headers)).json()
    assert [(p["position"], p["item"]["title"], p["item"]["locked"]) for p in listed] == [
        (1, "Read first", False),
        (2, "Then this", True),
    ]
    page = await client.get(f"/library/cohorts/{cohort}")
    assert page.status_code == 200 and page.text.index("Read first") < page.text.index("Then this")
    assert "Add prerequisite" not in page.text  # the form is for the program's staff


async def test_only_published_items_once_each_and_unpublished_ones_drop_out(client) -> None:
    staff = await make_staff()
    cohort = await make_cohort(staff.program_id or 0)
    draft = await make_item(client, staff, publish=False)
    refused = await client.post(path(cohort), json={"item_id": draft}, headers=staff.headers)
    assert refused.status_code == 409 and refused.json()["code"] == "library.not_published"
    unknown = await client.post(path(cohort), json={"item_id": 999_999}, headers=staff.headers)
    assert unknown.status_code == 404 and unknown.json()["code"] == "library.not_found"
    item = await make_item(client, staff)
    assert (await client.post(path(cohort), json={"item_id": item}, headers=staff.headers)).status_code == 201
    again = await client.post(path(cohort), json={"item_id": item}, headers=staff.headers)
    assert again.status_code == 409 and again.json()["code"] == "library.prerequisite_duplicate"

    await client.post(f"/api/v1/library/items/{item}/unpublish", headers=staff.headers)
    assert (await client.get(path(cohort))).json() == []
    assert len((await client.get(path(cohort), headers=staff.headers)).json()) == 1  # staff still see it


async def test_two_staff_adding_the_same_item_at_once_make_one_row(client) -> None:
    staff = await make_staff()
    colleague = await make_staff(program_id=staff.program_id)
    cohort = await make_cohort(staff.program_id or 0)
    item = await make_item(client, staff)
    responses = await asyncio.gather(
        *[
            client.post(path(cohort), json={"item_id": item}, headers=who.headers)
            for who in (staff, colleague) * 3
        ]
    )
    assert sorted(r.status_code for r in responses) == [201] + [409] * 5
    assert await CohortPrerequisite.count().where(CohortPrerequisite.cohort == cohort) == 1


async def test_unknown_cohort_and_removing_what_is_not_there(client) -> None:
    admin = await make_actor(Role.ADMIN)
    assert (await client.get(path(999_999))).json()["code"] == "library.cohort_not_found"
    staff = await make_staff()
    cohort = await make_cohort(staff.program_id or 0)
    item = await make_item(client, staff)
    gone = await client.delete(f"{path(cohort)}/{item}", headers=admin.headers)
    assert gone.status_code == 404 and gone.json()["code"] == "library.prerequisite_not_found"
    bad = await client.post(path(cohort), json={"item_id": "one"}, headers=admin.headers)
    assert bad.status_code == 400 and bad.json()["code"] == "request.invalid"


async def test_staff_manage_prerequisites_on_the_page(client) -> None:
    from tests.builders.clients import csrf_from

    staff = await make_staff()
    cohort = await make_cohort(staff.program_id or 0)
    item = await make_item(client, staff, title="Crisis primer")
    page = await client.get(f"/library/cohorts/{cohort}", headers=staff.headers)
    assert "Add prerequisite" in page.text and f'<option value="{item}">Crisis primer' in page.text
    token = csrf_from(page.text)
    added = await client.post(
        f"/library/cohorts/{cohort}/prerequisites", data={"_csrf_token": token, "item_id": str(item)},
        headers=staff.headers,
    )  # fmt: skip
    assert added.status_code == 303
    twice = await client.post(
        f"/library/cohorts/{cohort}/prerequisites", data={"_csrf_token": token, "item_id": str(item)},
        headers=staff.headers,
    )  # fmt: skip
    assert twice.status_code == 409 and "already a prerequisite" in twice.text
    removed = await client.post(
        f"/library/cohorts/{cohort}/prerequisites/{item}/remove",
        data={"_csrf_token": token},
        headers=staff.headers,
    )
    assert removed.status_code == 303 and await CohortPrerequisite.count() == 0
