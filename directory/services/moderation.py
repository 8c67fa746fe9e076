"""The moderation queue: staff approve a submission (as sent or edited) or reject it with a reason.

Moderators are program staff and admins (``may_moderate``): the people who
already speak for the network in public. The controllers guard the routes
with the same roles; the services check again so no caller can skip it.

Approval writes the listing, its accounts and a change-log row in one
transaction, after flipping the submission from pending in a conditional
UPDATE: of two moderators approving at once, one wins and the other gets
``directory.already_decided``. The submitter is told by email (the outbox row
commits with the decision), and the decision leaves one audit row with the
listing's fields as they were and as approved.
"""

from __future__ import annotations

from typing import Any

import msgspec

from accounts.audit import trail as audit
from accounts.principal import Principal, Role
from directory import errors
from directory.proposals import Proposal, changed_fields, read_proposal, region_key
from directory.review_status import ReviewStatus
from directory.schemas import SubmissionOut
from directory.services.duplicates import check_duplicates
from directory.services.listings import current_proposal
from directory.tables import Listing, ListingAccount, ListingChange, Submission
from grandrounds.db import now, unique_violation, write_transaction
from grandrounds.errors import forbidden
from grandrounds.settings import get_settings
from notifications.outbox import enqueue_email

MAX_REASON = 2000


def may_moderate(principal: Principal) -> bool:
    return principal.has_any(Role.PROGRAM_STAFF)


def require_moderator(principal: Principal) -> None:
    if not may_moderate(principal):
        raise forbidden("Only program staff and admins moderate the list.")


def listing_url(listing_id: int) -> str:
    return f"{get_settings().base_url}/social-media-list/{listing_id}"


_COLUMNS = (
    *Submission.all_columns(),
    Submission.decided_by.name.as_alias("decider"),
)


def _out(row: dict[str, Any]) -> SubmissionOut:
    return SubmissionOut(
        id=row["id"],
        kind=row["kind"],
        status=row["status"],
        listing_id=row["listing"],
        proposal=row["proposal"] or {},
        applied=row["applied"],
        note=row["note"],
        submitter_name=row["submitter_name"],
        submitter_email=row["submitter_email"],
        by_contact=row["by_contact"],
        created_at=row["created_at"],
        decided_by=row["decider"],
        decided_at=row["decided_at"],
        reason=row["reason"],
    )


async def queue(principal: Principal, status: str = ReviewStatus.PENDING) -> list[SubmissionOut]:
    """Submissions in one state, oldest first (the order they are worked through)."""
    require_moderator(principal)
    if status not in tuple(ReviewStatus):
        raise errors.filter_invalid("status", "Status must be pending, approved or rejected.")
    rows = await (
        Submission.select(*_COLUMNS)
        .where(Submission.status == status)
        .order_by(Submission.created_at, ascending=status == ReviewStatus.PENDING)
        .order_by(Submission.id)
        .limit(500)
        .output(load_json=True)
    )
    return [_out(r) for r in rows]


async def submission(principal: Principal, submission_id: int) -> SubmissionOut:
    require_moderator(principal)
    row = (
        await Submission.select(*_COLUMNS)
        .where(Submission.id == submission_id)
        .first()
        .output(load_json=True)
    )
    if row is None:
        raise errors.submission_not_found()
    return _out(row)


def _listing_values(proposal: Proposal) -> dict[Any, Any]:
    return {
        Listing.name: proposal.name,
        Listing.kind: proposal.kind,
        Listing.country: proposal.country,
        Listing.region: proposal.region,
        Listing.region_key: region_key(proposal.region),
        Listing.city: proposal.city,
        Listing.website: proposal.website,
        Listing.website_domain: proposal.website_domain,
        Listing.description: proposal.description,
        Listing.updated_at: now(),
    }


async def _replace_accounts(listing_id: int, accounts: dict[str, str]) -> None:
    await ListingAccount.delete().where(ListingAccount.listing == listing_id)
    if accounts:
        await ListingAccount.insert(
            *(ListingAccount(listing=listing_id, platform=k, url=v) for k, v in accounts.items())
        )


async def _apply(
    row: dict[str, Any], proposal: Proposal, moderator_id: int
) -> tuple[int, list[str], Proposal | None]:
    """Write the approved version; returns (listing id, fields changed, the listing as it was)."""
    before: Proposal | None = None
    if row["kind"] == "new":
        values = {column._meta.name: value for column, value in _listing_values(proposal).items()}
        inserted = await Listing.insert(Listing(**values)).returning(Listing.id)
        listing_id = int(inserted[0]["id"])
        fields = changed_fields(None, proposal)
        kind = "added"
    else:
        listing_id = int(row["listing"])
        before, _ = await current_proposal(listing_id)
        fields = changed_fields(before, proposal)
        if not fields:
            raise errors.no_change()
        await Listing.update(_listing_values(proposal)).where(Listing.id == listing_id)
        kind = "corrected"
    await _replace_accounts(listing_id, proposal.accounts)
    await ListingChange.insert(
        ListingChange(
            listing=listing_id, submission=row["id"], kind=kind, fields=fields, approved_by=moderator_id
        )
    )
    return listing_id, fields, before


async def _claim_pending(submission_id: int, values: dict[Any, Any]) -> dict[str, Any]:
    """Flip a pending submission (only once, whoever races) and return its row."""
    updated = (
        await Submission.update(values)
        .where((Submission.id == submission_id) & (Submission.status == ReviewStatus.PENDING))
        .returning(Submission.id)
    )
    if not updated:
        if not await Submission.exists().where(Submission.id == submission_id):
            raise errors.submission_not_found()
        raise errors.already_decided()
    row: dict[str, Any] | None = (
        await Submission.select().where(Submission.id == submission_id).first().output(load_json=True)
    )
    assert row is not None
    return row


async def approve(
    principal: Principal, submission_id: int, edits: dict[str, Any] | None = None
) -> SubmissionOut:
    """Publish a submission, or a moderator's edit of it (checked like any proposal)."""
    require_moderator(principal)
    edited = read_proposal(edits) if edits is not None else None
    with unique_violation(becomes=errors.duplicate_listing()):
        async with write_transaction():
            decided = {
                Submission.status: ReviewStatus.APPROVED,
                Submission.decided_by: principal.person_id,
                Submission.decided_at: now(),
            }
            row = await _claim_pending(submission_id, decided)
            proposal = edited or msgspec.convert(row["proposal"], Proposal)
            listing_id = row["listing"] if row["kind"] == "correction" else None
            await check_duplicates(proposal, listing_id)
            listing_id, _, was = await _apply(row, proposal, principal.person_id)
            await Submission.update(
                {Submission.applied: msgspec.to_builtins(proposal), Submission.listing: listing_id}
            ).where(Submission.id == submission_id)
            edited_by_moderator = edited is not None and edited != msgspec.convert(row["proposal"], Proposal)
            await audit.record(
                "directory.submission.approve",
                "directory_submission",
                submission_id,
                before={"status": ReviewStatus.PENDING, **(was.as_fields() if was else {})},
                # A new listing lists what it was published with (its empty fields are not news).
                after={
                    "status": ReviewStatus.APPROVED,
                    **{k: v for k, v in proposal.as_fields().items() if v or was is not None},
                },
                subject_id=row["person"],
                details={"listing_id": listing_id, "kind": row["kind"], "edited": edited_by_moderator},
            )
            await enqueue_email(
                "directory_submission_approved",
                row["submitter_email"],
                {
                    "name": row["submitter_name"],
                    "organization": proposal.name,
                    "correction": row["kind"] == "correction",
                    "edited": edited_by_moderator,
                    "listing_url": listing_url(listing_id),
                },
                person_id=row["person"],
            )
    return await submission(principal, submission_id)


async def reject(principal: Principal, submission_id: int, reason: str) -> SubmissionOut:
    """Turn a submission down; the reason goes to its sender, never onto a public page."""
    require_moderator(principal)
    text = reason.replace("\r\n", "\n").strip() if isinstance(reason, str) else ""
    if not text:
        raise errors.reason_required()
    if len(text) > MAX_REASON:
        raise errors.text_too_long("reason", "Reason", MAX_REASON)
    async with write_transaction():
        decided = {
            Submission.status: ReviewStatus.REJECTED,
            Submission.decided_by: principal.person_id,
            Submission.decided_at: now(),
            Submission.reason: text,
        }
        row = await _claim_pending(submission_id, decided)
        await audit.record(
            "directory.submission.reject",
            "directory_submission",
            submission_id,
            before={"status": ReviewStatus.PENDING},
            after={"status": ReviewStatus.REJECTED},
            subject_id=row["person"],
            details={"listing_id": row["listing"], "kind": row["kind"], "reason": text},
        )
        await enqueue_email(
            "directory_submission_rejected",
            row["submitter_email"],
            {
                "name": row["submitter_name"],
                "organization": str((row["proposal"] or {}).get("name", "")),
                "correction": row["kind"] == "correction",
                "reason": text,
            },
            person_id=row["person"],
        )
    return await submission(principal, submission_id)
