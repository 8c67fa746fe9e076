"""Every bad submission gets a clear 4xx with a stable code, and nothing is stored."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from directory.tables import Listing, ListingAccount, Submission
from notifications.tables import OutboxMessage
from tests.builders.clients import csrf_from
from tests.builders.directory import API, org, publish
from tests.builders.people import make_staff


def _accounts(**accounts: str) -> dict[str, Any]:
    return {"accounts": accounts}


BAD: list[tuple[str, dict[str, Any], int, str, str]] = [
    (
        "non-platform url",
        _accounts(x="https://example.org/mayo"),
        400,
        "directory.url_not_platform",
        "accounts.x",
    ),
    (
        "plain http",
        _accounts(instagram="http://instagram.com/lakeside"),
        400,
        "directory.url_not_https",
        "accounts.instagram",
    ),
    (
        "not a url",
        _accounts(facebook="lakeside on facebook"),
        400,
        "directory.url_invalid",
        "accounts.facebook",
    ),
    (
        "javascript url",
        _accounts(youtube="javascript:alert(1)"),
        400,
        "directory.url_invalid",
        "accounts.youtube",
    ),
    (
        "unknown platform",
        _accounts(myspace="https://myspace.com/lakeside"),
        400,
        "directory.platform_unknown",
        "accounts",
    ),
    ("no accounts", {"accounts": {}}, 400, "directory.accounts_required", "accounts"),
    (
        "script in name",
        {"name": "Lakeside<script>alert(1)</script>"},
        400,
        "directory.markup_not_allowed",
        "name",
    ),
    ("tag in city", {"city": "<img src=x onerror=alert(1)>"}, 400, "directory.markup_not_allowed", "city"),
    (
        "script url in description",
        {"description": "see javascript:alert(1)"},
        400,
        "directory.markup_not_allowed",
        "description",
    ),
    ("entity-encoded markup", {"region": "&#60;script&#62;"}, 400, "directory.markup_not_allowed", "region"),
    ("markup in note", {"note": "<b>urgent</b>"}, 400, "directory.markup_not_allowed", "note"),
    ("oversized name", {"name": "L" * 201}, 400, "directory.text_too_long", "name"),
    ("oversized description", {"description": "d" * 2001}, 400, "directory.text_too_long", "description"),
    ("oversized note", {"note": "n" * 2001}, 400, "directory.text_too_long", "note"),
    (
        "oversized website",
        {"website": "https://lakeside.example.org/" + "a" * 300},
        400,
        "directory.text_too_long",
        "website",
    ),
    ("blank name", {"name": "   "}, 400, "directory.field_required", "name"),
    ("unknown type", {"kind": "spa"}, 400, "directory.kind_unknown", "kind"),
    ("unknown country", {"country": "XX"}, 400, "directory.country_unknown", "country"),
    (
        "website on a platform",
        {"website": "https://facebook.com/lakeside"},
        400,
        "directory.website_invalid",
        "website",
    ),
    ("website not a url", {"website": "lakeside"}, 400, "directory.url_invalid", "website"),
    ("no contact email", {"contact_email": ""}, 400, "directory.field_required", "contact_email"),
    (
        "bad contact email",
        {"contact_email": "nora at lakeside"},
        400,
        "directory.email_invalid",
        "contact_email",
    ),
]


async def _nothing_stored() -> None:
    assert await Submission.count() == 0
    assert await OutboxMessage.count() == 0


@pytest.mark.parametrize(("case", "overrides", "status", "code", "field"), BAD, ids=[b[0] for b in BAD])
async def test_bad_submission_is_refused_and_stores_nothing(
    client: httpx.AsyncClient, case: str, overrides: dict[str, Any], status: int, code: str, field: str
) -> None:
    response = await client.post(f"{API}/submissions", json=org(**overrides))
    assert response.status_code == status, response.text
    body = response.json()
    assert body["code"] == code
    assert body["details"]["field"] == field
    assert body["message"]
    await _nothing_stored()


async def test_unknown_body_fields_are_refused(client: httpx.AsyncClient) -> None:
    response = await client.post(f"{API}/submissions", json=org(status="approved"))
    assert response.status_code == 400 and response.json()["code"] == "request.invalid"
    await _nothing_stored()


@pytest.mark.parametrize(
    ("overrides", "code", "field"),
    [
        (
            {"website": "http://WWW.Lakeside-Childrens.example.org/about?utm=1"},
            "directory.duplicate_listing",
            "website",
        ),
        (
            {
                "website": "https://other.example.org",
                "accounts": {"linkedin": "https://linkedin.com/company/LAKESIDE-childrens"},
            },
            "directory.duplicate_account",
            "accounts.linkedin",
        ),
        (
            {"website": "https://other.example.org", "accounts": {"x": "https://x.com/lakesidekids"}},
            "directory.duplicate_account",
            "accounts.x",
        ),
    ],
)
async def test_duplicates_of_a_listing_are_refused(
    client: httpx.AsyncClient, overrides: dict[str, Any], code: str, field: str
) -> None:
    staff = await make_staff()
    await publish(client, staff)
    before = await Submission.count()
    response = await client.post(
        f"{API}/submissions", json=org(contact_email="other@example.org", **overrides)
    )
    assert response.status_code == 409 and response.json()["code"] == code
    assert response.json()["details"]["field"] == field
    assert await Submission.count() == before
    assert await Listing.count() == 1


async def test_two_pending_submissions_for_one_site_publish_once(client: httpx.AsyncClient) -> None:
    staff = await make_staff()
    first = (await client.post(f"{API}/submissions", json=org())).json()["id"]
    second = (await client.post(f"{API}/submissions", json=org(contact_email="b@example.org"))).json()["id"]
    ok = await client.post(f"{API}/submissions/{first}/approve", json={}, headers=staff.headers)
    assert ok.status_code == 200
    late = await client.post(f"{API}/submissions/{second}/approve", json={}, headers=staff.headers)
    assert late.status_code == 409 and late.json()["code"] == "directory.duplicate_listing"
    assert await Listing.count() == 1 and await ListingAccount.count() == 2
    row = await Submission.select(Submission.status).where(Submission.id == second).first()
    assert row is not None and row["status"] == "pending"  # the failed approval rolled back whole


async def test_the_form_shows_the_error_next_to_the_field_and_keeps_what_was_typed(
    client: httpx.AsyncClient,
) -> None:
    page = await client.get("/social-media-list/submit")
    form = {
        "_csrf_token": csrf_from(page.text),
        "name": "Lakeside Children's Hospital",
        "kind": "hospital",
        "country": "US",
        "website": "https://lakeside.example.org",
        "account_x": "https://facebook.com/lakeside",
        "contact_email": "nora@example.org",
    }
    response = await client.post("/social-media-list/submit", data=form)
    assert response.status_code == 400
    assert 'id="form-error"' in response.text and "not the address of an account" in response.text
    assert 'id="account_x" name="account_x"' in response.text
    assert 'aria-invalid="true"' in response.text
    assert 'value="https://facebook.com/lakeside"' in response.text
    await _nothing_stored()
