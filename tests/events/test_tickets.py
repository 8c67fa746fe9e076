"""Ticket types: staff of the event's program define them, everyone sees a published event's active ones."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from accounts.principal import Role
from events.tables import TicketType
from tests.builders.events import event_body
from tests.builders.people import Actor, make_actor, make_staff

START = datetime.now(UTC) + timedelta(days=7)


def ticket_body(**over: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": "Full conference",
        "currency": "USD",
        "member_price": 1999,
        "non_member_price": 4999,
        "guest_price": 2999,
    }
    body.update(over)
    return body


async def staff_event(client, staff: Actor | None = None, publish: bool = True) -> tuple[Actor, int]:
    staff = staff or await make_staff()
    created = await client.post(
        "/api/v1/events/",
        json=event_body(
            program_id=staff.program_id,
            starts_at=START.isoformat(),
            ends_at=(START + timedelta(hours=8)).isoformat(),
        ),
        headers=staff.headers,
    )
    assert created.status_code == 201, created.text
    event_id = int(created.json()["id"])
    if publish:
        assert (
            await client.post(f"/api/v1/events/{event_id}/publish", headers=staff.headers)
        ).status_code == 200
    return staff, event_id


async def test_staff_define_prices_windows_and_quantities(client) -> None:
    staff, event_id = await staff_event(client)
    early = START - timedelta(days=3)
    body = ticket_body(
        early_bird_until=early.isoformat(),
        early_member_price=1499,
        sales_start=(START - timedelta(days=30)).isoformat(),
        sales_end=START.isoformat(),
        quantity=20,
        member_only=True,
        description="Both days, lunch included",
    )
    created = await client.post(f"/api/v1/events/{event_id}/ticket-types", json=body, headers=staff.headers)
    assert created.status_code == 201, created.text
    ticket = created.json()
    assert ticket["member_price"] == 1999 and ticket["early_member_price"] == 1499
    assert ticket["early_non_member_price"] is None and ticket["quantity"] == 20 and ticket["remaining"] == 20
    assert ticket["member_only"] and ticket["active"] and not ticket["free"]

    free = await client.post(
        f"/api/v1/events/{event_id}/ticket-types",
        json=ticket_body(name="Press", member_price=0, non_member_price=0, guest_price=0, position=5),
        headers=staff.headers,
    )
    assert free.json()["free"] is True

    changed = await client.patch(
        f"/api/v1/ticket-types/{ticket['id']}",
        json={"guest_price": 2500, "quantity": None},
        headers=staff.headers,
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["guest_price"] == 2500 and changed.json()["quantity"] is None
    assert changed.json()["member_price"] == 1999  # untouched fields stay

    listed = (await client.get(f"/api/v1/events/{event_id}/ticket-types")).json()
    assert [t["name"] for t in listed] == ["Full conference", "Press"]


BAD_TICKETS = [
    ({"member_price": 19.99}, 400, "ticket.price_invalid"),
    ({"guest_price": -1}, 400, "ticket.price_invalid"),
    ({"non_member_price": 10**12}, 400, "ticket.price_invalid"),
    (
        {"early_guest_price": 10.5, "early_bird_until": (START - timedelta(days=1)).isoformat()},
        400,
        "ticket.price_invalid",
    ),
    ({"member_price": "ten"}, 400, "request.invalid"),
    ({"member_price": True}, 400, "request.invalid"),
    ({"currency": "usd"}, 400, "ticket.currency_unknown"),
    ({"currency": "XYZ"}, 400, "ticket.currency_unknown"),
    ({"currency": "DOLLARS"}, 400, "ticket.currency_unknown"),
    ({"early_member_price": 999}, 400, "ticket.early_bird_incomplete"),
    (
        {"early_member_price": 999, "early_bird_until": (START + timedelta(minutes=1)).isoformat()},
        400,
        "ticket.early_bird_after_start",
    ),
    (
        {"early_member_price": 2999, "early_bird_until": (START - timedelta(days=1)).isoformat()},
        400,
        "ticket.early_price_above_regular",
    ),
    (
        {
            "sales_start": (START - timedelta(days=1)).isoformat(),
            "sales_end": (START - timedelta(days=2)).isoformat(),
        },
        400,
        "ticket.sales_window_invalid",
    ),
    ({"sales_end": "2027-01-01T10:00:00"}, 400, "ticket.time_naive"),
    ({"quantity": 0}, 400, "ticket.quantity_invalid"),
    ({"quantity": 2.5}, 400, "request.invalid"),
    ({"name": "   "}, 400, "ticket.name_blank"),
    ({"name": ""}, 400, "request.invalid"),
    ({"colour": "red"}, 400, "request.invalid"),
]
BAD_IDS = [
    "non-integer price",
    "negative price",
    "absurd price",
    "non-integer early price",
    "price in words",
    "price as boolean",
    "lower-case currency",
    "unknown currency",
    "not a code",
    "early price without a deadline",
    "early bird after the start",
    "early price above regular",
    "sales end before start",
    "time without offset",
    "zero quantity",
    "fractional quantity",
    "blank name",
    "empty name",
    "unknown field",
]


@pytest.mark.parametrize(("over", "status", "code"), BAD_TICKETS, ids=BAD_IDS)
async def test_bad_ticket_types_are_refused_and_nothing_is_written(client, over, status, code) -> None:
    staff, event_id = await staff_event(client)
    response = await client.post(
        f"/api/v1/events/{event_id}/ticket-types", json=ticket_body(**over), headers=staff.headers
    )
    assert response.status_code == status, response.text
    assert response.json()["code"] == code
    assert await TicketType.count() == 0


@pytest.mark.parametrize(("over", "status", "code"), BAD_TICKETS[:-3], ids=BAD_IDS[:-3])
async def test_bad_changes_are_refused_and_leave_the_type_as_it_was(client, over, status, code) -> None:
    staff, event_id = await staff_event(client)
    ticket = (
        await client.post(
            f"/api/v1/events/{event_id}/ticket-types", json=ticket_body(), headers=staff.headers
        )
    ).json()
    before = await TicketType.select().where(TicketType.id == ticket["id"]).first()
    response = await client.patch(f"/api/v1/ticket-types/{ticket['id']}", json=over, headers=staff.headers)
    assert response.status_code == status, response.text
    assert response.json()["code"] == code
    assert await TicketType.select().where(TicketType.id == ticket["id"]).first() == before


async def test_an_early_price_cannot_outlive_a_cut_to_the_regular_price(client) -> None:
    staff, event_id = await staff_event(client)
    body = ticket_body(early_member_price=1499, early_bird_until=(START - timedelta(days=1)).isoformat())
    ticket = (
        await client.post(f"/api/v1/events/{event_id}/ticket-types", json=body, headers=staff.headers)
    ).json()
    cut = await client.patch(
        f"/api/v1/ticket-types/{ticket['id']}", json={"member_price": 999}, headers=staff.headers
    )
    assert cut.status_code == 400 and cut.json()["code"] == "ticket.early_price_above_regular"


async def test_quantity_cannot_drop_below_places_taken(client) -> None:
    staff, event_id = await staff_event(client)
    ticket = (
        await client.post(
            f"/api/v1/events/{event_id}/ticket-types",
            json=ticket_body(member_price=0, non_member_price=0, guest_price=0, quantity=5),
            headers=staff.headers,
        )
    ).json()
    for _ in range(2):
        person = await make_actor(Role.MEMBER)
        await client.post(f"/api/v1/events/{event_id}/registrations", headers=person.headers)
    listed = (await client.get(f"/api/v1/events/{event_id}/ticket-types")).json()
    assert listed[0]["remaining"] == 3
    refused = await client.patch(
        f"/api/v1/ticket-types/{ticket['id']}", json={"quantity": 1}, headers=staff.headers
    )
    assert refused.status_code == 409 and refused.json()["code"] == "ticket.quantity_below_taken"
    assert refused.json()["details"]["taken"] == 2
    ok = await client.patch(
        f"/api/v1/ticket-types/{ticket['id']}", json={"quantity": 2}, headers=staff.headers
    )
    assert ok.status_code == 200 and ok.json()["remaining"] == 0


async def test_who_sees_which_ticket_types(client) -> None:
    staff, event_id = await staff_event(client)
    shown = (
        await client.post(
            f"/api/v1/events/{event_id}/ticket-types", json=ticket_body(), headers=staff.headers
        )
    ).json()
    hidden = (
        await client.post(
            f"/api/v1/events/{event_id}/ticket-types", json=ticket_body(name="Old"), headers=staff.headers
        )
    ).json()
    off = await client.post(f"/api/v1/ticket-types/{hidden['id']}/deactivate", headers=staff.headers)
    assert off.status_code == 200 and off.json()["active"] is False
    member, other_staff = await make_actor(Role.MEMBER), await make_staff()
    admin = await make_actor(Role.ADMIN)
    url = f"/api/v1/events/{event_id}/ticket-types"
    assert [t["id"] for t in (await client.get(url)).json()] == [shown["id"]]
    assert [t["id"] for t in (await client.get(url, headers=member.headers)).json()] == [shown["id"]]
    assert [t["id"] for t in (await client.get(url, headers=other_staff.headers)).json()] == [shown["id"]]
    assert [t["id"] for t in (await client.get(url, headers=staff.headers)).json()] == [
        shown["id"],
        hidden["id"],
    ]
    assert len((await client.get(url, headers=admin.headers)).json()) == 2

    _, draft_id = await staff_event(client, staff, publish=False)
    await client.post(f"/api/v1/events/{draft_id}/ticket-types", json=ticket_body(), headers=staff.headers)
    draft_url = f"/api/v1/events/{draft_id}/ticket-types"
    for viewer in ({}, member.headers, other_staff.headers):
        response = await client.get(draft_url, headers=viewer)
        assert response.status_code == 404 and response.json()["code"] == "event.not_found"
    assert len((await client.get(draft_url, headers=staff.headers)).json()) == 1
    assert (await client.get("/api/v1/events/999999/ticket-types")).status_code == 404


@pytest.mark.parametrize(
    ("who", "status", "code"),
    [
        ("nobody", 401, "auth.required"),
        ("member", 403, "auth.forbidden"),
        ("guest", 403, "auth.forbidden"),
        ("finance", 403, "auth.forbidden"),
        ("other program's staff", 403, "event.not_your_program"),
        ("event's staff", None, None),
        ("admin", None, None),
    ],
)
async def test_only_the_events_staff_manage_ticket_types(client, who, status, code) -> None:
    staff, event_id = await staff_event(client)
    existing = (
        await client.post(
            f"/api/v1/events/{event_id}/ticket-types", json=ticket_body(), headers=staff.headers
        )
    ).json()
    callers = {
        "nobody": None,
        "member": await make_actor(Role.MEMBER),
        "guest": await make_actor(Role.GUEST),
        "finance": await make_actor(Role.FINANCE),
        "other program's staff": await make_staff(),
        "event's staff": staff,
        "admin": await make_actor(Role.ADMIN),
    }
    caller = callers[who]
    headers = caller.headers if caller else {}
    attempts = [
        ("post", f"/api/v1/events/{event_id}/ticket-types", ticket_body(name="Student"), 201),
        ("patch", f"/api/v1/ticket-types/{existing['id']}", {"guest_price": 1}, 200),
        ("post", f"/api/v1/ticket-types/{existing['id']}/deactivate", None, 200),
    ]
    for method, url, body, ok in attempts:
        response = await client.request(method.upper(), url, json=body, headers=headers)
        assert response.status_code == (status or ok), (method, url, response.text)
        if code:
            assert response.json()["code"] == code
    if status:
        row = await TicketType.select().where(TicketType.id == existing["id"]).first()
        assert row is not None and row["guest_price"] == 2999 and row["active"] is True
        assert await TicketType.count() == 1


async def test_unknown_ticket_types_and_events(client) -> None:
    staff, _ = await staff_event(client)
    missing = await client.patch(
        "/api/v1/ticket-types/999999", json={"guest_price": 1}, headers=staff.headers
    )
    assert missing.status_code == 404 and missing.json()["code"] == "ticket.not_found"
    gone = await client.post("/api/v1/ticket-types/999999/deactivate", headers=staff.headers)
    assert gone.status_code == 404 and gone.json()["code"] == "ticket.not_found"
    nowhere = await client.post(
        "/api/v1/events/999999/ticket-types", json=ticket_body(), headers=staff.headers
    )
    assert nowhere.status_code == 404 and nowhere.json()["code"] == "event.not_found"
    malformed = await client.patch("/api/v1/ticket-types/abc", json={}, headers=staff.headers)
    assert malformed.status_code in (400, 404)
