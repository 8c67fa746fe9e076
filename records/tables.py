"""The records package's own tables."""

from __future__ import annotations

from piccolo.columns import ForeignKey, Integer, Serial, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from accounts.tables import Person


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


class ChoreLease(Table, tablename="records_chore_lease"):
    """Who runs a cluster-wide chore, until when: one row per chore, taken by a conditional write.

    ``until`` past means anyone may take it. A finished run keeps the lease until
    its next run is due, so every process's dispatcher asks once and goes on.
    """

    name = Varchar(length=64, primary_key=True)
    holder = Varchar(length=64, default="")
    until = Timestamptz()
