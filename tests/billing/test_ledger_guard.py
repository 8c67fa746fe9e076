"""The ledger is append-only in the database: UPDATE and DELETE are refused by triggers on both engines."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from billing.ledger import Movement, record
from billing.tables import LedgerEntry
from grandrounds.db import write_transaction

CHARGE = Movement("charge", 1999, "USD", "ch_test_guard", datetime(2026, 11, 2, 15, 0, tzinfo=UTC))


async def a_recorded_charge() -> int:
    async with write_transaction():
        assert await record([CHARGE]) == 1
    row = await LedgerEntry.select(LedgerEntry.id).where(LedgerEntry.stripe_id == CHARGE.stripe_id).first()
    assert row is not None
    return int(row["id"])


async def unchanged(entry_id: int) -> None:
    row = await LedgerEntry.select(LedgerEntry.amount, LedgerEntry.currency).where(LedgerEntry.id == entry_id)
    assert row == [{"amount": 1999, "currency": "USD"}]


async def test_an_update_is_refused_by_the_database() -> None:
    entry_id = await a_recorded_charge()
    with pytest.raises(Exception, match="append-only"):
        async with write_transaction():
            await LedgerEntry.update({LedgerEntry.amount: 1}).where(LedgerEntry.id == entry_id)
    with pytest.raises(Exception, match="append-only"):
        await LedgerEntry.raw("UPDATE billing_ledger_entry SET currency = 'EUR'")
    await unchanged(entry_id)


async def test_a_delete_is_refused_by_the_database() -> None:
    entry_id = await a_recorded_charge()
    with pytest.raises(Exception, match="append-only"):
        async with write_transaction():
            await LedgerEntry.delete().where(LedgerEntry.id == entry_id)
    with pytest.raises(Exception, match="append-only"):
        await LedgerEntry.raw("DELETE FROM billing_ledger_entry")
    await unchanged(entry_id)


async def test_inserting_still_works_and_repeats_add_nothing() -> None:
    await a_recorded_charge()
    async with write_transaction():
        refund = Movement("refund", -500, "USD", "re_test_guard", CHARGE.occurred_at, stripe_charge_id="ch_x")
        assert await record([CHARGE, refund]) == 1
    assert await LedgerEntry.count() == 2


async def test_a_declared_purge_is_the_only_way_to_delete() -> None:
    """What the test suite's cleanup does between tests; the application never does it."""
    await a_recorded_charge()
    await LedgerEntry.raw("INSERT INTO billing_ledger_purge (reason) VALUES ('wipe a test database')")
    try:
        await LedgerEntry.raw("DELETE FROM billing_ledger_entry")
    finally:
        await LedgerEntry.raw("DELETE FROM billing_ledger_purge")
    assert await LedgerEntry.count() == 0
    await a_recorded_charge()
    with pytest.raises(Exception, match="append-only"):  # the purge is over, and so is the exception
        await LedgerEntry.raw("DELETE FROM billing_ledger_entry")
