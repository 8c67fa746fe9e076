"""My registrations: status, place in line, offers, the join link only once confirmed, cancelling."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from accounts.principal import Role
from accounts.tables import Person
from events.pages import display
from events.tables import Registration
from tests.builders.clients import csrf_from, sign_in
from tests.builders.events import JOIN, add_ticket, create_event
from tests.builders.pages import register_api, submit, visible_text
from tests.builders.people import PASSWORD, Actor, make_actor, make_staff


async def _in_state(client, status: str) -> tuple[Actor, int, int]:
    """(me, event id, my registration id) with my registration in ``status``."""
    staff = await make_staff()
    capacity = 1 if status in ("waitlisted", "offered") else 5
    event_id = await create_event(client, staff, join_url=JOIN, capacity=capacity)
    me = await make_actor(Role.MEMBER)
    if status == "pending_payment":
        await add_ticket(
            client, staff, event_id, name="Paid", member_price=1999, non_member_price=2999, guest_price=2999
        )
    if status in ("waitlisted", "offered"):
        holder = await make_actor(Role.MEMBER)
        held = await register_api(client, holder, event_id)
    mine = await register_api(client, me, event_id)
    if status == "offered":
        cancelled = await client.post(f"/api/v1/registrations/{held['id']}/cancel", headers=holder.headers)
        assert cancelled.status_code == 200, cancelled.text
    reg = await Registration.select(Registration.status).where(Registration.id == mine["id"]).first()
    assert reg is not None and reg["status"] == status
    return me, event_id, int(mine["id"])


PAGES = ("/", "/events", "/events/{event}", "/registrations", "/account", "/registrations/{reg}/ticket")


@pytest.mark.parametrize("status", ["pending_payment", "waitlisted", "offered"])
async def test_join_link_appears_on_no_page_before_confirmation(client, status: str) -> None:
    me, event_id, reg_id = await _in_state(client, status)
    await sign_in(client, me)
    for path in PAGES:
        response = await client.get(path.format(event=event_id, reg=reg_id))
        assert response.status_code in (200, 403, 404, 409), (path, response.status_code)
        assert JOIN not in response.text, f"join link leaked on {path} to a {status} registrant"
        assert "secret-room" not in response.text


async def test_join_link_is_shown_to_a_confirmed_registrant_on_my_registrations_only(client) -> None:
    me, event_id, reg_id = await _in_state(client, "confirmed")
    await sign_in(client, me)
    mine = await client.get("/registrations")
    assert f'href="{JOIN}"' in mine.text and f'id="join-{reg_id}"' in mine.text
    assert JOIN not in (await client.get(f"/events/{event_id}")).text
    assert JOIN not in (await client.get("/events")).text
    await sign_in(client, await make_actor(Role.MEMBER))
    assert JOIN not in (await client.get("/registrations")).text


async def test_waitlisted_registrant_sees_their_place_in_line(client) -> None:
    staff = await make_staff()
    event_id = await create_event(client, staff, capacity=1)
    people = [await make_actor(Role.MEMBER) for _ in range(4)]
    regs = [await register_api(client, p, event_id) for p in people]
    await sign_in(client, people[2])
    html = visible_text((await client.get("/registrations")).text)
    assert "Waitlisted — you are number 2 in line." in html
    await sign_in(client, people[3])
    assert "you are number 3 in line" in visible_text((await client.get("/registrations")).text)
    assert regs[0]["status"] == "confirmed"


async def test_offer_shows_expiry_and_can_be_claimed(client) -> None:
    me, _, reg_id = await _in_state(client, "offered")
    await Person.update({Person.time_zone: "Asia/Tokyo"}).where(Person.id == me.id)
    await sign_in(client, me)
    html = (await client.get("/registrations")).text
    expires = (
        await Registration.select(Registration.offer_expires_at).where(Registration.id == reg_id).first()
    )
    assert expires is not None
    assert display.moment(expires["offer_expires_at"], "America/Chicago") in html
    assert f"(your time: {display.moment(expires['offer_expires_at'], 'Asia/Tokyo')})" in html
    assert f'action="/registrations/{reg_id}/claim"' in html
    assert f'action="/registrations/{reg_id}/decline"' in html
    claimed = await submit(client, "/registrations", f"/registrations/{reg_id}/claim")
    assert claimed.status_code == 303
    after = await client.get(claimed.headers["location"])
    assert "The seat is yours" in after.text and f'href="{JOIN}"' in after.text
    row = await Registration.select(Registration.status).where(Registration.id == reg_id).first()
    assert row == {"status": "confirmed"}


async def test_declining_an_offer_passes_it_on(client) -> None:
    me, _, reg_id = await _in_state(client, "offered")
    await sign_in(client, me)
    declined = await submit(client, "/registrations", f"/registrations/{reg_id}/decline")
    assert declined.status_code == 303
    row = await Registration.select(Registration.status).where(Registration.id == reg_id).first()
    assert row == {"status": "declined"}
    assert "Offer declined" in (await client.get("/registrations")).text


async def test_claiming_an_expired_offer_shows_why_and_changes_nothing(client) -> None:
    me, _, reg_id = await _in_state(client, "offered")
    await sign_in(client, me)
    page = await client.get("/registrations")
    past = datetime.now(UTC) - timedelta(minutes=1)
    await Registration.update({Registration.offer_expires_at: past}).where(Registration.id == reg_id)
    response = await client.post(f"/registrations/{reg_id}/claim", data={"_csrf_token": csrf_from(page.text)})
    assert response.status_code == 409 and "no open offer" in response.text
    row = await Registration.select(Registration.status).where(Registration.id == reg_id).first()
    assert row == {"status": "offered"}


async def test_cancel_asks_for_confirmation_then_cancels(client) -> None:
    me, _, reg_id = await _in_state(client, "confirmed")
    await sign_in(client, me)
    mine = await client.get("/registrations")
    assert f'href="/registrations/{reg_id}/cancel"' in mine.text
    confirm = await client.get(f"/registrations/{reg_id}/cancel")
    assert confirm.status_code == 200 and "Cancel your registration?" in confirm.text
    assert (await Registration.select(Registration.status).where(Registration.id == reg_id).first()) == {
        "status": "confirmed"
    }
    done = await submit(client, f"/registrations/{reg_id}/cancel", f"/registrations/{reg_id}/cancel")
    assert done.status_code == 303
    after = await client.get(done.headers["location"])
    assert "Your registration is cancelled." in after.text
    assert f'id="status-{reg_id}">Cancelled<' in after.text
    assert JOIN not in after.text


async def test_another_persons_registration_is_not_found_and_untouched(client) -> None:
    _, _, reg_id = await _in_state(client, "confirmed")
    await sign_in(client, await make_actor(Role.MEMBER))
    assert (await client.get(f"/registrations/{reg_id}/cancel")).status_code == 404
    page = await client.get("/registrations")
    for action in ("cancel", "claim", "decline"):
        response = await client.post(
            f"/registrations/{reg_id}/{action}", data={"_csrf_token": csrf_from(page.text)}
        )
        assert response.status_code == 404, action
    row = await Registration.select(Registration.status).where(Registration.id == reg_id).first()
    assert row == {"status": "confirmed"}


async def test_offer_emails_link_to_my_registrations_through_sign_in(client) -> None:
    me, _, _ = await _in_state(client, "offered")
    client.cookies.clear()
    anonymous = await client.get("/registrations")
    assert anonymous.status_code in (302, 303)
    assert anonymous.headers["location"] == "/signin?next=/registrations"
    form = await client.get(anonymous.headers["location"])
    assert 'name="next" value="/registrations"' in form.text
    signed = await client.post(
        "/signin",
        data={
            "email": me.email,
            "password": PASSWORD,
            "next": "/registrations",
            "_csrf_token": csrf_from(form.text),
        },
    )
    assert signed.headers["location"] == "/registrations"
    assert "Seat offered" in (await client.get("/registrations")).text
