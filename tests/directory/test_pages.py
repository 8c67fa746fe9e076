"""The list's forms without JavaScript: propose, moderate (edit, approve, reject), claim, correct."""

from __future__ import annotations

import re

import httpx

from accounts.principal import Role
from accounts.tables import Person
from directory.tables import Listing, Submission
from grandrounds.db import now
from tests.builders.clients import csrf_from, sign_in
from tests.builders.directory import publish
from tests.builders.pages import submit
from tests.builders.people import make_actor, make_staff

FORM = {
    "name": "Harbor Health Clinic",
    "kind": "clinic",
    "country": "CA",
    "region": "Nova Scotia",
    "city": "Halifax",
    "website": "https://harborhealth.example.ca",
    "description": "Community clinic.",
    "account_instagram": "https://www.instagram.com/HarborHealth/",
    "account_bluesky": "https://bsky.app/profile/harborhealth.example.ca",
    "contact_email": "sam@harborhealth.example.ca",
    "note": "Found on their site footer.",
}


async def test_submit_moderate_and_publish_through_the_pages(client: httpx.AsyncClient) -> None:
    sent = await submit(client, "/social-media-list/submit", "/social-media-list/submit", FORM)
    assert sent.status_code in (302, 303) and sent.headers["location"] == "/social-media-list/thanks"
    assert "Harbor" not in (await client.get("/social-media-list")).text

    staff = await make_staff()
    await sign_in(client, staff)
    queue = await client.get("/staff/social-media-list")
    link = re.search(r'href="(/staff/social-media-list/submissions/\d+)"', queue.text)
    assert link is not None and "Harbor Health Clinic" in queue.text
    review = await client.get(link.group(1))
    assert "Found on their site footer." in review.text and "sam@harborhealth.example.ca" in review.text
    assert (
        'value="https://instagram.com/harborhealth"' in review.text
    )  # the form holds the normalized version

    edited = {
        **FORM,
        "name": "Harbor Health Community Clinic",
        "account_instagram": "https://instagram.com/harborhealth",
    }
    done = await client.post(
        f"{link.group(1)}/approve", data={**edited, "_csrf_token": csrf_from(review.text)}
    )
    assert (
        done.status_code in (302, 303)
        and done.headers["location"] == "/staff/social-media-list?done=approved"
    )

    client.cookies.clear()
    public = await client.get("/social-media-list")
    assert "Harbor Health Community Clinic" in public.text
    changes = await client.get("/social-media-list/changes")
    assert "Harbor Health Community Clinic" in changes.text
    approver = staff.email.split("@")[0].title()
    assert re.search(rf'<td class="approver">{approver}</td>', changes.text)


async def test_staff_see_form_errors_and_reject_with_a_reason(client: httpx.AsyncClient) -> None:
    await submit(client, "/social-media-list/submit", "/social-media-list/submit", FORM)
    submission = await Submission.select(Submission.id).first()
    assert submission is not None
    path = f"/staff/social-media-list/submissions/{submission['id']}"
    await sign_in(client, await make_actor(Role.ADMIN))
    review = await client.get(path)
    bad = await client.post(
        f"{path}/approve",
        data={
            **FORM,
            "account_instagram": "https://instagram.com/p/abc",
            "_csrf_token": csrf_from(review.text),
        },
    )
    assert bad.status_code == 400 and 'id="form-error"' in bad.text
    blank = await client.post(f"{path}/reject", data={"reason": "", "_csrf_token": csrf_from(review.text)})
    assert blank.status_code == 400 and 'id="reject-error"' in blank.text
    rejected = await client.post(
        f"{path}/reject",
        data={"reason": "Duplicate of another clinic.", "_csrf_token": csrf_from(review.text)},
    )
    assert rejected.status_code in (302, 303)
    assert await Listing.count() == 0
    after = await client.get(path)
    assert 'id="submission-status">rejected<' in after.text and "Approve and publish" not in after.text


async def test_a_form_without_its_csrf_token_is_refused(client: httpx.AsyncClient) -> None:
    response = await client.post("/social-media-list/submit", data=FORM)
    assert response.status_code == 403
    assert await Submission.count() == 0


# A clinic whose website's domain lets a person with an address there claim it at once.
HARBOR = {
    "name": "Harbor Health Clinic",
    "kind": "clinic",
    "country": "CA",
    "website": "https://harborhealth.example.ca",
    "accounts": {"instagram": "https://instagram.com/harborhealth"},
    "contact_email": "x@example.org",
}


async def test_claim_then_edit_through_the_pages(client: httpx.AsyncClient) -> None:
    staff = await make_staff()
    listing_id = await publish(client, staff, HARBOR)
    contact = await make_actor(Role.GUEST, email="web@harborhealth.example.ca")
    await Person.update({Person.email_verified_at: now()}).where(Person.id == contact.id)
    await sign_in(client, contact)
    page = await client.get(f"/social-media-list/{listing_id}")
    claimed = await client.post(
        f"/social-media-list/{listing_id}/claim", data={"_csrf_token": csrf_from(page.text)}
    )
    assert claimed.headers["location"] == f"/social-media-list/{listing_id}?claim=approved"
    page = await client.get(claimed.headers["location"])
    assert "You are now this listing" in page.text and "Edit this listing" in page.text

    form_page = await client.get(f"/social-media-list/{listing_id}/correct")
    assert "Edit your listing" in form_page.text and 'name="contact_email"' not in form_page.text
    values = {
        "name": "Harbor Health",
        "kind": "clinic",
        "country": "CA",
        "website": "https://harborhealth.example.ca",
        "account_instagram": "https://instagram.com/harborhealth",
        "_csrf_token": csrf_from(form_page.text),
    }
    sent = await client.post(f"/social-media-list/{listing_id}/correct", data=values)
    assert sent.status_code in (302, 303)
    row = (
        await Submission.select(Submission.by_contact, Submission.status)
        .where(Submission.kind == "correction")
        .first()
    )
    assert row == {"by_contact": True, "status": "pending"}
    assert "Harbor Health Clinic" in (await client.get(f"/social-media-list/{listing_id}")).text


async def test_a_claim_that_waits_is_confirmed_from_the_queue(client: httpx.AsyncClient) -> None:
    staff = await make_staff()
    listing_id = await publish(client, staff, HARBOR)
    agency = await make_actor(Role.GUEST, email="agency@elsewhere.example.com")
    await sign_in(client, agency)
    page = await client.get(f"/social-media-list/{listing_id}")
    sent = await client.post(
        f"/social-media-list/{listing_id}/claim", data={"_csrf_token": csrf_from(page.text)}
    )
    assert sent.headers["location"] == f"/social-media-list/{listing_id}?claim=pending"
    assert "Your claim waits for a moderator." in (await client.get(sent.headers["location"])).text

    await sign_in(client, staff)
    queue = await client.get("/staff/social-media-list")
    action = re.search(r'action="(/staff/social-media-list/claims/\d+/approve)"', queue.text)
    assert action is not None and "agency@elsewhere.example.com" in queue.text
    done = await client.post(action.group(1), data={"_csrf_token": csrf_from(queue.text)})
    assert done.headers["location"] == "/staff/social-media-list?done=claim-approved"
    row = await Listing.select(Listing.contact).where(Listing.id == listing_id).first()
    assert row is not None and row["contact"] == agency.id
    assert "Claimed by the organization" in (await client.get(f"/social-media-list/{listing_id}")).text
