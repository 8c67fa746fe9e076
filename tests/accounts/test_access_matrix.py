"""Who may call what: every route against every role, 401 without credentials, 403 with the wrong role."""

from __future__ import annotations

from typing import Any

import pytest

from accounts.principal import Role
from tests.builders.accounts import queued_context
from tests.builders.people import Actor, make_actor

ANON = "anonymous"
EVERYONE = ["guest", "member", "speaker", "finance", "program_staff", "admin"]
ALL_SIGNED_IN = set(EVERYONE)
ADMIN_ONLY = {"admin"}


async def _actors() -> dict[str, Actor]:
    actors = {name: await make_actor(Role(name)) for name in EVERYONE}
    actors["other"] = await make_actor(Role.GUEST)
    return actors


def _routes(a: dict[str, Actor]) -> list[tuple[str, str, Any, set[str]]]:
    other = a["other"].id
    return [
        ("GET", "/api/v1/me/", None, ALL_SIGNED_IN),
        ("PATCH", "/api/v1/me/", {"name": "New Name"}, ALL_SIGNED_IN),
        ("GET", "/api/v1/me/tokens", None, ALL_SIGNED_IN),
        ("POST", "/api/v1/me/tokens", {"name": "cli"}, ALL_SIGNED_IN),
        ("GET", "/api/v1/people/", None, ADMIN_ONLY),
        ("GET", f"/api/v1/people/{other}", None, ADMIN_ONLY),
        ("POST", f"/api/v1/people/{other}/roles", {"role": "speaker"}, ADMIN_ONLY),
        ("DELETE", f"/api/v1/people/{other}/roles/speaker", None, ADMIN_ONLY),
        ("GET", "/api/v1/organizations/", None, ALL_SIGNED_IN),
        ("POST", "/api/v1/organizations/", {"name": "Org"}, ADMIN_ONLY),
        ("POST", "/api/v1/auth/signout", None, ALL_SIGNED_IN),
    ]


ROLES = [ANON, *EVERYONE]


@pytest.mark.parametrize("role", ROLES)
async def test_access_matrix(client, role: str) -> None:
    actors = await _actors()
    for method, path, body, allowed in _routes(actors):
        headers = {} if role == ANON else actors[role].headers
        # A fresh org name each time so admin's create does not collide.
        payload = (
            {"name": f"Org {role} {path}"} if path == "/api/v1/organizations/" and method == "POST" else body
        )
        response = await client.request(method, path, json=payload, headers=headers)
        if role == ANON:
            expected = 401
        elif role in allowed:
            expected = None
        else:
            expected = 403
        if expected is None:
            assert response.status_code < 400, (role, method, path, response.text)
        else:
            assert response.status_code == expected, (role, method, path, response.text)
            code = response.json()["code"]
            assert code == ("auth.required" if expected == 401 else "auth.forbidden"), (role, path, code)


async def test_a_person_sees_only_their_own_record(client) -> None:
    me, other = await make_actor(Role.MEMBER), await make_actor(Role.MEMBER)
    own = await client.get(f"/api/v1/people/{me.id}", headers=me.headers)
    assert own.status_code == 200 and own.json()["email"] == me.email
    theirs = await client.get(f"/api/v1/people/{other.id}", headers=me.headers)
    assert theirs.status_code == 403


async def test_organization_is_visible_to_its_people_and_managed_by_its_leader(client) -> None:
    admin = await make_actor(Role.ADMIN)
    leader, colleague, outsider = (
        await make_actor(Role.MEMBER),
        await make_actor(Role.MEMBER),
        await make_actor(Role.MEMBER),
    )
    created = await client.post(
        "/api/v1/organizations/", json={"name": "Riverside", "leader_id": leader.id}, headers=admin.headers
    )
    assert created.status_code == 201, created.text
    org_id = created.json()["id"]

    # The leader invites by email; the colleague joins by accepting the emailed link.
    invited = await client.post(
        f"/api/v1/organizations/{org_id}/invitations", json={"email": colleague.email}, headers=leader.headers
    )
    assert invited.status_code == 202, invited.text
    link = (await queued_context("organization_invitation", colleague.email))["accept_url"]
    added = await client.post(
        "/api/v1/organizations/invitations/accept",
        json={"token": link.rsplit("/", 1)[1]},
        headers=colleague.headers,
    )
    assert added.status_code == 200 and colleague.id in added.json()["member_ids"]

    denied = await client.post(
        f"/api/v1/organizations/{org_id}/invitations",
        json={"email": outsider.email},
        headers=colleague.headers,
    )
    assert denied.status_code == 403 and denied.json()["code"] == "organization.not_leader"

    assert (await client.get(f"/api/v1/organizations/{org_id}", headers=colleague.headers)).status_code == 200
    assert (await client.get(f"/api/v1/organizations/{org_id}", headers=outsider.headers)).status_code == 403
    listing = await client.get("/api/v1/organizations/", headers=outsider.headers)
    assert listing.json() == []

    duplicate = await client.post("/api/v1/organizations/", json={"name": "Riverside"}, headers=admin.headers)
    assert duplicate.status_code == 409 and duplicate.json()["code"] == "organization.name_taken"


async def test_role_grants_take_effect_and_unknown_roles_are_refused(client) -> None:
    admin, person = await make_actor(Role.ADMIN), await make_actor(Role.GUEST)
    assert (await client.get("/api/v1/people/", headers=person.headers)).status_code == 403
    granted = await client.post(
        f"/api/v1/people/{person.id}/roles", json={"role": "admin"}, headers=admin.headers
    )
    assert granted.status_code == 200 and "admin" in granted.json()["roles"]
    assert (await client.get("/api/v1/people/", headers=person.headers)).status_code == 200
    bad = await client.post(
        f"/api/v1/people/{person.id}/roles", json={"role": "overlord"}, headers=admin.headers
    )
    assert bad.status_code == 400 and bad.json()["code"] == "account.role_unknown"
    missing = await client.post("/api/v1/people/999999/roles", json={"role": "member"}, headers=admin.headers)
    assert missing.status_code == 404


async def test_people_list_pages_and_filters(client) -> None:
    admin = await make_actor(Role.ADMIN, email="admin@example.org")
    for i in range(5):
        await make_actor(Role.MEMBER, email=f"m{i}@example.org")
    page = await client.get("/api/v1/people/?limit=2&offset=1", headers=admin.headers)
    body = page.json()
    assert body["total"] == 6 and len(body["items"]) == 2 and body["offset"] == 1
    filtered = await client.get("/api/v1/people/?q=M3", headers=admin.headers)
    assert [p["email"] for p in filtered.json()["items"]] == ["m3@example.org"]
    assert (await client.get("/api/v1/people/?limit=0", headers=admin.headers)).status_code == 400
    assert (await client.get("/api/v1/people/?limit=abc", headers=admin.headers)).status_code == 400


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/events/99999999999999999999999",
        "/api/v1/people/99999999999999999999999",
        "/api/v1/cohorts/99999999999999999999999/",
        "/events/99999999999999999999999",
        "/api/v1/events/4294967296",
    ],
)
async def test_ids_too_large_for_the_database_are_a_4xx_not_a_500(client, path: str) -> None:
    from accounts.principal import Role
    from tests.builders.people import make_actor

    admin = await make_actor(Role.ADMIN)
    response = await client.get(path, headers=admin.headers)
    assert 400 <= response.status_code < 500, (path, response.status_code, response.text[:200])
