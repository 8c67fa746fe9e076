"""Staff create, edit, publish and unpublish items; drafts stay invisible; what each reader gets."""

from __future__ import annotations

from accounts.principal import Role
from library.tables import LibraryItem, LibraryItemTag
from tests.builders.library import SECRET_BODY, item_body, make_item
from tests.builders.people import make_actor


async def test_staff_create_a_draft_that_nobody_else_sees_until_published(client) -> None:
    staff = await make_actor(Role.PROGRAM_STAFF)
    member = await make_actor(Role.MEMBER)
    item_id = await make_item(client, staff, publish=False, audience="public")

    draft = await client.get(f"/api/v1/library/items/{item_id}", headers=staff.headers)
    assert draft.status_code == 200 and draft.json()["status"] == "draft"
    assert draft.json()["published_at"] is None
    for headers in ({}, member.headers):
        hidden = await client.get(f"/api/v1/library/items/{item_id}", headers=headers)
        assert hidden.status_code == 404 and hidden.json()["code"] == "library.not_found"
        listed = await client.get("/api/v1/library/items", headers=headers)
        assert listed.json() == {"items": [], "total": 0}

    published = await client.post(f"/api/v1/library/items/{item_id}/publish", headers=staff.headers)
    assert published.status_code == 200 and published.json()["status"] == "published"
    first_published = published.json()["published_at"]
    assert first_published is not None
    seen = await client.get(f"/api/v1/library/items/{item_id}")
    assert seen.status_code == 200 and seen.json()["body"] == SECRET_BODY
    assert seen.json()["tags"] == ["reviews", "privacy"]

    unpublished = await client.post(f"/api/v1/library/items/{item_id}/unpublish", headers=staff.headers)
    assert unpublished.json()["status"] == "draft"
    assert (await client.get(f"/api/v1/library/items/{item_id}")).status_code == 404
    again = await client.post(f"/api/v1/library/items/{item_id}/publish", headers=staff.headers)
    assert again.json()["published_at"] == first_published  # the first publication date stays


async def test_staff_edit_fields_and_tags_in_one_go(client) -> None:
    staff = await make_actor(Role.ADMIN)
    item_id = await make_item(client, staff)
    edited = await client.patch(
        f"/api/v1/library/items/{item_id}",
        json={
            "title": "  Answering   reviews ",
            "tags": ["crisis", "Crisis", "reviews"],
            "audience": "public",
        },
        headers=staff.headers,
    )
    assert edited.status_code == 200, edited.text
    body = edited.json()
    assert (body["title"], body["tags"], body["audience"]) == (
        "Answering reviews",
        ["crisis", "reviews"],
        "public",
    )
    assert body["body"] == SECRET_BODY  # untouched fields stay
    row = await LibraryItem.select().where(LibraryItem.id == item_id).first()
    assert row is not None and row["updated_by"] == staff.id


async def test_a_failed_edit_changes_nothing(client) -> None:
    staff = await make_actor(Role.PROGRAM_STAFF)
    item_id = await make_item(client, staff)
    before = await LibraryItem.select().where(LibraryItem.id == item_id).first()
    bad = await client.patch(
        f"/api/v1/library/items/{item_id}",
        json={"title": "New title", "tags": ["fine", "<b>bold</b>"]},
        headers=staff.headers,
    )
    assert bad.status_code == 400 and bad.json()["code"] == "library.tag_invalid"
    assert await LibraryItem.select().where(LibraryItem.id == item_id).first() == before
    tags = await LibraryItemTag.select(LibraryItemTag.tag).where(LibraryItemTag.item == item_id)
    assert sorted(t["tag"] for t in tags) == ["privacy", "reviews"]


async def test_a_recorded_webinar_keeps_recording_slides_and_its_event(client) -> None:
    from tests.builders.events import create_event
    from tests.builders.people import make_staff

    staff = await make_staff()
    event_id = await create_event(client, staff)
    item_id = await make_item(
        client,
        staff,
        kind="recorded_webinar",
        body="",
        link_url="",
        recording_url="https://video.example.org/watch/123",
        slides_url="https://slides.example.org/deck.pdf",
        event_id=event_id,
    )
    got = (await client.get(f"/api/v1/library/items/{item_id}", headers=staff.headers)).json()
    assert (got["recording_url"], got["slides_url"], got["event_id"]) == (
        "https://video.example.org/watch/123",
        "https://slides.example.org/deck.pdf",
        event_id,
    )
    unknown = await client.post(
        "/api/v1/library/items",
        json=item_body(
            kind="recorded_webinar", recording_url="https://v.example.org/1", event_id=event_id + 999
        ),
        headers=staff.headers,
    )
    assert unknown.status_code == 400 and unknown.json()["code"] == "library.event_not_found"
