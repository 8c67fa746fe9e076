"""Demo listings for the Health Care Social Media List: a few approved organizations and one waiting.

They go through the same path as real ones (submitted, then approved by the
demo's program staff), so the change log shows who approved them. Seeding is
idempotent: an organization already listed, or already waiting, is skipped.
"""

from __future__ import annotations

from typing import Any

from accounts.principal import Principal, Role
from directory.review_status import ReviewStatus
from directory.services import moderation, submissions
from directory.tables import Listing, Submission

APPROVED: list[dict[str, Any]] = [
    {
        "name": "Riverside Health System",
        "kind": "hospital",
        "country": "US",
        "region": "Illinois",
        "city": "Chicago",
        "website": "https://www.riverside-health.example.org",
        "description": "A regional teaching hospital network with a center for social media.",
        "accounts": {
            "x": "https://x.com/riversidehealth",
            "facebook": "https://facebook.com/riversidehealth",
            "linkedin": "https://linkedin.com/company/riverside-health-system",
            "youtube": "https://youtube.com/@riversidehealth",
        },
    },
    {
        "name": "Prairie Family Clinic",
        "kind": "clinic",
        "country": "US",
        "region": "Minnesota",
        "city": "Rochester",
        "website": "https://prairie-family.example.org",
        "description": "Primary care for families in southern Minnesota.",
        "accounts": {
            "instagram": "https://instagram.com/prairiefamilyclinic",
            "tiktok": "https://tiktok.com/@prairieclinic",
        },
    },
    {
        "name": "Northern Light Research Lab",
        "kind": "research_lab",
        "country": "CA",
        "region": "Ontario",
        "city": "Toronto",
        "website": "https://northernlight-lab.example.ca",
        "description": "Health communication research.",
        "accounts": {
            "bluesky": "https://bsky.app/profile/northernlight-lab.example.ca",
            "x": "https://x.com/nllab",
        },
    },
    {
        "name": "Society of Digital Nursing",
        "kind": "association",
        "country": "GB",
        "region": "England",
        "city": "London",
        "website": "https://digitalnursing.example.org.uk",
        "description": "A professional association for nurses using social media in patient education.",
        "accounts": {
            "mastodon": "https://med-mastodon.example/@digitalnursing",
            "linkedin": "https://linkedin.com/company/society-of-digital-nursing",
            "threads": "https://threads.com/@digitalnursing",
        },
    },
    {
        "name": "Hôpital des Collines",
        "kind": "hospital",
        "country": "FR",
        "region": "Auvergne-Rhône-Alpes",
        "city": "Lyon",
        "website": "https://hopital-collines.example.fr",
        "description": "",
        "accounts": {
            "facebook": "https://facebook.com/hopitaldescollines",
            "youtube": "https://youtube.com/@hopitalcollines",
        },
    },
]
WAITING: dict[str, Any] = {
    "name": "Coastal Children's Hospital",
    "kind": "hospital",
    "country": "AU",
    "region": "New South Wales",
    "city": "Sydney",
    "website": "https://coastal-childrens.example.org.au",
    "description": "Paediatric hospital.",
    "accounts": {"instagram": "https://instagram.com/coastalkids"},
}


async def seed_directory(ids: dict[str, int]) -> None:
    staff = Principal(
        ids["staff@example.org"], "staff@example.org", "Sam Staff", frozenset({Role.PROGRAM_STAFF}), "cli", 0
    )
    for number, data in enumerate([*APPROVED, WAITING]):
        await _seed_one(staff, number, data, approve=data is not WAITING)


async def _seed_one(staff: Principal, number: int, data: dict[str, Any], *, approve: bool) -> None:
    # One sender per organization: the anonymous limit per email applies to the demo too.
    sender = submissions.Sender(
        None, contact_email=f"demo.sender{number}@example.org", contact_name="Dana Demo"
    )
    domain = data["website"].split("//", 1)[1].removeprefix("www.")
    if await Listing.exists().where(Listing.website_domain == domain):
        return
    if not approve:
        if not await Submission.exists().where(Submission.status == ReviewStatus.PENDING):
            await submissions.submit_new(data, sender)
        return
    receipt = await submissions.submit_new(data, sender)
    await moderation.approve(staff, receipt.id)
