"""Finding items: filters by kind, tag, audience and words; newest first; no peeking into locked text."""

from __future__ import annotations

from accounts.principal import Role
from library.tables import LibraryItem
from tests.builders.library import make_item
from tests.builders.people import make_actor


async def titles(client, headers: dict[str, str] | None = None, **params: str) -> list[str]:
    response = await client.get("/api/v1/library/items", params=params, headers=headers or {})
    assert response.status_code == 200, response.text
    return [i["title"] for i in response.json()["items"]]


async def test_filters_combine_and_results_are_newest_first(client) -> None:
    staff = await make_actor(Role.PROGRAM_STAFF)
    await make_item(client, staff, title="Crisis guide", tags=["crisis", "reputation"], audience="public")
    await make_item(client, staff, title="Crisis policy", kind="policy_template", tags=["Crisis"])
    await make_item(client, staff, title="Posting sample", audience="guest_sample", tags=["posting"])
    await make_item(client, staff, title="Crisis video", kind="video", tags=["crisis"],
                    link_url="https://video.example.org/v/9", body="")  # fmt: skip

    assert await titles(client) == ["Crisis video", "Posting sample", "Crisis policy", "Crisis guide"]
    assert await titles(client, tag="crisis") == ["Crisis video", "Crisis policy", "Crisis guide"]
    assert await titles(client, tag="CRISIS", kind="policy_template") == ["Crisis policy"]
    assert await titles(client, audience="guest_sample") == ["Posting sample"]
    assert await titles(client, audience="members_only", tag="crisis") == ["Crisis video", "Crisis policy"]
    assert await titles(client, q="reputation") == ["Crisis guide"]  # a tag word matches too
    assert await titles(client, q="crisis GUIDE") == ["Crisis guide"]  # every word, any case
    assert await titles(client, q="100%") == []  # wildcards match themselves


async def test_paging_counts_everything_that_matches(client) -> None:
    staff = await make_actor(Role.PROGRAM_STAFF)
    for n in range(3):
        await make_item(client, staff, title=f"Guide {n}", audience="public")
    page = (await client.get("/api/v1/library/items", params={"limit": 2, "offset": 2})).json()
    assert page["total"] == 3 and [i["title"] for i in page["items"]] == ["Guide 0"]


async def test_words_in_a_locked_body_do_not_reveal_the_item(client) -> None:
    staff = await make_actor(Role.PROGRAM_STAFF)
    await make_item(client, staff, title="Members' playbook", body="The codeword is zebrafish.")
    await make_item(client, staff, title="Open notes", audience="public", body="Zebrafish are open.")
    guest, member = await make_actor(Role.GUEST), await make_actor(Role.MEMBER)
    assert await titles(client, q="zebrafish") == ["Open notes"]
    assert await titles(client, guest.headers, q="zebrafish") == ["Open notes"]
    assert sorted(await titles(client, member.headers, q="zebrafish")) == ["Members' playbook", "Open notes"]
    assert await titles(client, q="playbook") == ["Members' playbook"]  # titles stay searchable


async def test_the_tag_choices_come_from_published_items_only(client) -> None:
    staff = await make_actor(Role.PROGRAM_STAFF)
    await make_item(client, staff, tags=["visible"], audience="public")
    await make_item(client, staff, tags=["secret plans"], publish=False)
    page = await client.get("/library")
    assert '<option value="visible"' in page.text and "secret plans" not in page.text
    assert await LibraryItem.count() == 2
