"""The demo's listings arrive through moderation, once, however often the demo is seeded."""

from __future__ import annotations

from directory.demo import APPROVED, seed_directory
from directory.tables import Listing, ListingChange, Submission
from tests.builders.people import make_staff


async def test_demo_listings_are_approved_once_and_one_waits() -> None:
    staff = await make_staff(email="staff@example.org")
    for _ in range(2):
        await seed_directory({"staff@example.org": staff.id})
    assert await Listing.count() == len(APPROVED)
    assert await ListingChange.count().where(ListingChange.approved_by == staff.id) == len(APPROVED)
    assert await Submission.count().where(Submission.status == "pending") == 1
