"""Demo library: a few items of each audience, a recorded webinar linked to its event,
and the residency cohort's prerequisite reading.

Idempotent: items are looked up by title, prerequisites by (cohort, item).
"""

from __future__ import annotations

from typing import Any

from accounts.principal import Principal, Role
from accounts.tables import Program
from events.tables import Event
from library.schemas import ItemCreate
from library.services import items
from library.tables import CohortPrerequisite, LibraryItem
from programs.tables import Cohort

DEMO_ITEMS: list[dict[str, Any]] = [
    {
        "kind": "guide",
        "title": "Ten rules for clinicians on social media",
        "summary": "A one-page guide to posting as a professional without disclosing patient information.",
        "audience": "public",
        "body": "1. Don't lie, pry, cheat, steal or feel.\n\n"
        "2. Assume everything you post is public and permanent.\n\n"
        "3. Never post anything that could identify a patient, even without a name.",
        "tags": ["professionalism", "privacy"],
        "author_name": "Center for Social Media in Medicine",
    },
    {
        "kind": "white_paper",
        "title": "Why hospitals belong on social media",
        "summary": "The case for an official presence: reach, trust, and meeting patients where they are.",
        "audience": "public",
        "link_url": "https://example.org/library/why-hospitals-belong.pdf",
        "tags": ["strategy"],
        "author_name": "Lee Aase",
    },
    {
        "kind": "policy_template",
        "title": "Sample employee social media policy",
        "summary": "A short, editable policy for staff posting about their workplace.",
        "audience": "guest_sample",
        "body": "Purpose: help employees share pride in our work while protecting patient privacy.\n\n"
        "Scope: all employees, students and volunteers, on personal and official accounts.",
        "tags": ["policy", "privacy"],
        "author_name": "Riverside Health System",
    },
    {
        "kind": "video",
        "title": "Three-minute primer: responding to a negative review",
        "summary": "Acknowledge, move offline, and never confirm that someone is a patient.",
        "audience": "guest_sample",
        "link_url": "https://video.example.org/primer-negative-review",
        "tags": ["reviews", "crisis communication"],
        "author_name": "Dr. Farris Timimi",
    },
    {
        "kind": "guide",
        "title": "Crisis communication playbook",
        "summary": "Roles, holding statements and an escalation tree for when a post goes viral.",
        "audience": "members_only",
        "body": "Hour 0-1: acknowledge publicly, say what you are doing, and move the conversation "
        "to a channel you control.\n\n"
        "Hour 1-4: legal and privacy review of every statement; no patient details, ever.",
        "link_url": "https://example.org/library/crisis-playbook.pdf",
        "tags": ["crisis communication", "reputation"],
        "author_name": "Center for Social Media in Medicine",
    },
    {
        "kind": "policy_template",
        "title": "Physician online reviews response policy",
        "summary": "A template for answering online reviews of physicians, with approved wording.",
        "audience": "members_only",
        "body": "Responses never confirm that the reviewer was a patient.\n\n"
        "Approved wording: 'We take every concern seriously; please contact our patient experience team.'",
        "tags": ["reviews", "policy"],
        "author_name": "Riverside Health System",
    },
]
RECORDING_TITLE = "Recording: crisis communication after a data breach"
RECORDED_EVENT_SUFFIX = "Crisis communication after a data breach"


async def _ensure(staff: Principal, fields: dict[str, Any]) -> int:
    row = await LibraryItem.select(LibraryItem.id).where(LibraryItem.title == fields["title"]).first()
    if row:
        return int(row["id"])
    created = await items.create_item(staff, ItemCreate(**fields))
    await items.set_status(staff, created.id, "published")
    return created.id


async def seed_library(ids: dict[str, int]) -> None:
    staff = Principal(
        ids["staff@example.org"], "staff@example.org", "Sam Staff", frozenset({Role.PROGRAM_STAFF}), "cli", 0
    )
    seeded = [await _ensure(staff, fields) for fields in DEMO_ITEMS]
    event = await Event.select(Event.id).where(Event.title.like(f"%{RECORDED_EVENT_SUFFIX}")).first()
    await _ensure(
        staff,
        {
            "kind": "recorded_webinar",
            "title": RECORDING_TITLE,
            "summary": "The full hour from the Grand Rounds webinar, with the speakers' slides.",
            "audience": "members_only",
            "recording_url": "https://video.example.org/grand-rounds/data-breach",
            "slides_url": "https://example.org/library/data-breach-slides.pdf",
            "event_id": event["id"] if event else None,
            "tags": ["crisis communication", "webinar"],
            "author_name": "Grand Rounds Webinar",
        },
    )
    program = await Program.select(Program.id).where(Program.slug == "social-media-residency").first()
    cohort = (
        await Cohort.select(Cohort.id).where(Cohort.program == program["id"]).order_by(Cohort.id).first()
        if program
        else None
    )
    if cohort is None:
        return
    for position, item_id in enumerate((seeded[0], seeded[4]), start=1):
        if not await CohortPrerequisite.exists().where(
            (CohortPrerequisite.cohort == cohort["id"]) & (CohortPrerequisite.item == item_id)
        ):
            await CohortPrerequisite.insert(
                CohortPrerequisite(
                    cohort=cohort["id"], item=item_id, position=position, added_by=staff.person_id
                )
            )
