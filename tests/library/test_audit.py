"""Staff's library writes leave one audit row each, with what changed; a refused one leaves none."""

from __future__ import annotations

from typing import Any

from tests.builders.audit import audit_rows
from tests.builders.clients import csrf_from, sign_in
from tests.builders.library import SECRET_BODY, item_body, make_cohort, make_item
from tests.builders.people import make_staff


async def item_rows() -> list[dict[str, Any]]:
    """The trail's library rows (making staff leaves program rows of its own)."""
    return [row for row in await audit_rows() if row["action"].startswith("library_item.")]


async def test_creating_editing_publishing_and_unpublishing_an_item_through_the_api(client) -> None:
    staff = await make_staff()
    item_id = await make_item(client, staff, publish=False)
    [created] = await audit_rows("library_item.create")
    assert (created["object_kind"], created["object_id"]) == ("library_item", str(item_id))
    assert created["actor_id"] == staff.id and created["role"] == "program_staff"
    assert created["changes"]["title"] == [None, item_body()["title"]]
    assert created["changes"]["tags"] == [None, ["reviews", "privacy"]]
    assert created["changes"]["status"] == [None, "draft"]
    assert created["changes"]["body"] == [None, SECRET_BODY]
    assert "slides_url" not in created["changes"], "fields left empty are not listed"

    edited = await client.patch(
        f"/api/v1/library/items/{item_id}", json={"title": "Answering reviews"}, headers=staff.headers
    )
    assert edited.status_code == 200, edited.text
    [update] = await audit_rows("library_item.update")
    assert update["changes"] == {"title": [item_body()["title"], "Answering reviews"]}

    refused = await client.patch(
        f"/api/v1/library/items/{item_id}", json={"link_url": "javascript:alert(1)"}, headers=staff.headers
    )
    assert refused.status_code == 400
    assert len(await audit_rows("library_item.update")) == 1

    for verb in ("publish", "publish", "unpublish"):
        response = await client.post(f"/api/v1/library/items/{item_id}/{verb}", headers=staff.headers)
        assert response.status_code == 200, response.text
    first, again = await audit_rows("library_item.publish")
    assert (
        first["changes"]["status"] == ["draft", "published"] and first["changes"]["published_at"][0] is None
    )
    assert again["changes"] == {}, "publishing twice changes nothing, and says so"
    [unpublished] = await audit_rows("library_item.unpublish")
    assert unpublished["changes"] == {"status": ["published", "draft"]}


async def test_the_staff_pages_write_the_same_rows(client) -> None:
    staff = await make_staff()
    await sign_in(client, staff)
    token = csrf_from((await client.get("/staff/library/new")).text)
    fields = {
        "_csrf_token": token,
        "kind": "white_paper",
        "title": "Social media policy",
        "summary": "What staff may post.",
        "audience": "public",
        "link_url": "https://example.org/policy.pdf",
        "tags": "policy",
    }
    refused = await client.post("/staff/library/new", data={**fields, "link_url": "ftp://x"})
    assert refused.status_code == 400
    assert await item_rows() == []
    created = await client.post("/staff/library/new", data=fields)
    assert created.status_code == 303
    item_id = int(created.headers["location"].split("/")[3])
    edited = await client.post(
        f"/staff/library/{item_id}/edit", data={**fields, "summary": "What staff may post, and where."}
    )
    assert edited.status_code == 303
    await client.post(f"/staff/library/{item_id}/publish", data={"_csrf_token": token})
    await client.post(f"/staff/library/{item_id}/unpublish", data={"_csrf_token": token})
    rows = await item_rows()
    assert [r["action"] for r in rows] == [
        "library_item.create",
        "library_item.update",
        "library_item.publish",
        "library_item.unpublish",
    ]
    assert rows[1]["changes"] == {"summary": ["What staff may post.", "What staff may post, and where."]}
    assert {r["object_id"] for r in rows} == {str(item_id)} and {r["actor_id"] for r in rows} == {staff.id}


async def test_adding_and_removing_a_prerequisite(client) -> None:
    staff = await make_staff()
    cohort = await make_cohort(staff.program_id or 0)
    first, second = await make_item(client, staff), await make_item(client, staff, title="Second")
    path = f"/api/v1/library/cohorts/{cohort}/prerequisites"
    assert (await client.post(path, json={"item_id": first}, headers=staff.headers)).status_code == 201
    duplicate = await client.post(path, json={"item_id": first}, headers=staff.headers)
    assert duplicate.status_code == 409
    assert (await client.delete(f"{path}/{first}", headers=staff.headers)).status_code == 204
    assert (await client.delete(f"{path}/{first}", headers=staff.headers)).status_code == 404

    await sign_in(client, staff)
    token = csrf_from((await client.get(f"/library/cohorts/{cohort}")).text)
    added = await client.post(
        f"/library/cohorts/{cohort}/prerequisites", data={"_csrf_token": token, "item_id": str(second)}
    )
    assert added.status_code == 303
    removed = await client.post(
        f"/library/cohorts/{cohort}/prerequisites/{second}/remove", data={"_csrf_token": token}
    )
    assert removed.status_code == 303

    adds, removes = await audit_rows("prerequisite.add"), await audit_rows("prerequisite.remove")
    assert [(r["object_kind"], r["object_id"]) for r in adds + removes] == [("cohort", str(cohort))] * 4
    assert [r["changes"] for r in adds] == [
        {"prerequisite_item_id": [None, first], "position": [None, 1]},
        {"prerequisite_item_id": [None, second], "position": [None, 1]},
    ]
    assert removes[0]["changes"] == {"prerequisite_item_id": [first, None], "position": [1, None]}
