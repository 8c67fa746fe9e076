"""The library pages: what a guest, a member and staff see, and the staff forms."""

from __future__ import annotations

from accounts.principal import Role
from library.tables import LibraryItem
from tests.builders.clients import csrf_from, sign_in
from tests.builders.library import SECRET_BODY, make_item
from tests.builders.people import make_actor


async def test_a_guest_sees_the_invitation_instead_of_members_content(client) -> None:
    staff = await make_actor(Role.PROGRAM_STAFF)
    locked = await make_item(client, staff, title="Members' crisis playbook")
    sample = await make_item(
        client, staff, title="Sample: a posting policy", audience="guest_sample", body="Sample text."
    )
    listing = await client.get("/library")
    assert listing.status_code == 200
    assert "Members&#39; crisis playbook" in listing.text and "Sample: a posting policy" in listing.text
    assert SECRET_BODY not in listing.text

    page = await client.get(f"/library/{locked}")
    assert page.status_code == 200
    assert 'id="join-invitation"' in page.text and 'href="/membership"' in page.text
    assert SECRET_BODY not in page.text and "docs.example.org" not in page.text
    assert "How a hospital answers reviews" in page.text  # the summary is the teaser

    open_page = await client.get(f"/library/{sample}")
    assert "Sample text." in open_page.text and 'id="join-invitation"' not in open_page.text


async def test_a_member_reads_the_members_only_item(client) -> None:
    staff = await make_actor(Role.PROGRAM_STAFF)
    item_id = await make_item(client, staff)
    member = await make_actor(Role.MEMBER)
    page = await client.get(f"/library/{item_id}", headers=member.headers)
    assert SECRET_BODY in page.text and 'href="https://docs.example.org/reviews.pdf"' in page.text
    assert 'id="join-invitation"' not in page.text


async def test_script_typed_into_the_body_is_shown_as_text(client) -> None:
    staff = await make_actor(Role.PROGRAM_STAFF)
    item_id = await make_item(
        client, staff, audience="public", body='Embed code looks like <script>alert("x")</script>.'
    )
    page = await client.get(f"/library/{item_id}")
    assert "<script>alert" not in page.text
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page.text


async def test_filters_narrow_the_list_and_a_bad_filter_says_why(client) -> None:
    staff = await make_actor(Role.PROGRAM_STAFF)
    await make_item(client, staff, title="Crisis guide", tags=["crisis"], audience="public")
    await make_item(client, staff, title="Privacy template", kind="policy_template", tags=["privacy"])
    by_tag = await client.get("/library", params={"tag": "crisis"})
    assert "Crisis guide" in by_tag.text and "Privacy template" not in by_tag.text
    by_kind = await client.get("/library", params={"kind": "policy_template"})
    assert "Privacy template" in by_kind.text and "Crisis guide" not in by_kind.text
    bad = await client.get("/library", params={"kind": "podcast"})
    assert bad.status_code == 400 and 'role="alert"' in bad.text and 'aria-invalid="true"' in bad.text


async def test_staff_create_edit_publish_and_unpublish_through_the_forms(client) -> None:
    staff = await make_actor(Role.PROGRAM_STAFF)
    await sign_in(client, staff.email)
    form = await client.get("/staff/library/new")
    assert form.status_code == 200
    token = csrf_from(form.text)
    fields = {
        "_csrf_token": token,
        "kind": "white_paper",
        "title": "Social media and HIPAA",
        "summary": "What staff may and may not post.",
        "audience": "public",
        "body": "",
        "link_url": "javascript:alert(1)",
        "tags": "privacy, HIPAA",
        "author_name": "Lee Aase",
        "event_id": "",
    }
    refused = await client.post("/staff/library/new", data=fields)
    assert refused.status_code == 400 and "https://" in refused.text
    assert 'value="Social media and HIPAA"' in refused.text  # what was typed comes back
    assert await LibraryItem.count() == 0

    created = await client.post(
        "/staff/library/new", data={**fields, "link_url": "https://example.org/hipaa.pdf"}
    )
    assert created.status_code == 303
    item_id = int(created.headers["location"].split("/")[3])
    draft = await client.get(f"/library/{item_id}")
    assert draft.status_code == 200 and "Draft: only staff" in draft.text
    second = {**fields, "link_url": "https://example.org/v2.pdf", "title": "Social media and HIPAA, 2nd ed."}
    edited = await client.post(f"/staff/library/{item_id}/edit", data=second)
    assert edited.status_code == 303
    published = await client.post(f"/staff/library/{item_id}/publish", data={"_csrf_token": token})
    assert published.status_code == 303
    listing = await client.get("/staff/library")
    assert "Social media and HIPAA, 2nd ed." in listing.text and "Unpublish" in listing.text
    row = await LibraryItem.select().where(LibraryItem.id == item_id).first()
    assert (
        row is not None and row["status"] == "published" and row["link_url"] == "https://example.org/v2.pdf"
    )
    await client.post(f"/staff/library/{item_id}/unpublish", data={"_csrf_token": token})
    client.cookies.clear()
    assert (await client.get(f"/library/{item_id}")).status_code == 404


async def test_a_recording_links_to_its_event_and_the_event_page_says_it_is_available(client) -> None:
    from tests.builders.events import create_event
    from tests.builders.people import make_staff

    staff = await make_staff()
    event_id = await create_event(client, staff, title="Grand Rounds: breach response")
    item_id = await make_item(
        client, staff, kind="recorded_webinar", title="Recording: breach response", body="", link_url="",
        recording_url="https://video.example.org/breach", event_id=event_id, publish=False,
    )  # fmt: skip
    event_page = await client.get(f"/events/{event_id}")
    assert "Recording available" not in event_page.text  # a draft recording is not announced

    await client.post(f"/api/v1/library/items/{item_id}/publish", headers=staff.headers)
    item_page = await client.get(f"/library/{item_id}")
    assert (
        f'href="/events/{event_id}"' in item_page.text and "Grand Rounds: breach response" in item_page.text
    )
    assert "video.example.org/breach" not in item_page.text  # members only: the recording stays locked
    event_page = await client.get(f"/events/{event_id}")
    assert (
        f'<a href="/library/{item_id}">Recording available: Recording: breach response</a>' in event_page.text
    )
