"""Tables of the directory package: listings, their accounts, submissions, claims and the change log.

Only approved data lives in ``Listing`` and ``ListingAccount``; everything a
person sends waits in ``Submission`` (never read by a public page) until staff
decide. ``website_domain`` and ``ListingAccount.url`` are unique, so two
listings of one organization or one account cannot exist even if two
submissions for it are approved at the same moment.
"""

from __future__ import annotations

from piccolo.columns import JSON, Boolean, ForeignKey, Serial, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from accounts.tables import Person
from directory.review_status import ReviewStatus


class Listing(Table, tablename="directory_listing"):
    """One healthcare organization, as approved by staff."""

    id: Serial  # added by Piccolo; declared for type checkers

    name = Varchar(length=200)
    kind = Varchar(length=20)  # hospital, clinic, research_lab, association, other
    country = Varchar(length=2, index=True)  # ISO 3166-1 alpha-2
    region = Varchar(length=100, default="")
    region_key = Varchar(length=100, default="", index=True)  # lower-cased, for the filter
    city = Varchar(length=100, default="")
    website = Varchar(length=300)
    website_domain = Varchar(length=253, unique=True)
    description = Text(default="")
    contact = ForeignKey(references=Person, null=True)  # the verified contact who claimed it
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class ListingAccount(Table, tablename="directory_listing_account"):
    """An official account of a listing on one platform; (listing, platform) is unique (see migration)."""

    id: Serial  # added by Piccolo; declared for type checkers

    listing = ForeignKey(references=Listing, null=False)
    platform = Varchar(length=20, index=True)
    url = Varchar(length=300, unique=True)  # normalized


class Submission(Table, tablename="directory_submission"):
    """A proposed new listing or correction, waiting for (or decided by) staff.

    ``proposal`` is what the person sent; ``applied`` is what staff approved
    (equal unless they edited it first). The submitter's name, email and note
    are for moderators only and never appear on a public page.
    """

    id: Serial  # added by Piccolo; declared for type checkers

    kind = Varchar(length=20)  # new, correction
    listing = ForeignKey(references=Listing, null=True)  # the listing corrected; set on approval for new
    status = Varchar(length=20, default=ReviewStatus.PENDING.value, index=True, choices=ReviewStatus)
    proposal = JSON(default="{}")
    applied = JSON(null=True, default=None)
    note = Text(default="")
    submitter_name = Varchar(length=200, default="")
    submitter_email = Varchar(length=254, index=True)
    person = ForeignKey(references=Person, null=True)
    by_contact = Boolean(default=False)  # sent by the listing's verified contact
    ip_hash = Varchar(length=64, default="", index=True)
    created_at = Timestamptz(default=TimestamptzNow())
    decided_by = ForeignKey(references=Person, null=True)
    decided_at = Timestamptz(null=True, default=None)
    reason = Text(default="")


class Claim(Table, tablename="directory_claim"):
    """A person asking to be a listing's verified contact."""

    id: Serial  # added by Piccolo; declared for type checkers

    listing = ForeignKey(references=Listing, null=False)
    person = ForeignKey(references=Person, null=False)
    status = Varchar(length=20, default=ReviewStatus.PENDING.value, index=True, choices=ReviewStatus)
    method = Varchar(length=20, default="staff")  # email_domain, staff
    created_at = Timestamptz(default=TimestamptzNow())
    decided_by = ForeignKey(references=Person, null=True)
    decided_at = Timestamptz(null=True, default=None)
    reason = Text(default="")


class ListingChange(Table, tablename="directory_change"):
    """One approved addition or correction: the public change log."""

    id: Serial  # added by Piccolo; declared for type checkers

    listing = ForeignKey(references=Listing, null=False)
    submission = ForeignKey(references=Submission, null=True)
    kind = Varchar(length=20)  # added, corrected
    fields = JSON(default="[]")  # names of the fields that changed
    approved_by = ForeignKey(references=Person, null=True)
    at = Timestamptz(default=TimestamptzNow())
