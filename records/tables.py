"""The records package's own tables."""

from __future__ import annotations

from piccolo.columns import JSON, ForeignKey, Serial, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from accounts.tables import Person
from records.erasure_status import ErasureStatus

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
