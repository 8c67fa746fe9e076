"""Library items for tests, made through the API as staff would make them."""

from __future__ import annotations

from typing import Any

from tests.builders.people import Actor

SECRET_BODY = "Step 3: the escalation phone tree for a viral complaint."


def item_body(**over: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "kind": "guide",
        "title": "Responding to patient reviews",
        "summary": "How a hospital answers reviews without disclosing health information.",
        "audience": "members_only",
        "body": SECRET_BODY,
        "link_url": "https://docs.example.org/reviews.pdf",
        "tags": ["Reviews", "privacy"],
        "author_name": "Dr. Farris Timimi",
    }
    body.update(over)
    return body


async def make_item(client, staff: Actor, *, publish: bool = True, **over: Any) -> int:
    created = await client.post("/api/v1/library/items", json=item_body(**over), headers=staff.headers)
    assert created.status_code == 201, created.text
    item_id = int(created.json()["id"])
    if publish:
        published = await client.post(f"/api/v1/library/items/{item_id}/publish", headers=staff.headers)
        assert published.status_code == 200, published.text
    return item_id


async def make_cohort(program_id: int, name: str = "Residency spring cohort") -> int:
    """A bare cohort row: prerequisites need only its program."""
    from datetime import date

    from programs.tables import Cohort

    rows = await Cohort.insert(
        Cohort(program=program_id, name=name, starts_on=date(2027, 3, 1), ends_on=date(2027, 6, 1))
    ).returning(Cohort.id)
    return int(rows[0]["id"])
