"""Leaders invite colleagues by email; only people who accepted join (pentest finding 1).

A leader used to add any account by id (``{"person_id": 1}``) and then read its
name and email: with sequential ids and ``account.not_found`` that read out every
account. Now a leader sends an invitation to an address, the answer is the same
whether or not the address has an account, and the person joins only by following
the secret link while signed in.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta

import httpx

from accounts.principal import Role
from accounts.tables import OrganizationMember
from grandrounds.db import now
from notifications.tables import OutboxMessage
from tests.builders.accounts import queued_context
from tests.builders.clients import csrf_from, sign_in
from tests.builders.people import PASSWORD, Actor, make_actor
from tests.builders.queries import counting_queries

API = "/api/v1/organizations"


async def _organization(client: httpx.AsyncClient) -> tuple[Actor, Actor, int]:
    admin, leader = await make_actor(Role.ADMIN), await make_actor(Role.GUEST)
    created = await client.post(
        f"{API}/", json={"name": "Riverside", "leader_id": leader.id}, headers=admin.headers
    )
    assert created.status_code == 201, created.text
    return admin, leader, int(created.json()["id"])


async def _token_sent_to(email: str) -> str:
    return str((await queued_context("organization_invitation", email))["accept_url"]).rsplit("/", 1)[1]


async def test_a_leader_can_no_longer_add_an_account_by_its_id(client: httpx.AsyncClient) -> None:
    _, leader, org_id = await _organization(client)
    stranger = await make_actor(Role.MEMBER)
    added = await client.post(
        f"{API}/{org_id}/members", json={"person_id": stranger.id}, headers=leader.headers
    )
    assert added.status_code == 403, added.text
    unknown = await client.post(
        f"{API}/{org_id}/members", json={"person_id": 999_999}, headers=leader.headers
    )
    assert unknown.status_code == 403 and unknown.json()["code"] == added.json()["code"]
    assert not await OrganizationMember.exists().where(OrganizationMember.person == stranger.id)


async def test_known_and_unknown_addresses_get_the_same_answer_and_the_same_work(
    client: httpx.AsyncClient,
) -> None:
    _, leader, org_id = await _organization(client)
    known = await make_actor(Role.MEMBER, email="known.colleague@example.org")
    # The leader's token is stamped as used on its first call: make that call outside the count.
    assert (await client.get(f"{API}/{org_id}", headers=leader.headers)).status_code == 200
    with counting_queries() as known_queries:
        to_known = await client.post(
            f"{API}/{org_id}/invitations", json={"email": known.email.upper()}, headers=leader.headers
        )
    with counting_queries() as unknown_queries:
        to_unknown = await client.post(
            f"{API}/{org_id}/invitations", json={"email": "nobody.yet@example.org"}, headers=leader.headers
        )
    assert to_known.status_code == to_unknown.status_code == 202, (to_known.text, to_unknown.text)
    assert to_known.json() == to_unknown.json()
    assert to_known.content == to_unknown.content
    assert known_queries.count == unknown_queries.count, (
        known_queries.statements,
        unknown_queries.statements,
    )
    # One mail each, through the outbox, whether or not an account uses the address.
    mails = await OutboxMessage.select(OutboxMessage.recipient, OutboxMessage.person).where(
        OutboxMessage.template == "organization_invitation"
    )
    assert sorted(m["recipient"] for m in mails) == ["known.colleague@example.org", "nobody.yet@example.org"]
    # Nobody joined yet: the leader still sees only themselves.
    org = await client.get(f"{API}/{org_id}", headers=leader.headers)
    assert org.json()["member_ids"] == [leader.id]


async def test_the_invited_person_joins_by_accepting_signed_in(client: httpx.AsyncClient) -> None:
    _, leader, org_id = await _organization(client)
    colleague = await make_actor(Role.MEMBER)
    await client.post(f"{API}/{org_id}/invitations", json={"email": colleague.email}, headers=leader.headers)
    token = await _token_sent_to(colleague.email)
    from accounts.tables import OrganizationInvitation

    # Only the token's SHA-256 is kept.
    stored = await OrganizationInvitation.select(OrganizationInvitation.token_hash).first()
    assert stored is not None and stored["token_hash"] == hashlib.sha256(token.encode()).hexdigest()

    anonymous = await client.post(f"{API}/invitations/accept", json={"token": token})
    assert anonymous.status_code == 401
    accepted = await client.post(
        f"{API}/invitations/accept", json={"token": token}, headers=colleague.headers
    )
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["member_ids"] == sorted([leader.id, colleague.id])
    again = await client.post(f"{API}/invitations/accept", json={"token": token}, headers=colleague.headers)
    assert again.status_code == 404 and again.json()["code"] == "organization.invitation_invalid"
    # The leader now sees the colleague, who consented.
    org = await client.get(f"{API}/{org_id}", headers=leader.headers)
    assert colleague.id in org.json()["member_ids"]


async def test_an_address_without_an_account_accepts_after_signing_up(client: httpx.AsyncClient) -> None:
    _, leader, org_id = await _organization(client)
    await client.post(
        f"{API}/{org_id}/invitations", json={"email": "new.hire@example.org"}, headers=leader.headers
    )
    token = await _token_sent_to("new.hire@example.org")

    page = await client.get(f"/organizations/invitations/{token}")
    assert page.status_code == 200 and "Riverside" in page.text
    assert page.headers["referrer-policy"] == "no-referrer"
    assert "/signup" in page.text and "/signin?next=" in page.text

    signed_up = await client.post(
        "/api/v1/auth/signup",
        json={"email": "new.hire@example.org", "password": PASSWORD, "name": "New Hire"},
    )
    assert signed_up.status_code == 201, signed_up.text
    await sign_in(client, "new.hire@example.org")
    page = await client.get(f"/organizations/invitations/{token}")
    assert page.status_code == 200 and "Join Riverside" in page.text
    joined = await client.post(
        f"/organizations/invitations/{token}", data={"_csrf_token": csrf_from(page.text)}
    )
    assert joined.status_code in (302, 303), joined.text
    assert await OrganizationMember.exists().where(
        (OrganizationMember.organization == org_id) & (OrganizationMember.person == signed_up.json()["id"])
    )


async def test_links_expire_after_fourteen_days(client: httpx.AsyncClient) -> None:
    _, leader, org_id = await _organization(client)
    colleague = await make_actor(Role.MEMBER)
    await client.post(f"{API}/{org_id}/invitations", json={"email": colleague.email}, headers=leader.headers)
    token = await _token_sent_to(colleague.email)
    from accounts.tables import OrganizationInvitation

    row = await OrganizationInvitation.select(
        OrganizationInvitation.created_at, OrganizationInvitation.expires_at
    ).first()
    assert row is not None and row["expires_at"] - row["created_at"] == timedelta(days=14)
    await OrganizationInvitation.update(
        {OrganizationInvitation.expires_at: now() - timedelta(seconds=1)}
    ).where(OrganizationInvitation.id > 0)
    late = await client.post(f"{API}/invitations/accept", json={"token": token}, headers=colleague.headers)
    assert late.status_code == 404 and late.json()["code"] == "organization.invitation_invalid"
    assert (await client.get(f"/organizations/invitations/{token}")).status_code == 404
    assert not await OrganizationMember.exists().where(OrganizationMember.person == colleague.id)


async def test_only_the_leader_or_an_admin_invites_and_admins_still_add_by_id(
    client: httpx.AsyncClient,
) -> None:
    admin, leader, org_id = await _organization(client)
    outsider, colleague = await make_actor(Role.MEMBER), await make_actor(Role.MEMBER)
    refused = await client.post(
        f"{API}/{org_id}/invitations", json={"email": "x@example.org"}, headers=outsider.headers
    )
    assert refused.status_code == 403 and refused.json()["code"] == "organization.not_leader"
    bad = await client.post(
        f"{API}/{org_id}/invitations", json={"email": "not-an-address"}, headers=leader.headers
    )
    assert bad.status_code == 400 and bad.json()["code"] == "account.email_invalid"
    by_admin = await client.post(
        f"{API}/{org_id}/invitations", json={"email": "y@example.org"}, headers=admin.headers
    )
    assert by_admin.status_code == 202

    added = await client.post(
        f"{API}/{org_id}/members", json={"person_id": colleague.id}, headers=admin.headers
    )
    assert added.status_code == 200 and colleague.id in added.json()["member_ids"]
    missing = await client.post(f"{API}/{org_id}/members", json={"person_id": 999_999}, headers=admin.headers)
    assert missing.status_code == 404 and missing.json()["code"] == "account.not_found"
    removed = await client.delete(f"{API}/{org_id}/members/{colleague.id}", headers=leader.headers)
    assert removed.status_code == 200 and colleague.id not in removed.json()["member_ids"]


async def test_a_leader_invites_from_the_organization_page(client: httpx.AsyncClient) -> None:
    _, leader, org_id = await _organization(client)
    await sign_in(client, leader)
    page = await client.get(f"/organizations/{org_id}/membership")
    assert page.status_code == 200 and 'id="invite-colleague"' in page.text
    sent = await client.post(
        f"/organizations/{org_id}/invitations",
        data={"email": "page.invite@example.org", "_csrf_token": csrf_from(page.text)},
    )
    assert sent.status_code in (302, 303), sent.text
    assert sent.headers["location"] == f"/organizations/{org_id}/membership?done=invited"
    assert await _token_sent_to("page.invite@example.org")
