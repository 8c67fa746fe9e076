"""Staff add and deactivate ticket types through the page, prices typed as amounts."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from events.pages import display
from events.tables import TicketType
from tests.builders.clients import sign_in
from tests.builders.event_pages import YEAR, alert, conference, gap_time, send, snapshot
from tests.builders.pages import visible_text

TICKET = {
    "name": "Day pass",
    "currency": "USD",
    "member_price": "19.99",
    "non_member_price": "49",
    "guest_price": "0",
}


async def test_prices_typed_as_amounts_are_stored_in_minor_units(client) -> None:
    event_id, staff = await conference(client)
    await sign_in(client, staff)
    page = f"/staff/events/{event_id}/tickets"
    added = await send(client, page, page, **TICKET)
    assert added.status_code == 303 and added.headers["location"] == f"{page}?done=added"
    yen = await send(
        client, page, page, **{**TICKET, "name": "Tokyo pass", "currency": "jpy", "member_price": "1000"}
    )
    assert yen.status_code == 303, yen.text
    rows = {r["name"]: r for r in await TicketType.select()}
    assert rows["Day pass"]["member_price"] == 1999  # DOMAIN: 19.99 USD = 1999
    assert rows["Day pass"]["non_member_price"] == 4900 and rows["Day pass"]["guest_price"] == 0
    assert rows["Tokyo pass"]["currency"] == "JPY" and rows["Tokyo pass"]["member_price"] == 1000  # 1000 JPY
    listed = visible_text((await client.get(page)).text)
    assert "Members: $19.99" in listed and "Non-members: $49.00" in listed and "Members: ¥1,000" in listed


async def test_early_bird_sales_window_member_only_and_quantity(client) -> None:
    event_id, staff = await conference(client)
    await sign_in(client, staff)
    page = f"/staff/events/{event_id}/tickets"
    response = await send(
        client,
        page,
        page,
        **TICKET,
        early_member_price="9.50",
        early_bird_until=f"{YEAR}-03-01T23:59",
        sales_start=f"{YEAR}-01-15T09:00",
        sales_end=f"{YEAR}-04-19T08:00",
        member_only="on",
        quantity="25",
    )
    assert response.status_code == 303, response.text
    row = await TicketType.select().first()
    assert row["early_member_price"] == 950 and row["early_non_member_price"] is None
    # 23:59 on 1 March in Chicago is 05:59 UTC the next day (CST, UTC-6).
    assert row["early_bird_until"] == datetime(YEAR, 3, 2, 5, 59, tzinfo=UTC)
    assert row["sales_start"] == datetime(YEAR, 1, 15, 15, tzinfo=UTC)
    assert row["member_only"] is True and row["quantity"] == 25
    listed = visible_text((await client.get(page)).text)
    assert f"Early bird until {display.day_label(date(YEAR, 3, 1))}, 23:59 CST" in listed
    assert "Members: $9.50" in listed and "25 places, 25 left" in listed


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"member_price": "19.999"}, "USD amounts have at most 2 decimal places"),
        ({"member_price": "-5"}, "The member price cannot be negative."),
        ({"guest_price": "-0.01"}, "The guest price cannot be negative."),
        ({"currency": "JPY", "member_price": "1000.5"}, "JPY amounts have no decimals"),
        ({"member_price": "$19.99"}, "plain number such as 19.99"),
        ({"member_price": "1,000"}, "plain number"),
        ({"member_price": "1e3"}, "plain number"),
        ({"member_price": ""}, "Give the member price"),
        ({"member_price": "99999999999"}, "above the most a ticket may cost"),
        ({"currency": "usdollars"}, "Unknown currency"),
        ({"name": "  "}, "Give the ticket type a name."),
        ({"early_member_price": "9"}, "Give the date and time early-bird prices end."),
        ({"early_member_price": "29", "early_bird_until": f"{YEAR}-03-01T12:00"}, "cannot be higher"),
        (
            {"early_member_price": "9", "early_bird_until": f"{YEAR}-05-01T12:00"},
            "no later than the event starts",
        ),
        ({"sales_start": f"{YEAR}-03-01T12:00", "sales_end": f"{YEAR}-02-01T12:00"}, "Sales must end after"),
        ({"sales_start": "GAP"}, "does not exist in this time zone"),
        ({"quantity": "0"}, "Quantity is a whole number"),
    ],
    ids=lambda v: "-".join(f"{k}={w}" for k, w in v.items()) if isinstance(v, dict) else v[:20],
)
async def test_bad_ticket_types_show_the_form_again_and_write_nothing(client, change, message) -> None:
    event_id, staff = await conference(client)
    await sign_in(client, staff)
    page = f"/staff/events/{event_id}/tickets"
    before = await snapshot()
    filled = {k: gap_time() if v == "GAP" else v for k, v in change.items()}
    response = await send(client, page, page, **{**TICKET, "description": "Typed words", **filled})
    assert response.status_code == 400, response.text
    assert message in alert(response.text)
    assert "Typed words" in response.text
    assert await snapshot() == before


async def test_deactivating_stops_selling_a_type(client) -> None:
    event_id, staff = await conference(client)
    await sign_in(client, staff)
    page = f"/staff/events/{event_id}/tickets"
    await send(client, page, page, **TICKET)
    ticket = await TicketType.select().first()
    response = await send(client, page, f"/staff/ticket-types/{ticket['id']}/deactivate")
    assert response.status_code == 303 and response.headers["location"] == f"{page}?done=deactivated"
    assert (await TicketType.select(TicketType.active).first())["active"] is False
    listed = await client.get(page)
    assert "Not on sale" in listed.text
    assert f'action="/staff/ticket-types/{ticket["id"]}/deactivate"' not in listed.text
