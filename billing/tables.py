"""Billing tables: checkouts, the Stripe events already handled, the ledger, alerts for finance.

Money is an integer count of the currency's minor unit plus an ISO 4217 code
(upper case, as everywhere in grandrounds; Stripe's lower-case codes are
upper-cased on the way in).

Composite and partial unique indexes live in a raw migration (SQLite refuses
Piccolo's ALTER-based ones): one Checkout per (registration, attempt), one
LedgerEntry per (kind, stripe_id), one BillingAlert per (kind, stripe_id).
"""

from __future__ import annotations

from piccolo.columns import JSON, ForeignKey, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from events.tables import Registration


class Checkout(Table, tablename="billing_checkout"):
    """One Stripe Checkout Session opened for a paid registration.

    The row is written before Stripe is asked (status ``creating``) with every
    parameter that goes to Stripe, so a retry, a double click or a crash
    between the two replays the same idempotent request and never opens a
    second session for the same attempt. A new attempt starts only when the
    previous session can no longer be paid.
    """

    id: Serial  # added by Piccolo; declared for type checkers
    registration = ForeignKey(references=Registration, null=False)
    attempt = Integer()  # 1, 2, ... per registration; part of the Stripe idempotency key
    status = Varchar(length=12, default="creating")  # creating, open, complete, expired
    amount = Integer()  # minor units, what we asked Stripe for
    currency = Varchar(length=3)
    expires_at = Timestamptz()
    stripe_session_id = Varchar(length=255, null=True, default=None, unique=True)
    url = Text(default="")
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class StripeEvent(Table, tablename="billing_stripe_event"):
    """A webhook event handled to the end; a second delivery of the same id is ignored."""

    id: Serial  # added by Piccolo; declared for type checkers
    stripe_event_id = Varchar(length=255, unique=True)
    type = Varchar(length=100)
    object_id = Varchar(length=255, default="")
    received_at = Timestamptz(default=TimestamptzNow())


class LedgerEntry(Table, tablename="billing_ledger_entry"):
    """One movement of money as Stripe records it. Append-only: nothing updates or deletes a row.

    ``amount`` is signed from the network's point of view: a charge adds, a
    refund, a fee, a lost dispute or a payout to the bank subtracts, so the
    entries of a registration sum to what Stripe holds for it (the net of its
    balance transactions). ``stripe_id`` is the Stripe object the entry mirrors
    (ch_, re_, txn_ for a fee, dp_, po_); with ``kind`` it is unique, so
    importing the same object twice adds nothing.
    """

    id: Serial  # added by Piccolo; declared for type checkers
    kind = Varchar(length=12)  # charge, refund, fee, dispute, payout
    amount = Integer()  # signed minor units
    currency = Varchar(length=3)
    registration = ForeignKey(references=Registration, null=True)
    stripe_id = Varchar(length=255)
    stripe_charge_id = Varchar(length=255, default="")  # the charge a refund, fee or dispute belongs to
    stripe_balance_transaction_id = Varchar(length=255, default="")
    occurred_at = Timestamptz()  # when Stripe says it happened
    created_at = Timestamptz(default=TimestamptzNow())


class BillingAlert(Table, tablename="billing_alert"):
    """Something finance must look at: money arrived that we could not match to what we asked."""

    id: Serial  # added by Piccolo; declared for type checkers
    kind = Varchar(length=40)  # amount_mismatch, ...
    registration = ForeignKey(references=Registration, null=True)
    stripe_id = Varchar(length=255)  # the Stripe object the alert is about (a Checkout Session)
    message = Text()
    details = JSON(default="{}")
    created_at = Timestamptz(default=TimestamptzNow())
    resolved_at = Timestamptz(null=True, default=None)
