"""One organization, one listing: a proposal may not reuse another listing's website domain or account."""

from __future__ import annotations

from typing import Any

from directory import errors
from directory.proposals import Proposal
from directory.tables import Listing, ListingAccount


async def check_duplicates(proposal: Proposal, listing_id: int | None = None) -> None:
    """409 when another listing (not ``listing_id``) has the same website domain or any of the accounts.

    Checked when a submission arrives and again inside the approval's
    transaction; the unique columns catch whatever slips between the two.
    """
    others: Any = Listing.website_domain == proposal.website_domain
    if listing_id is not None:
        others &= Listing.id != listing_id
    same_site = await Listing.select(Listing.id).where(others).first()
    if same_site:
        raise errors.duplicate_listing(same_site["id"])
    urls = list(proposal.accounts.values())
    taken: Any = ListingAccount.url.is_in(urls)
    if listing_id is not None:
        taken &= ListingAccount.listing != listing_id
    row = await ListingAccount.select(ListingAccount.listing, ListingAccount.platform).where(taken).first()
    if row:
        raise errors.duplicate_account(row["platform"], row["listing"])
