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

from accounts.tables import Organization, Person
from billing.memberships.status import MembershipStatus
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


class Membership(Table, tablename="billing_membership"):
    """One membership: a guest's free account, an individual's or an organization's annual term.

    ``person`` is set for guest and individual memberships, ``organization``
    for an organization's. A membership gives member prices while
    ``starts_at <= instant < current_period_end`` and it is not pending:
    ``current_period_end`` is the end of the last term Stripe says was paid,
    so an unpaid renewal lapses on the anniversary with nothing to sweep
    (see billing.memberships.standing). A guest membership has no end.
    One live (pending, active, past_due) membership per person and tier, and
    per organization: raw unique indexes in the migration.
    """

    id: Serial  # added by Piccolo; declared for type checkers
    tier = Varchar(length=12)  # guest, individual, organization
    person = ForeignKey(references=Person, null=True)
    organization = ForeignKey(references=Organization, null=True)
    status = Varchar(length=12, default=MembershipStatus.PENDING.value, choices=MembershipStatus)
    band = Varchar(length=2, default="")  # an organization's revenue band (billing.memberships.tiers)
    dues_amount = Integer(default=0)  # minor units per annual term
    currency = Varchar(length=3, default="USD")
    seat_limit = Integer(default=0)
    collection = Varchar(length=12, default="automatic")  # automatic (card) or invoice (pay later)
    starts_at = Timestamptz(null=True, default=None)
    current_period_end = Timestamptz(null=True, default=None)
    stripe_customer_id = Varchar(length=255, default="")
    stripe_subscription_id = Varchar(length=255, default="")
    stripe_checkout_session_id = Varchar(length=255, default="")
    checkout_url = Text(default="")
    created_by = ForeignKey(references=Person, null=True)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class MembershipSeat(Table, tablename="billing_membership_seat"):
    """A colleague holding one of an organization membership's seats, assigned by its leader.

    Released seats stay as history (``released_at``); one unreleased seat per
    (membership, person) under a raw partial unique index.
    """

    id: Serial  # added by Piccolo; declared for type checkers
    membership = ForeignKey(references=Membership, null=False)
    person = ForeignKey(references=Person, null=False)
    assigned_by = ForeignKey(references=Person, null=True)
    assigned_at = Timestamptz(default=TimestamptzNow())
    released_at = Timestamptz(null=True, default=None)


class PointsEntry(Table, tablename="billing_points_entry"):
    """Append-only points ledger of an organization membership: grant, transfer, redeem, return, forfeit.

    ``amount`` is signed points (1 point = 1 major unit of the membership's
    currency). ``person`` None is the organization's pool (grants land there);
    a transfer is two rows (minus the pool, plus the colleague). ``key`` makes
    grants, redemptions and forfeits idempotent (unique).
    """

    id: Serial  # added by Piccolo; declared for type checkers
    membership = ForeignKey(references=Membership, null=False)
    person = ForeignKey(references=Person, null=True)
    kind = Varchar(length=12)  # grant, transfer, redeem, return, forfeit
    amount = Integer()
    registration = ForeignKey(references=Registration, null=True)
    key = Varchar(length=255, null=True, default=None, unique=True)
    note = Varchar(length=255, default="")
    created_by = ForeignKey(references=Person, null=True)
    created_at = Timestamptz(default=TimestamptzNow())


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
    membership = ForeignKey(references=Membership, null=True)  # dues charges and what follows them
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
    resolved_by = ForeignKey(references=Person, null=True)
    resolution = Text(default="")  # what finance did about it, in their words


class ReconciliationRun(Table, tablename="billing_reconciliation_run"):
    """Stripe's balance transactions for a period [period_start, period_end) compared with the ledger.

    One run per period (raw unique index): running the same period again
    replaces its findings with what Stripe and the ledger say now, so a run is
    idempotent and a recorded discrepancy disappears on the next run.
    """

    id: Serial  # added by Piccolo; declared for type checkers
    period_start = Timestamptz()
    period_end = Timestamptz()
    stripe_transactions = Integer(default=0)  # balance transactions Stripe listed for the period
    ledger_entries = Integer(default=0)  # ledger rows compared
    matched = Integer(default=0)  # balance transactions whose ledger rows agree
    ran_by = ForeignKey(references=Person, null=True)
    ran_at = Timestamptz(default=TimestamptzNow())


class ReconciliationFinding(Table, tablename="billing_reconciliation_finding"):
    """One discrepancy of a run: missing in the ledger or in Stripe, an amount or currency that
    differs, or a fee with no charge or refund behind it. Amounts are signed minor units."""

    id: Serial  # added by Piccolo; declared for type checkers
    run = ForeignKey(references=ReconciliationRun, null=False, index=True)
    # missing_in_ledger, missing_in_stripe, amount_differs, currency_differs, unexplained_fee
    kind = Varchar(length=24)
    stripe_balance_transaction_id = Varchar(length=255, default="")
    stripe_type = Varchar(length=40, default="")  # balance transaction type: charge, refund, payout...
    stripe_source = Varchar(length=255, default="")  # the Stripe object behind it (ch_, re_, po_)
    stripe_amount = Integer(null=True, default=None)
    stripe_currency = Varchar(length=3, default="")
    ledger_entry = ForeignKey(references=LedgerEntry, null=True)
    ledger_amount = Integer(null=True, default=None)
    ledger_currency = Varchar(length=3, default="")
    occurred_at = Timestamptz(null=True, default=None)
    message = Text(default="")
    recorded_at = Timestamptz(null=True, default=None)  # when "record missing" put it in the ledger
    recorded_by = ForeignKey(references=Person, null=True)


class RefundRequest(Table, tablename="billing_refund_request"):
    """A refund finance asked for, written before Stripe is asked.

    ``idempotency_key`` (unique) is derived from the registration, the charge
    and how much of it had been refunded when finance looked
    (``refund-<registration>-<charge>-after-<refunded>``): a double click, a
    resubmitted form or a retry after a timeout names the same row and
    replays the same Stripe request, so the money goes back once.
    """

    id: Serial  # added by Piccolo; declared for type checkers
    registration = ForeignKey(references=Registration, null=False)
    stripe_charge_id = Varchar(length=255)
    idempotency_key = Varchar(length=255, unique=True)
    amount = Integer()  # minor units, positive: what goes back to the payer
    currency = Varchar(length=3)
    reason = Text(default="")
    requested_by = ForeignKey(references=Person, null=True)
    status = Varchar(length=12, default="creating")  # creating, succeeded, failed
    stripe_refund_id = Varchar(length=255, default="")
    failure = Text(default="")
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class Dispute(Table, tablename="billing_dispute"):
    """A chargeback on one of our charges, as Stripe last described it (re-read on every event).

    The money it moves is in the ledger (kind ``dispute`` and ``fee``, one row
    per balance transaction); this row carries what finance works from: the
    status, the reason and when evidence is due.
    """

    id: Serial  # added by Piccolo; declared for type checkers
    stripe_dispute_id = Varchar(length=255, unique=True)
    stripe_charge_id = Varchar(length=255)
    registration = ForeignKey(references=Registration, null=True)
    amount = Integer()  # minor units the cardholder disputes
    currency = Varchar(length=3)
    reason = Varchar(length=60, default="")
    status = Varchar(length=30)  # Stripe's: needs_response, under_review, won, lost, warning_*
    evidence_due_by = Timestamptz(null=True, default=None)
    opened_at = Timestamptz()
    updated_at = Timestamptz(default=TimestamptzNow())
