"""Shared helpers for the directory tests: a valid submission and the one-call approve."""

from __future__ import annotations

from typing import Any

import httpx

from tests.builders.people import Actor

API = "/api/v1/directory"


def org(**overrides: Any) -> dict[str, Any]:
    """A valid new-organization submission from an anonymous sender."""
    body: dict[str, Any] = {
        "name": "Lakeside Children's Hospital",
        "kind": "hospital",
        "country": "US",
        "region": "Minnesota",
        "city": "Duluth",
        "website": "https://www.lakeside-childrens.example.org/",
        "description": "A pediatric teaching hospital.",
        "accounts": {
            "x": "https://twitter.com/LakesideKids?utm_source=share",
            "linkedin": "https://www.linkedin.com/company/lakeside-childrens/",
        },
        "note": "I run their social media team.",
        "contact_email": "nora@lakeside-childrens.example.org",
        "contact_name": "Nora Nurse",
    }
    body.update(overrides)
    return body


async def submit(client: httpx.AsyncClient, body: dict[str, Any] | None = None, **kw: Any) -> int:
    response = await client.post(f"{API}/submissions", json=body or org(), **kw)
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


async def approve(
    client: httpx.AsyncClient, staff: Actor, submission_id: int, edits: Any = None
) -> dict[str, Any]:
    body = {"edits": edits} if edits is not None else {}
    response = await client.post(
        f"{API}/submissions/{submission_id}/approve", json=body, headers=staff.headers
    )
    assert response.status_code == 200, response.text
    return dict(response.json())


async def publish(client: httpx.AsyncClient, staff: Actor, body: dict[str, Any] | None = None) -> int:
    """Submit and approve in one go; returns the new listing's id."""
    decided = await approve(client, staff, await submit(client, body))
    return int(decided["listing_id"])
