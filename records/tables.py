"""The records package's own tables."""

from __future__ import annotations

from piccolo.columns import JSON, ForeignKey, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from accounts.tables import Person
from records.erasure_status import ErasureStatus


class LegalHold(Table, tablename="records_legal_hold"):
    """Records that must not be purged or anonymized while a claim, audit or inquiry is open.

    ``scope_kind`` names what the hold covers (a person, an event, a cohort) and
    ``scope_id`` which one; what that reaches is records.services.holds' to say.
    A hold is open while ``released_at`` is null; released holds stay as history.
    """

    id: Serial  # added by Piccolo; declared for type checkers

    reason = Varchar(length=500)
    scope_kind = Varchar(length=12)  # person, event, cohort
    scope_id = Integer()
    placed_by = ForeignKey(references=Person, null=True)
    placed_at = Timestamptz(default=TimestamptzNow())
    released_by = ForeignKey(references=Person, null=True)
    released_at = Timestamptz(null=True, default=None)


# data rights


class ErasureRequest(Table, tablename="records_erasure_request"):
    """A person's request to be erased, and an admin's decision on it.

    One pending request per person (a raw partial unique index). ``outcome`` is
    what the decision did and kept: for a carried-out request the pseudonym, the
    rows anonymized and what was kept and why (the ledger's 7-year duty, CME's
    6-year duty); for a declined one the admin's reason.
    """

    id: Serial  # added by Piccolo; declared for type checkers

    person = ForeignKey(references=Person, null=False, index=True)
    reason = Text(default="")
    requested_at = Timestamptz(default=TimestamptzNow())
    status = Varchar(length=16, default=ErasureStatus.PENDING.value, choices=ErasureStatus)
    decided_by = ForeignKey(references=Person, null=True)
    decided_at = Timestamptz(null=True, default=None)
    outcome = JSON(default="{}")
