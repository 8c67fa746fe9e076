"""The site navigation shows links by role."""

from __future__ import annotations

from accounts.principal import Role
from tests.builders.clients import sign_in
from tests.builders.people import make_actor, make_staff


async def test_nav_shows_my_registrations_and_staff_links_by_role(client) -> None:
    anonymous = await client.get("/events")
    assert 'href="/events" aria-current="page"' in anonymous.text
    assert 'href="/registrations"' not in anonymous.text and 'href="/staff/events"' not in anonymous.text
    await sign_in(client, await make_actor(Role.MEMBER))
    member = await client.get("/")
    assert 'href="/registrations"' in member.text and 'href="/staff/events"' not in member.text
    await sign_in(client, await make_staff())
    assert 'href="/staff/events"' in (await client.get("/")).text
