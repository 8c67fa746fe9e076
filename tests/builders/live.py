"""Live servers: making things over HTTP on a running `grandrounds serve`, for the browser journeys.

The journeys run synchronously beside the server, so these use a blocking httpx client.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx


def publish_item(base: str, token: str, **fields: Any) -> int:
    with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=10) as api:
        created = api.post("/api/v1/library/items", json=fields)
        assert created.status_code == 201, created.text
        item_id = int(created.json()["id"])
        assert api.post(f"/api/v1/library/items/{item_id}/publish").status_code == 200
    return item_id


PAID_WEBINAR = "Webinar: measuring patient education on social media"


def paid_webinar(base: str, token: str, program_id: int) -> int:
    headers = {"Authorization": f"Bearer {token}"}
    start = (datetime.now(UTC) + timedelta(days=10)).replace(hour=17, minute=0, second=0, microsecond=0)
    with httpx.Client(base_url=base, headers=headers, timeout=10) as api:
        created = api.post(
            "/api/v1/events/",
            json={
                "kind": "webinar",
                "title": PAID_WEBINAR,
                "time_zone": "America/New_York",
                "starts_at": start.isoformat(),
                "ends_at": (start + timedelta(hours=1)).isoformat(),
                "capacity": 50,
                "join_url": "https://meet.example.org/j/patient-education",
                "program_id": program_id,
            },
        )
        assert created.status_code == 201, created.text
        event_id = int(created.json()["id"])
        ticket = api.post(
            f"/api/v1/events/{event_id}/ticket-types",
            json={"name": "Live attendance", "currency": "USD", "member_price": 1500,
                  "non_member_price": 2500, "guest_price": 2500},
        )  # fmt: skip
        assert ticket.status_code == 201, ticket.text
        assert api.post(f"/api/v1/events/{event_id}/publish").status_code == 200
    return event_id
