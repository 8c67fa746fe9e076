"""Shapes of the finance API (msgspec Structs). Amounts are signed integer minor units plus a currency;
``*_display`` fields give the same amount formatted for people ("19.99", "1000")."""

from __future__ import annotations

from datetime import datetime

import msgspec


class FindingOut(msgspec.Struct, kw_only=True):
    id: int
    kind: str  # missing_in_ledger, missing_in_stripe, amount_differs, currency_differs, unexplained_fee
    message: str
    stripe_balance_transaction_id: str
    stripe_type: str
    stripe_source: str
    stripe_amount: int | None
    stripe_currency: str
    ledger_entry_id: int | None
    ledger_amount: int | None
    ledger_currency: str
    occurred_at: datetime | None
    recordable: bool  # "record missing" can import it into the ledger
    recorded_at: datetime | None


class RunOut(msgspec.Struct, kw_only=True):
    id: int
    period_start: datetime
    period_end: datetime  # excluded
    stripe_transactions: int
    ledger_entries: int
    matched: int
    ran_at: datetime
    findings: list[FindingOut]


class RunSummary(msgspec.Struct, kw_only=True):
    id: int
    period_start: datetime
    period_end: datetime
    stripe_transactions: int
    matched: int
    findings: int
    ran_at: datetime


class ReconcileIn(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """A period [from, to): dates (UTC midnight) or ISO datetimes."""

    start: str = msgspec.field(name="from")
    end: str = msgspec.field(name="to")


class RecordMissingIn(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """Which findings to import; none given means every finding of the run that can be imported."""

    finding_ids: list[int] = msgspec.field(default_factory=list)


class RecordOutcome(msgspec.Struct, kw_only=True):
    run_id: int
    recorded: list[int]  # findings now in the ledger
    skipped: list[int]  # findings that cannot be imported (or were already)
    ledger_entries_added: int


class TotalOut(msgspec.Struct, kw_only=True):
    """One group's money in one currency (currencies are never added together)."""

    key: str  # event or program id, membership tier; "" for money outside any group
    label: str
    currency: str
    charges: int
    refunds: int  # negative
    fees: int  # negative
    disputes: int  # negative
    net: int
    net_display: str


class TotalsOut(msgspec.Struct, kw_only=True):
    by: str  # event, program, tier
    period_start: datetime | None
    period_end: datetime | None
    rows: list[TotalOut]


class LedgerRowOut(msgspec.Struct, kw_only=True):
    id: int
    occurred_at: datetime
    kind: str
    amount: int
    amount_display: str
    currency: str
    stripe_id: str
    stripe_charge_id: str
    stripe_balance_transaction_id: str
    registration_id: int | None
    event_id: int | None
    event_title: str
    event_starts_at: datetime | None
    program: str


class PaymentRowOut(msgspec.Struct, kw_only=True):
    """One charge with what followed it: refunds and fees, and what is left (net)."""

    charge_id: str
    paid_at: datetime
    registration_id: int | None
    payer_name: str
    payer_email: str
    event_id: int | None
    event_title: str
    event_starts_at: datetime | None
    program: str
    currency: str
    amount: int
    amount_display: str
    refunded: int
    fees: int
    net: int
    net_display: str


class PageOut(msgspec.Struct, kw_only=True):
    total: int
    limit: int
    offset: int


class LedgerPage(PageOut, kw_only=True):
    items: list[LedgerRowOut]


class PaymentPage(PageOut, kw_only=True):
    items: list[PaymentRowOut]


class AlertOut(msgspec.Struct, kw_only=True):
    id: int
    kind: str
    registration_id: int | None
    stripe_id: str
    message: str
    details: dict[str, object]
    created_at: datetime
    resolved_at: datetime | None
    resolved_by: int | None
    resolution: str


class ResolveIn(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    resolution: str = msgspec.field(default="")
