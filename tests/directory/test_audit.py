"""Moderators' decisions leave one audit row each: submissions approved or rejected, claims decided."""

from __future__ import annotations

import httpx

from accounts.principal import Role
from accounts.tables import Person
from grandrounds.db import now
from tests.builders.audit import audit_rows
from tests.builders.clients import csrf_from, sign_in
from tests.builders.directory import API, approve, org, publish, submit
from tests.builders.people import make_actor, make_staff


async def test_approving_a_new_listing_and_a_correction(client: httpx.AsyncClient) -> None:
    staff = await make_staff()
    submitter = await make_actor(Role.GUEST)
    first = await submit(client, headers=submitter.headers)
    listing_id = int((await approve(client, staff, first))["listing_id"])
    [added] = await audit_rows("directory.submission.approve")
    assert (added["object_kind"], added["object_id"]) == ("directory_submission", str(first))
    assert added["actor_id"] == staff.id and added["subject_id"] == submitter.id
    assert added["changes"]["status"] == ["pending", "approved"]
    assert added["changes"]["name"] == [None, "Lakeside Children's Hospital"]
    assert added["changes"]["listing_id"] == listing_id and added["changes"]["kind"] == "new"
    assert all(value[1] for value in added["changes"].values() if isinstance(value, list))

    correction = await client.post(f"{API}/listings/{listing_id}/corrections", json=org(city="Two Harbors"))
    assert correction.status_code == 201
    await approve(client, staff, int(correction.json()["id"]))
    _, corrected = await audit_rows("directory.submission.approve")
    assert corrected["subject_id"] is None, "an anonymous sender is no one's personal data"
    assert corrected["changes"] == {
        "status": ["pending", "approved"],
        "city": ["Duluth", "Two Harbors"],
        "listing_id": listing_id,
        "kind": "correction",
        "edited": False,
    }

    twice = await client.post(f"{API}/submissions/{first}/approve", json={}, headers=staff.headers)
    assert twice.status_code == 409
    assert len(await audit_rows("directory.submission.approve")) == 2


async def test_rejecting_a_submission_records_the_reason(client: httpx.AsyncClient) -> None:
    staff = await make_staff()
    submission_id = await submit(client)
    blank = await client.post(
        f"{API}/submissions/{submission_id}/reject", json={"reason": " "}, headers=staff.headers
    )
    assert blank.status_code == 400
    rejected = await client.post(
        f"{API}/submissions/{submission_id}/reject",
        json={"reason": "Not a health care body."},
        headers=staff.headers,
    )
    assert rejected.status_code == 200
    [row] = await audit_rows("directory.submission.reject")
    assert row["changes"]["status"] == ["pending", "rejected"]
    assert row["changes"]["reason"] == "Not a health care body."


async def test_claims_decided_through_the_api_and_the_page(client: httpx.AsyncClient) -> None:
    staff = await make_staff()
    listing_id = await publish(client, staff)
    claimants = []
    for email in ("agency@gmail.example.com", "intern@elsewhere.example.net"):
        person = await make_actor(Role.GUEST, email=email)
        await Person.update({Person.email_verified_at: now()}).where(Person.id == person.id)
        claimed = await client.post(f"{API}/listings/{listing_id}/claim", headers=person.headers)
        assert claimed.json() == {"status": "pending"}
        claimants.append(person)
    assert await audit_rows("directory.claim.approve") == [], "claiming is the claimant's act, not staff's"
    waiting = {
        c["person_email"]: c["id"] for c in (await client.get(f"{API}/claims", headers=staff.headers)).json()
    }

    refused = await client.post(
        f"{API}/claims/{waiting[claimants[1].email]}/reject",
        json={"reason": "Not theirs."},
        headers=staff.headers,
    )
    assert refused.status_code == 200
    await sign_in(client, staff)
    token = csrf_from((await client.get("/staff/social-media-list/")).text)
    approved = await client.post(
        f"/staff/social-media-list/claims/{waiting[claimants[0].email]}/approve", data={"_csrf_token": token}
    )
    assert approved.status_code in (302, 303)
    [rejection] = await audit_rows("directory.claim.reject")
    assert rejection["subject_id"] == claimants[1].id
    assert rejection["changes"] == {
        "status": ["pending", "rejected"],
        "listing_id": listing_id,
        "reason": "Not theirs.",
    }
    [approval] = await audit_rows("directory.claim.approve")
    assert approval["subject_id"] == claimants[0].id and approval["actor_id"] == staff.id
    assert approval["changes"] == {
        "status": ["pending", "approved"],
        "listing_contact": [None, claimants[0].id],
        "listing_id": listing_id,
    }


async def test_the_moderation_pages_approve_and_reject(client: httpx.AsyncClient) -> None:
    staff = await make_staff()
    keep, drop = (
        await submit(client),
        await submit(client, org(name="Spam Clinic", website="https://spam.example")),
    )
    await sign_in(client, staff)
    token = csrf_from((await client.get(f"/staff/social-media-list/submissions/{keep}")).text)
    fields = {k: v for k, v in org().items() if isinstance(v, str)}
    fields.update({"account_x": org()["accounts"]["x"], "_csrf_token": token, "name": "Lakeside Kids"})
    approved = await client.post(f"/staff/social-media-list/submissions/{keep}/approve", data=fields)
    assert approved.status_code in (302, 303), approved.text
    rejected = await client.post(
        f"/staff/social-media-list/submissions/{drop}/reject", data={"_csrf_token": token, "reason": "Spam."}
    )
    assert rejected.status_code in (302, 303)
    [approval] = await audit_rows("directory.submission.approve")
    assert approval["changes"]["name"] == [None, "Lakeside Kids"] and approval["changes"]["edited"] is True
    [rejection] = await audit_rows("directory.submission.reject")
    assert rejection["object_id"] == str(drop)
