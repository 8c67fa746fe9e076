"""A site without Stripe keys (the demo default): paid places are refused in words and leave no trace,
free places still work, through the API, the group booking and the event page."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace

import httpx
import pytest
from asgi_lifespan import LifespanManager

from accounts.principal import Role
from accounts.tables import Organization, OrganizationMember
from events.tables import Registration, RegistrationChange
from grandrounds.server.app import create_app
from grandrounds.settings import get_settings
from notifications.tables import OutboxMessage
from tests.builders.clients import sign_in
from tests.builders.events import add_ticket, create_event
from tests.builders.pages import submit, visible_text
from tests.builders.people import make_actor, make_staff

PAID = {"name": "Paid day", "member_price": 1999, "non_member_price": 2999, "guest_price": 2999}


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    """An app built the way the demo runs: no STRIPE_SECRET_KEY."""
    unconfigured = create_app(replace(get_settings(), stripe_secret_key="", stripe_api_base=""))
    async with LifespanManager(unconfigured):
        transport = httpx.ASGITransport(app=unconfigured)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver.local") as http:
            yield http


async def nothing_stored() -> None:
    assert await Registration.count() == 0
    assert await RegistrationChange.count() == 0
    assert await OutboxMessage.count() == 0


@pytest.mark.parametrize("role", [Role.GUEST, Role.MEMBER])
async def test_a_paid_place_is_refused_with_a_stable_code_and_nothing_is_stored(client, role: Role) -> None:
    staff = await make_staff()
    event_id = await create_event(client, staff, capacity=1)
    await add_ticket(client, staff, event_id, **PAID)
    person = await make_actor(role)
    response = await client.post(f"/api/v1/events/{event_id}/registrations", headers=person.headers)
    assert response.status_code == 409, response.text
    body = response.json()
    assert body["code"] == "billing.not_configured"
    assert "payment is not set up" in body["message"].lower()
    await nothing_stored()


async def test_a_full_event_does_not_line_up_someone_who_would_have_to_pay(client) -> None:
    """Joining the line would end in an offer nobody can pay for: refused like a seat."""
    staff = await make_staff()
    event_id = await create_event(client, staff, capacity=1)
    await add_ticket(client, staff, event_id, name="Members free", member_price=0, non_member_price=2500,
                     guest_price=2500)  # fmt: skip
    member, guest = await make_actor(Role.MEMBER), await make_actor(Role.GUEST)
    seated = await client.post(f"/api/v1/events/{event_id}/registrations", headers=member.headers)
    assert seated.status_code == 201 and seated.json()["status"] == "confirmed"
    refused = await client.post(f"/api/v1/events/{event_id}/registrations", headers=guest.headers)
    assert refused.status_code == 409 and refused.json()["code"] == "billing.not_configured"
    assert await Registration.count() == 1
    assert await Registration.count().where(Registration.person == guest.id) == 0


async def test_free_places_still_work(client) -> None:
    staff = await make_staff()
    event_id = await create_event(client, staff)
    await add_ticket(client, staff, event_id, name="Free pass")
    person = await make_actor(Role.GUEST)
    response = await client.post(f"/api/v1/events/{event_id}/registrations", headers=person.headers)
    assert response.status_code == 201, response.text
    assert response.json()["status"] == "confirmed" and response.json()["amount"] == 0


async def test_a_group_booking_with_a_paying_colleague_stores_nobody(client) -> None:
    staff = await make_staff()
    event_id = await create_event(client, staff)
    ticket = await add_ticket(client, staff, event_id, **PAID)
    leader, colleague = await make_actor(Role.MEMBER), await make_actor(Role.MEMBER)
    org = await Organization.insert(Organization(name="Riverside Health", leader=leader.id)).returning(
        Organization.id
    )
    await OrganizationMember.insert(
        OrganizationMember(organization=org[0]["id"], person=leader.id),
        OrganizationMember(organization=org[0]["id"], person=colleague.id),
    )
    response = await client.post(
        f"/api/v1/events/{event_id}/registrations/colleagues",
        json={"person_ids": [leader.id, colleague.id], "ticket_type_id": ticket},
        headers=leader.headers,
    )
    assert response.status_code == 409, response.text
    assert response.json()["code"] == "billing.not_configured"
    await nothing_stored()


async def test_the_event_page_explains_and_stores_nothing(client) -> None:
    staff = await make_staff()
    event_id = await create_event(client, staff)
    await add_ticket(client, staff, event_id, **PAID)
    person = await make_actor(Role.GUEST)
    await sign_in(client, person)
    page = await client.get(f"/events/{event_id}")
    assert "Online payment is not set up on this site yet" in visible_text(page.text)  # said up front
    response = await submit(client, f"/events/{event_id}", f"/events/{event_id}/register")
    assert response.status_code == 409
    text = visible_text(response.text)
    assert "Online payment is not set up on this site yet" in text
    assert "Free tickets still work" in text
    await nothing_stored()


async def test_a_free_ticket_beside_a_paid_one_is_not_marked(client) -> None:
    staff = await make_staff()
    event_id = await create_event(client, staff)
    await add_ticket(client, staff, event_id, **PAID)
    await add_ticket(client, staff, event_id, name="Free stream")
    page = visible_text((await client.get(f"/events/{event_id}")).text)
    assert page.count("Online payment is not set up on this site yet") == 1
