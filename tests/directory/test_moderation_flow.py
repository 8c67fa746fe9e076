"""A submission is invisible until approved; the change log then shows who approved it, by name."""

from __future__ import annotations

import httpx

from accounts.principal import Role
from directory.tables import Listing, Submission
from notifications.tables import OutboxMessage
from tests.builders.directory import API, approve, org, submit
from tests.builders.people import make_actor, make_staff


async def test_pending_submission_is_invisible_then_published_with_approver(
    client: httpx.AsyncClient,
) -> None:
    staff = await make_staff()
    submission_id = await submit(client)

    listed = (await client.get(f"{API}/listings")).json()
    assert listed["total"] == 0 and listed["items"] == []
    assert (await client.get(f"{API}/changes")).json()["total"] == 0
    page = await client.get("/social-media-list")
    assert page.status_code == 200
    assert "Lakeside" not in page.text and "I run their social media team" not in page.text
    assert "Lakeside" not in (await client.get("/social-media-list/changes")).text
    csv = (await client.get(f"{API}/listings", params={"format": "csv"})).text
    assert "Lakeside" not in csv

    decided = await approve(client, staff, submission_id)
    assert decided["status"] == "approved"
    listing_id = decided["listing_id"]

    listing = (await client.get(f"{API}/listings/{listing_id}")).json()
    assert listing["name"] == "Lakeside Children's Hospital"
    assert listing["website"] == "https://www.lakeside-childrens.example.org"
    assert {a["platform"]: a["url"] for a in listing["accounts"]} == {
        "x": "https://x.com/lakesidekids",
        "linkedin": "https://linkedin.com/company/lakeside-childrens",
    }
    changes = (await client.get(f"{API}/changes")).json()["items"]
    assert len(changes) == 1
    assert changes[0]["kind"] == "added" and changes[0]["listing_id"] == listing_id
    staff_name = staff.email.split("@")[0].title()
    assert changes[0]["approved_by"] == staff_name
    log_page = (await client.get("/social-media-list/changes")).text
    assert staff_name in log_page and staff.email not in log_page
    public = (await client.get(f"/social-media-list/{listing_id}")).text
    assert "Lakeside Children&#39;s Hospital" in public or "Lakeside Children's Hospital" in public
    # The sender's note and address stay private even after approval.
    assert "I run their social media team" not in public and "nora@" not in public

    mail = await OutboxMessage.select().where(OutboxMessage.template == "directory_submission_approved")
    assert [m["recipient"] for m in mail] == ["nora@lakeside-childrens.example.org"]


async def test_edit_then_approve_publishes_the_moderators_version(client: httpx.AsyncClient) -> None:
    staff = await make_staff()
    submission_id = await submit(client)
    edited = {k: v for k, v in org().items() if k not in ("note", "contact_email", "contact_name")}
    edited["name"] = "Lakeside Children's Hospital and Clinics"
    edited["accounts"] = {**edited["accounts"], "youtube": "https://youtube.com/@LakesideKids"}
    decided = await approve(client, staff, submission_id, edits=edited)
    assert decided["proposal"]["name"] == "Lakeside Children's Hospital"  # what was sent stays on record
    assert decided["applied"]["name"] == "Lakeside Children's Hospital and Clinics"
    listing = (await client.get(f"{API}/listings/{decided['listing_id']}")).json()
    assert listing["name"] == "Lakeside Children's Hospital and Clinics"
    assert "https://youtube.com/@lakesidekids" in [a["url"] for a in listing["accounts"]]
    mail = (
        await OutboxMessage.select()
        .where(OutboxMessage.template == "directory_submission_approved")
        .first()
        .output(load_json=True)
    )
    assert mail is not None and mail["context"]["edited"] is True


async def test_an_edit_that_breaks_the_rules_is_refused_and_nothing_changes(
    client: httpx.AsyncClient,
) -> None:
    staff = await make_staff()
    submission_id = await submit(client)
    bad = {"name": "X", "kind": "hospital", "country": "US", "website": "https://a.example.org",
           "accounts": {"x": "https://evil.example.com/x"}}  # fmt: skip
    response = await client.post(
        f"{API}/submissions/{submission_id}/approve", json={"edits": bad}, headers=staff.headers
    )
    assert response.status_code == 400 and response.json()["code"] == "directory.url_not_platform"
    row = await Submission.select(Submission.status).where(Submission.id == submission_id).first()
    assert row is not None and row["status"] == "pending"
    assert await Listing.count() == 0


async def test_reject_needs_a_reason_and_emails_the_sender(client: httpx.AsyncClient) -> None:
    staff = await make_staff()
    submission_id = await submit(client)
    url = f"{API}/submissions/{submission_id}/reject"
    blank = await client.post(url, json={"reason": "  "}, headers=staff.headers)
    assert blank.status_code == 400 and blank.json()["code"] == "directory.reason_required"
    done = await client.post(url, json={"reason": "Not a healthcare organization."}, headers=staff.headers)
    assert done.status_code == 200 and done.json()["status"] == "rejected"
    again = await client.post(f"{API}/submissions/{submission_id}/approve", json={}, headers=staff.headers)
    assert again.status_code == 409 and again.json()["code"] == "directory.already_decided"
    assert await Listing.count() == 0
    mail = (
        await OutboxMessage.select()
        .where(OutboxMessage.template == "directory_submission_rejected")
        .first()
        .output(load_json=True)
    )
    assert mail is not None and mail["recipient"] == "nora@lakeside-childrens.example.org"
    assert mail["context"]["reason"] == "Not a healthcare organization."


async def test_two_moderators_approving_at_once_publish_one_listing(client: httpx.AsyncClient) -> None:
    import asyncio

    first, second = await make_staff(), await make_actor(Role.ADMIN)
    submission_id = await submit(client)
    url = f"{API}/submissions/{submission_id}/approve"
    answers = await asyncio.gather(
        client.post(url, json={}, headers=first.headers), client.post(url, json={}, headers=second.headers)
    )
    assert sorted(r.status_code for r in answers) == [200, 409]
    assert await Listing.count() == 1
