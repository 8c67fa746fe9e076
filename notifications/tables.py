"""The outbox: every message to send is a row written in the transaction that causes it."""

from __future__ import annotations

from piccolo.columns import JSON, ForeignKey, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from accounts.tables import Person
from notifications.message_status import MessageStatus


class OutboxMessage(Table, tablename="notifications_outbox"):
    """One message on its way out; a record of it once sent (who, what, when, status)."""

    id: Serial  # added by Piccolo; declared for type checkers
    template = Varchar(length=100)
    recipient = Varchar(length=254)
    person = ForeignKey(references=Person, null=True)
    # The program the message speaks for (an event's, a cohort's), so its staff see it in the outbox;
    # null for site-wide mail (accounts, the directory), which only admins see. A plain integer like
    # the audit trail's ids: the record outlives what it names.
    program_id = Integer(null=True, default=None, index=True)
    context = JSON(default="{}")
    # Makes enqueueing idempotent: the same key is queued once (e.g. "reminder:24h:session:7:person:3").
    dedupe_key = Varchar(length=200, null=True, default=None, unique=True)
    status = Varchar(length=16, default=MessageStatus.PENDING.value, index=True, choices=MessageStatus)
    attempts = Integer(default=0)
    not_before = Timestamptz(default=TimestamptzNow(), index=True)
    claimed_by = Varchar(length=64, null=True, default=None)
    claimed_until = Timestamptz(null=True, default=None)
    last_error = Text(default="")
    created_at = Timestamptz(default=TimestamptzNow())
    sent_at = Timestamptz(null=True, default=None)
    # The X-Request-ID of the request that queued it (null from a chore or the command line): the
    # dispatcher's lines about this message carry it, so they lead back to that request's lines.
    request_id = Varchar(length=64, null=True, default=None)


class FeedToken(Table, tablename="notifications_feed_token"):
    """The secret behind a person's private calendar feed; only its SHA-256 is kept.

    One per person: resetting replaces the hash, so the old URL dies at once.
    """

    id: Serial  # added by Piccolo; declared for type checkers
    person = ForeignKey(references=Person, null=False, unique=True)
    token_hash = Varchar(length=64, unique=True, index=True)
    created_at = Timestamptz(default=TimestamptzNow())
    last_used_at = Timestamptz(null=True, default=None)


class InviteCopy(Table, tablename="notifications_invite_copy"):
    """The SEQUENCE of one person's calendar copy (by UID), raised with every message sent for it.

    A session's own SEQUENCE rises only when the session changes; a copy also
    rises when just that person's copy is cancelled or sent again, as RFC 5546
    asks, so clients that compare sequences never ignore the later message.
    """

    uid = Varchar(length=255, primary_key=True)
    sequence = Integer(default=0)


class ChoreLease(Table, tablename="notifications_chore_lease"):
    """Who runs a background chore, until when: one row per chore, taken by a conditional write.

    ``until`` past means the chore is due and anyone may take it. A finished run
    keeps the lease until its next run is due, so every process's dispatcher
    reads the rows once a tick and goes on (``notifications.chores``).
    """

    name = Varchar(length=64, primary_key=True)
    holder = Varchar(length=64, default="")
    until = Timestamptz()
