"""Who may moderate: program staff and admins; everyone else is refused and changes nothing."""

from __future__ import annotations

import httpx
import pytest

from accounts.principal import Role
from directory.tables import Claim, Listing, Submission
from tests.builders.clients import csrf_from, sign_in
from tests.builders.directory import API, org, publish, submit
from tests.builders.people import Actor, make_actor, make_staff

ROLES = [
    ("anonymous", 401),
    ("guest", 403),
    ("member", 403),
    ("speaker", 403),
    ("finance", 403),
    ("program_staff", 200),
    ("admin", 200),
]


async def _who(role: str) -> Actor | None:
    if role == "anonymous":
        return None
    if role == "program_staff":
        return await make_staff()
    return await make_actor(Role(role))


def _headers(actor: Actor | None) -> dict[str, str]:
    return actor.headers if actor else {}


@pytest.mark.parametrize(("role", "expected"), ROLES)
async def test_moderation_api_reads(client: httpx.AsyncClient, role: str, expected: int) -> None:
    submission_id = await submit(client)
    headers = _headers(await _who(role))
    for path in ("/submissions", f"/submissions/{submission_id}", "/claims"):
        response = await client.get(f"{API}{path}", headers=headers)
        assert response.status_code == expected, path
        if expected != 200:
            assert response.json()["code"] == ("auth.required" if expected == 401 else "auth.forbidden")
            assert "nora@" not in response.text and "I run their" not in response.text


@pytest.mark.parametrize(("role", "expected"), ROLES)
@pytest.mark.parametrize("decision", ["approve", "reject"])
async def test_moderation_api_decisions(
    client: httpx.AsyncClient, role: str, expected: int, decision: str
) -> None:
    submission_id = await submit(client)
    response = await client.post(
        f"{API}/submissions/{submission_id}/{decision}",
        json={"reason": "Not ours."} if decision == "reject" else {},
        headers=_headers(await _who(role)),
    )
    assert response.status_code == expected, response.text
    row = await Submission.select(Submission.status).where(Submission.id == submission_id).first()
    assert row is not None
    assert row["status"] == ("pending" if expected != 200 else f"{decision}d".replace("rejectd", "rejected"))
    assert await Listing.count() == (1 if expected == 200 and decision == "approve" else 0)


@pytest.mark.parametrize(("role", "expected"), ROLES)
async def test_claim_decisions(client: httpx.AsyncClient, role: str, expected: int) -> None:
    staff = await make_staff()
    listing_id = await publish(client, staff)
    claimant = await make_actor(Role.GUEST, email="agency@elsewhere.example.com")
    await client.post(f"{API}/listings/{listing_id}/claim", headers=claimant.headers)
    claim = await Claim.select(Claim.id).first()
    assert claim is not None
    response = await client.post(f"{API}/claims/{claim['id']}/approve", headers=_headers(await _who(role)))
    assert response.status_code == expected
    row = await Listing.select(Listing.contact).where(Listing.id == listing_id).first()
    assert row is not None and row["contact"] == (claimant.id if expected == 200 else None)


@pytest.mark.parametrize(("role", "expected"), [(r, 302 if e == 401 else e) for r, e in ROLES])
async def test_moderation_pages(client: httpx.AsyncClient, role: str, expected: int) -> None:
    submission_id = await submit(client)
    actor = await _who(role)
    if actor is not None:
        await sign_in(client, actor)
    for path in ("/staff/social-media-list", f"/staff/social-media-list/submissions/{submission_id}"):
        response = await client.get(path)
        assert response.status_code == expected, path
        if expected == 302:
            assert response.headers["location"] == f"/signin?next={path}"
        if expected == 200:
            assert "Nora Nurse" in response.text
        else:
            assert "Nora Nurse" not in response.text and "Lakeside" not in response.text


async def test_the_public_never_sees_a_submission_or_its_sender(client: httpx.AsyncClient) -> None:
    await submit(
        client,
        org(
            name="Secret Clinic",
            website="https://secret-clinic.example.org",
            accounts={"x": "https://x.com/secretclinic"},
            note="patient Jane Doe, MRN 12345",
        ),
    )
    guest = await make_actor(Role.GUEST)
    await sign_in(client, guest)
    for path in (
        "/social-media-list",
        "/social-media-list/changes",
        "/social-media-list/export.csv",
        f"{API}/listings",
        f"{API}/changes",
        f"{API}/listings?format=csv",
    ):
        response = await client.get(path)
        assert response.status_code == 200, path
        assert "Secret Clinic" not in response.text and "Jane Doe" not in response.text
        assert "secretclinic" not in response.text


@pytest.mark.parametrize(
    ("role", "expected"), [("guest", 403), ("member", 403), ("finance", 403), ("admin", 302)]
)
@pytest.mark.parametrize("decision", ["approve", "reject"])
async def test_moderation_page_forms(
    client: httpx.AsyncClient, role: str, expected: int, decision: str
) -> None:
    """A signed-in non-moderator posting a valid form (with its CSRF token) is refused and changes nothing."""
    submission_id = await submit(client)
    actor = await _who(role)
    assert actor is not None
    await sign_in(client, actor)
    token = csrf_from((await client.get("/social-media-list/submit")).text)
    form = {**{k: v for k, v in org().items() if isinstance(v, str)}, "reason": "No.", "_csrf_token": token}
    form.update({f"account_{k}": v for k, v in org()["accounts"].items()})
    response = await client.post(
        f"/staff/social-media-list/submissions/{submission_id}/{decision}", data=form
    )
    assert response.status_code == expected, response.text
    row = await Submission.select(Submission.status).where(Submission.id == submission_id).first()
    assert row is not None
    assert row["status"] == (
        "pending" if expected == 403 else {"approve": "approved", "reject": "rejected"}[decision]
    )
