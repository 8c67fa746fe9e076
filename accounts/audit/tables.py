"""The audit trail's rows. Append-only in the database itself (see the migration's triggers)."""

from __future__ import annotations

from piccolo.columns import Integer, Serial, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table


class AuditEntry(Table, tablename="accounts_audit_entry"):
    """One action, by whom, on what, with what changed: written in the transaction of the change.

    ``actor_id`` and ``subject_id`` are plain integers, not foreign keys: the trail
    outlives what it speaks of (an erased person keeps their id under a pseudonym;
    a deleted track is still the thing that was deleted).
    """

    id: Serial  # added by Piccolo; declared for type checkers

    at = Timestamptz(default=TimestamptzNow(), index=True)
    # Null when the system acted (a chore, a command run without a person).
    actor_id = Integer(null=True, default=None, index=True)
    role = Varchar(length=32, default="")
    action = Varchar(length=64, index=True)
    object_kind = Varchar(length=40)
    object_id = Varchar(length=64)
    # Whose personal data the action touched or showed, when it is one person's.
    subject_id = Integer(null=True, default=None, index=True)
    # JSON: {"field": [before, after], ...} for changes, plus any details; never a secret.
    changes = Text(default="{}")
    client_address = Varchar(length=64, default="")
    user_agent = Varchar(length=300, default="")
    request_id = Varchar(length=64, default="")
