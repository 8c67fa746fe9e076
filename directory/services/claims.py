"""Claiming a listing: becoming the organization's verified contact.

A signed-in person whose address is verified and belongs to the listing's
website domain (``someone@mayo.edu`` or ``someone@news.mayo.edu`` for
``mayo.edu``) becomes the contact at once. Anyone else's claim waits for a
moderator. A contact's edits are still submissions: they are marked as the
contact's for the moderators and published only when approved. A moderator's
decision on a claim leaves one audit row.
"""

from __future__ import annotations

from typing import Any

from accounts.audit import trail as audit
from accounts.principal import Principal
from accounts.tables import Person
from directory import errors
from directory.review_status import ReviewStatus
from directory.schemas import ClaimOut
from directory.services.moderation import listing_url, require_moderator
from directory.tables import Claim, Listing
from grandrounds.db import now, unique_violation, write_transaction
from notifications.outbox import enqueue_email


def domain_matches(email: str, domain: str) -> bool:
    host = email.rsplit("@", 1)[-1].lower()
    return host == domain or host.endswith("." + domain)


async def claim(principal: Principal, listing_id: int) -> ReviewStatus:
    """Claim a listing; returns ``approved`` (domain proven) or ``pending`` (waits for staff)."""
    person = (
        await Person.select(Person.email, Person.email_verified_at)
        .where(Person.id == principal.person_id)
        .first()
    )
    assert person is not None
    with unique_violation(becomes=errors.claim_pending()):
        async with write_transaction():
            listing = (
                await Listing.select(Listing.contact, Listing.website_domain)
                .where(Listing.id == listing_id)
                .first()
            )
            if listing is None:
                raise errors.listing_not_found()
            if listing["contact"] == principal.person_id:
                raise errors.already_contact()
            if listing["contact"] is not None:
                raise errors.already_claimed()
            verified = person["email_verified_at"] is not None
            if verified and domain_matches(person["email"], listing["website_domain"]):
                updated = (
                    await Listing.update({Listing.contact: principal.person_id})
                    .where((Listing.id == listing_id) & Listing.contact.is_null())
                    .returning(Listing.id)
                )
                if not updated:
                    raise errors.already_claimed()
                await Claim.insert(
                    Claim(
                        listing=listing_id,
                        person=principal.person_id,
                        status=ReviewStatus.APPROVED,
                        method="email_domain",
                        decided_at=now(),
                    )
                )
                return ReviewStatus.APPROVED
            if await Claim.exists().where(
                (Claim.listing == listing_id)
                & (Claim.person == principal.person_id)
                & (Claim.status == ReviewStatus.PENDING)
            ):
                raise errors.claim_pending()
            await Claim.insert(
                Claim(listing=listing_id, person=principal.person_id, status=ReviewStatus.PENDING)
            )
            return ReviewStatus.PENDING


_COLUMNS = (
    Claim.id,
    Claim.listing,
    Claim.status,
    Claim.method,
    Claim.created_at,
    Claim.listing.name.as_alias("listing_name"),
    Claim.person.name.as_alias("person_name"),
    Claim.person.email.as_alias("person_email"),
)


def _out(row: dict[str, Any]) -> ClaimOut:
    return ClaimOut(
        id=row["id"],
        listing_id=row["listing"],
        listing_name=row["listing_name"] or "",
        person_name=row["person_name"] or "",
        person_email=row["person_email"] or "",
        status=row["status"],
        method=row["method"],
        created_at=row["created_at"],
    )


async def pending_claims(principal: Principal) -> list[ClaimOut]:
    require_moderator(principal)
    rows = (
        await Claim.select(*_COLUMNS).where(Claim.status == ReviewStatus.PENDING).order_by(Claim.created_at)
    )
    return [_out(r) for r in rows]


async def decide(principal: Principal, claim_id: int, approve: bool, reason: str = "") -> ClaimOut:
    """A moderator confirms (the person speaks for the organization) or refuses a claim."""
    require_moderator(principal)
    decision = ReviewStatus.APPROVED if approve else ReviewStatus.REJECTED
    why = reason.strip()[:2000]
    async with write_transaction():
        row = (
            await Claim.select(Claim.listing, Claim.person, Claim.status).where(Claim.id == claim_id).first()
        )
        if row is None:
            raise errors.claim_not_found()
        flipped = (
            await Claim.update(
                {
                    Claim.status: decision,
                    Claim.decided_by: principal.person_id,
                    Claim.decided_at: now(),
                    Claim.reason: why,
                }
            )
            .where((Claim.id == claim_id) & (Claim.status == ReviewStatus.PENDING))
            .returning(Claim.id)
        )
        if not flipped:
            raise errors.already_decided()
        if approve:
            taken = (
                await Listing.update({Listing.contact: row["person"]})
                .where((Listing.id == row["listing"]) & Listing.contact.is_null())
                .returning(Listing.id)
            )
            if not taken:
                raise errors.already_claimed()
        await audit.record(
            "directory.claim.approve" if approve else "directory.claim.reject",
            "directory_claim",
            claim_id,
            before={"status": ReviewStatus.PENDING, "listing_contact": None},
            after={"status": decision, "listing_contact": row["person"] if approve else None},
            subject_id=row["person"],
            details={"listing_id": row["listing"], **({} if approve else {"reason": why})},
        )
        found = await Claim.select(*_COLUMNS).where(Claim.id == claim_id).first()
        assert found is not None
        await enqueue_email(
            "directory_claim_decided",
            found["person_email"],
            {
                "name": found["person_name"],
                "organization": found["listing_name"],
                "approved": approve,
                "reason": "" if approve else why,
                "listing_url": listing_url(row["listing"]),
            },
            person_id=row["person"],
        )
    return _out(found)


async def is_contact(person_id: int, listing_id: int) -> bool:
    return await Listing.exists().where((Listing.id == listing_id) & (Listing.contact == person_id))
