"""Bad items get a clear 400 with a stable code naming the field, and store nothing."""

from __future__ import annotations

from typing import Any

import pytest

from accounts.principal import Role
from library.tables import LibraryItem, LibraryItemTag
from tests.builders.library import item_body, make_item
from tests.builders.people import make_actor

CASES: list[tuple[str, dict[str, Any], str, str]] = [
    ("unknown kind", {"kind": "podcast"}, "library.kind_unknown", "kind"),
    ("unknown audience", {"audience": "everyone"}, "library.audience_unknown", "audience"),
    ("blank title", {"title": "   "}, "library.field_required", "title"),
    ("blank summary", {"summary": ""}, "library.field_required", "summary"),
    ("title too long", {"title": "x" * 201}, "library.text_too_long", "title"),
    ("summary too long", {"summary": "x" * 1001}, "library.text_too_long", "summary"),
    ("body too long", {"body": "x" * 50_001}, "library.text_too_long", "body"),
    ("author too long", {"author_name": "x" * 201}, "library.text_too_long", "author_name"),
    ("script in title", {"title": "<script>alert(1)</script>"}, "library.markup_not_allowed", "title"),
    ("tag in summary", {"summary": "Read <img src=x onerror=alert(1)>"}, "library.markup_not_allowed",
     "summary"),
    ("script scheme in author", {"author_name": "javascript:alert(1)"}, "library.markup_not_allowed",
     "author_name"),
    ("javascript url", {"link_url": "javascript:alert(1)"}, "library.url_invalid", "link_url"),
    ("data url", {"link_url": "data:text/html;base64,PHNjcmlwdD4="}, "library.url_invalid", "link_url"),
    ("ftp url", {"link_url": "ftp://files.example.org/a.pdf"}, "library.url_invalid", "link_url"),
    ("relative url", {"link_url": "/files/a.pdf"}, "library.url_invalid", "link_url"),
    ("no host", {"link_url": "https:///a.pdf"}, "library.url_invalid", "link_url"),
    ("credentials in url", {"link_url": "https://user:pw@example.org/a"}, "library.url_invalid", "link_url"),
    ("space in url", {"link_url": "https://example.org/a b.pdf"}, "library.url_invalid", "link_url"),
    ("quote in url", {"link_url": 'https://example.org/"onmouseover="x'}, "library.url_invalid", "link_url"),
    ("bad port", {"link_url": "https://example.org:99999/a"}, "library.url_invalid", "link_url"),
    ("url too long", {"link_url": "https://example.org/" + "a" * 500}, "library.text_too_long", "link_url"),
    ("no content", {"body": "", "link_url": ""}, "library.content_missing", "body"),
    ("video without address", {"kind": "video", "link_url": ""}, "library.content_missing", "link_url"),
    ("webinar without recording", {"kind": "recorded_webinar"}, "library.content_missing", "recording_url"),
    ("slides on a guide", {"slides_url": "https://example.org/s.pdf"}, "library.field_not_for_kind",
     "slides_url"),
    ("bad tag", {"tags": ["ok", "<b>"]}, "library.tag_invalid", "tags"),
    ("long tag", {"tags": ["x" * 41]}, "library.tag_invalid", "tags"),
    ("too many tags", {"tags": [f"tag {i}" for i in range(13)]}, "library.tag_invalid", "tags"),
    ("unknown author", {"author_id": 999_999}, "library.author_not_found", "author_id"),
    ("id beyond any row", {"kind": "recorded_webinar", "recording_url": "https://v.example.org/1",
                           "event_id": 10**15}, "library.event_not_found", "event_id"),
    ("negative author id", {"author_id": -1}, "library.author_not_found", "author_id"),
]  # fmt: skip


@pytest.mark.parametrize(("case", "over", "code", "field"), CASES, ids=[c[0] for c in CASES])
async def test_bad_item_is_refused_and_nothing_is_stored(client, case: str, over: dict[str, Any], code: str,
                                                         field: str) -> None:  # fmt: skip
    staff = await make_actor(Role.PROGRAM_STAFF)
    response = await client.post("/api/v1/library/items", json=item_body(**over), headers=staff.headers)
    assert response.status_code == 400, (case, response.text)
    assert response.json()["code"] == code, case
    assert response.json()["details"]["field"] == field, case
    assert response.json()["message"]
    assert await LibraryItem.count() == 0 and await LibraryItemTag.count() == 0


async def test_wrong_types_and_unknown_fields_are_a_clear_400(client) -> None:
    staff = await make_actor(Role.PROGRAM_STAFF)
    for body in (item_body(title=5), {**item_body(), "status": "published"}, item_body(tags="crisis")):
        response = await client.post("/api/v1/library/items", json=body, headers=staff.headers)
        assert response.status_code == 400 and response.json()["code"] == "request.invalid", response.text
    assert await LibraryItem.count() == 0


async def test_bad_edit_and_unknown_item(client) -> None:
    staff = await make_actor(Role.PROGRAM_STAFF)
    item_id = await make_item(client, staff)
    to_webinar = await client.patch(
        f"/api/v1/library/items/{item_id}", json={"kind": "recorded_webinar"}, headers=staff.headers
    )
    assert to_webinar.status_code == 400 and to_webinar.json()["code"] == "library.content_missing"
    unknown = "/api/v1/library/items/999999"
    for method, path in (("PATCH", unknown), ("POST", f"{unknown}/publish"), ("GET", unknown)):
        response = await client.request(method, path, json={"title": "x"}, headers=staff.headers)
        assert response.status_code == 404 and response.json()["code"] == "library.not_found"


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"kind": "podcast"}, "library.kind_unknown"),
        ({"audience": "vip"}, "library.audience_unknown"),
        ({"q": "x" * 201}, "library.query_too_long"),
        ({"tag": "x" * 41}, "library.query_too_long"),
        ({"limit": "0"}, "request.invalid"),
    ],
)
async def test_bad_filters_are_a_clear_400(client, params: dict[str, str], code: str) -> None:
    response = await client.get("/api/v1/library/items", params=params)
    assert response.status_code == 400 and response.json()["code"] == code, response.text


async def test_a_status_filter_is_only_for_the_staff_list(client) -> None:
    staff = await make_actor(Role.PROGRAM_STAFF)
    await make_item(client, staff, publish=False, title="Draft one")
    await make_item(client, staff, title="Live one")
    drafts = await client.get(
        "/api/v1/library/manage/items", params={"status": "draft"}, headers=staff.headers
    )
    assert [i["title"] for i in drafts.json()["items"]] == ["Draft one"]
    bad = await client.get(
        "/api/v1/library/manage/items", params={"status": "deleted"}, headers=staff.headers
    )
    assert bad.status_code == 400 and bad.json()["code"] == "library.status_unknown"


async def test_ids_beyond_any_row_are_not_found_on_both_engines(client) -> None:
    staff = await make_actor(Role.ADMIN)
    huge = 10**15
    for method, path, body in (
        ("GET", f"/api/v1/library/items/{huge}", None),
        ("PATCH", f"/api/v1/library/items/{huge}", {"title": "x"}),
        ("POST", f"/api/v1/library/items/{huge}/publish", None),
        ("GET", f"/api/v1/library/cohorts/{huge}/prerequisites", None),
        ("GET", f"/library/{huge}", None),
        ("GET", f"/staff/library/{huge}/edit", None),
    ):
        response = await client.request(method, path, json=body, headers=staff.headers)
        assert response.status_code == 404, (path, response.text[:300])
