"""Claiming a listing, and a verified contact's edits: still moderated before anything is published."""

from __future__ import annotations

import httpx

from accounts.principal import Role
from accounts.tables import Person
from directory.tables import Claim, Listing, Submission
from grandrounds.db import now
from notifications.tables import OutboxMessage
from tests.builders.directory import API, approve, org, publish
from tests.builders.people import Actor, make_actor, make_staff


async def _verified(email: str) -> Actor:
    actor = await make_actor(Role.GUEST, email=email)
    await Person.update({Person.email_verified_at: now()}).where(Person.id == actor.id)
    return actor


def _edit(**changes: object) -> dict[str, object]:
    body = {k: v for k, v in org().items() if k not in ("note", "contact_email", "contact_name")}
    body.update(changes)
    return body


async def test_a_verified_address_at_the_sites_domain_claims_at_once(client: httpx.AsyncClient) -> None:
    staff = await make_staff()
    listing_id = await publish(client, staff)
    contact = await _verified("comms@news.lakeside-childrens.example.org")
    response = await client.post(f"{API}/listings/{listing_id}/claim", headers=contact.headers)
    assert response.status_code == 200 and response.json() == {"status": "approved"}
    assert (await client.get(f"{API}/listings/{listing_id}")).json()["has_verified_contact"] is True
    again = await client.post(f"{API}/listings/{listing_id}/claim", headers=contact.headers)
    assert again.status_code == 409 and again.json()["code"] == "directory.already_contact"
    other = await _verified("someone@lakeside-childrens.example.org")
    taken = await client.post(f"{API}/listings/{listing_id}/claim", headers=other.headers)
    assert taken.status_code == 409 and taken.json()["code"] == "directory.already_claimed"


async def test_an_unverified_or_foreign_address_waits_for_staff(client: httpx.AsyncClient) -> None:
    staff = await make_staff()
    listing_id = await publish(client, staff)
    unverified = await make_actor(Role.GUEST, email="web@lakeside-childrens.example.org")
    await Person.update({Person.email_verified_at: None}).where(Person.id == unverified.id)
    foreign = await _verified("agency@gmail.example.com")
    for actor in (unverified, foreign):
        response = await client.post(f"{API}/listings/{listing_id}/claim", headers=actor.headers)
        assert response.status_code == 200 and response.json() == {"status": "pending"}
    dup = await client.post(f"{API}/listings/{listing_id}/claim", headers=foreign.headers)
    assert dup.status_code == 409 and dup.json()["code"] == "directory.claim_pending"
    assert (await client.get(f"{API}/listings/{listing_id}")).json()["has_verified_contact"] is False

    waiting = (await client.get(f"{API}/claims", headers=staff.headers)).json()
    assert {c["person_email"] for c in waiting} == {unverified.email, foreign.email}
    chosen = next(c for c in waiting if c["person_email"] == foreign.email)
    other = next(c for c in waiting if c["person_email"] == unverified.email)
    ok = await client.post(f"{API}/claims/{chosen['id']}/approve", headers=staff.headers)
    assert ok.status_code == 200 and ok.json()["status"] == "approved"
    row = await Listing.select(Listing.contact).where(Listing.id == listing_id).first()
    assert row is not None and row["contact"] == foreign.id
    late = await client.post(f"{API}/claims/{other['id']}/approve", headers=staff.headers)
    assert late.status_code == 409 and late.json()["code"] == "directory.already_claimed"
    still = await Claim.select(Claim.status).where(Claim.id == other["id"]).first()
    assert still is not None and still["status"] == "pending"  # the refused approval left nothing behind
    mail = await OutboxMessage.select(OutboxMessage.recipient, OutboxMessage.template).where(
        OutboxMessage.template == "directory_claim_decided"
    )
    assert mail == [{"recipient": foreign.email, "template": "directory_claim_decided"}]

    refused = await client.post(
        f"{API}/claims/{other['id']}/reject", json={"reason": "Use your work address."}, headers=staff.headers
    )
    assert refused.status_code == 200 and refused.json()["status"] == "rejected"
    told = (
        await OutboxMessage.select()
        .where(OutboxMessage.recipient == unverified.email)
        .first()
        .output(load_json=True)
    )
    assert told is not None and told["context"]["approved"] is False
    assert told["context"]["reason"] == "Use your work address."


async def test_claiming_needs_a_sign_in(client: httpx.AsyncClient) -> None:
    staff = await make_staff()
    listing_id = await publish(client, staff)
    response = await client.post(f"{API}/listings/{listing_id}/claim")
    assert response.status_code == 401 and response.json()["code"] == "auth.required"
    missing = await client.post(f"{API}/listings/{listing_id + 999}/claim", headers=staff.headers)
    assert missing.status_code == 404 and missing.json()["code"] == "directory.listing_not_found"


async def test_a_claimed_listings_edit_waits_for_moderation(client: httpx.AsyncClient) -> None:
    staff = await make_staff()
    listing_id = await publish(client, staff)
    contact = await _verified("comms@lakeside-childrens.example.org")
    assert (
        await client.post(f"{API}/listings/{listing_id}/claim", headers=contact.headers)
    ).status_code == 200

    edit = _edit(name="Lakeside Children's Health", accounts={"x": "https://x.com/lakesidekids"})
    sent = await client.post(f"{API}/listings/{listing_id}/corrections", json=edit, headers=contact.headers)
    assert sent.status_code == 201 and sent.json()["status"] == "pending"

    # Nothing public changes until a moderator approves.
    public = (await client.get(f"{API}/listings/{listing_id}")).json()
    assert public["name"] == "Lakeside Children's Hospital" and len(public["accounts"]) == 2
    assert (
        "Lakeside Children&#39;s Health<" not in (await client.get(f"/social-media-list/{listing_id}")).text
    )
    queued = (await client.get(f"{API}/submissions", headers=staff.headers)).json()
    assert [(q["kind"], q["by_contact"], q["listing_id"]) for q in queued] == [
        ("correction", True, listing_id)
    ]

    await approve(client, staff, queued[0]["id"])
    public = (await client.get(f"{API}/listings/{listing_id}")).json()
    assert public["name"] == "Lakeside Children's Health"
    assert [a["platform"] for a in public["accounts"]] == ["x"]
    changes = (await client.get(f"{API}/changes")).json()["items"]
    assert [c["kind"] for c in changes] == ["corrected", "added"]
    assert sorted(changes[0]["fields"]) == ["linkedin", "name"]
    assert changes[0]["approved_by"] == staff.email.split("@")[0].title()


async def test_anyone_may_suggest_a_correction_but_not_a_non_change(client: httpx.AsyncClient) -> None:
    staff = await make_staff()
    listing_id = await publish(client, staff)
    same = await client.post(
        f"{API}/listings/{listing_id}/corrections", json=_edit(contact_email="a@example.org")
    )
    assert same.status_code == 400 and same.json()["code"] == "directory.no_change"
    sent = await client.post(
        f"{API}/listings/{listing_id}/corrections", json=_edit(city="Superior", contact_email="a@example.org")
    )
    assert sent.status_code == 201
    row = await Submission.select(Submission.by_contact).where(Submission.id == sent.json()["id"]).first()
    assert row is not None and row["by_contact"] is False
    missing = await client.post(f"{API}/listings/{listing_id + 99}/corrections", json=_edit())
    assert missing.status_code == 404
