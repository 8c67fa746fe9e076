"""Where a submission or a claim stands with the moderators: the one spelling both tables use.

Someone asks (a new listing, a correction, to be a listing's verified
contact) and the request waits as pending until a moderator approves or
rejects it; a claim proven by the person's email domain is approved at once.
directory.services.moderation decides submissions and
directory.services.claims decides claims.
"""

from __future__ import annotations

from enum import StrEnum


class ReviewStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
