"""The month bench/reconciliation.py reconciles: balance transactions in the local Stripe and the ledger.

Imported once bench.harness.use_database has chosen the scratch database (the
app's modules read DATABASE_URL when first imported).
"""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime
from typing import Any

from accounts.schemas import ProgramCreate
from accounts.services.programs import create_program
from accounts.tables import Person
from billing.finance.periods import Period
from billing.ledger import at
from billing.tables import LedgerEntry
from events.tables import Event, Registration
from tests.stripe_server import Account
from tests.stripe_server.payouts import stripe_fee

EVENTS, PROGRAMS = 40, 4
BATCH = 400  # rows per INSERT: well under SQLite's bound-variable limit
PLANTED = 11


def _rows_of(items: list[Any], size: int = BATCH) -> list[list[Any]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


async def _registrations(tag: str, count: int) -> list[int]:
    """``count`` confirmed registrations spread over 40 events of 4 programs (bulk inserts)."""
    programs = [
        (
            await create_program(ProgramCreate(slug=f"bench-{tag}-{p}", name=f"Bench {p}", kind="conference"))
        ).id
        for p in range(PROGRAMS)
    ]
    start = datetime(2027, 6, 1, 14, tzinfo=UTC)
    events = []
    for e in range(EVENTS):
        made = await Event.insert(
            Event(
                kind="conference",
                title=f"Bench conference {e}",
                time_zone="America/Chicago",
                starts_at=start,
                ends_at=start,
                capacity=count,
                status="published",
                program=programs[e % PROGRAMS],
            )
        ).returning(Event.id)
        events.append(made[0]["id"])
    people = -(-count // EVENTS)
    emails = [f"bench-{tag}-{p}@example.org" for p in range(people)]
    for chunk in _rows_of(emails):
        # "!" is no argon2 hash: these people cannot sign in, they only own registrations.
        people_rows = [Person(email=m, name=m.split("@")[0], password_hash="!") for m in chunk]  # noqa: S106
        await Person.insert(*people_rows)
    ids = {
        r["email"]: r["id"]
        for r in await Person.select(Person.id, Person.email).where(Person.email.is_in(emails))
    }
    wanted = [(events[i % EVENTS], emails[i // EVENTS]) for i in range(count)]
    made_ids: list[int] = []
    for chunk in _rows_of(wanted):
        rows = [
            Registration(event=e, person=ids[m], email_key=m, status="confirmed", amount=0, currency="USD")
            for e, m in chunk
        ]
        made_ids += [r["id"] for r in await Registration.insert(*rows).returning(Registration.id)]
    return made_ids


def _set_clock(stripe: Account, epoch: int) -> None:
    stripe.clock_offset = epoch - int(time.time())


def _row(
    kind: str, amount: int, currency: str, stripe_id: str, txn: str, when: int, **more: Any
) -> LedgerEntry:
    return LedgerEntry(
        kind=kind,
        amount=amount,
        currency=currency.upper(),
        stripe_id=stripe_id,
        stripe_balance_transaction_id=txn,
        occurred_at=at(when),
        **more,
    )


async def seed(stripe: Account, period: Period, count: int) -> None:
    """``count`` balance transactions in Stripe over ``period``, and in the ledger; 11 planted findings."""
    refunds = (count - 2) // 41  # partial refunds, on every 40th charge until there are enough
    charges = count - refunds - 2  # and two stand-alone fees make up the rest
    registrations = await _registrations(uuid.uuid4().hex[:8], charges)
    first, last = int(period.start.timestamp()), int(period.end.timestamp()) - 3600
    step = (last - first) / charges
    missing, differing = {charges // 7, charges // 3, charges - 5}, {charges // 5, charges // 2, charges - 9}
    ledger: list[LedgerEntry] = []
    for i, registration in enumerate(registrations):
        when = first + int(i * step)
        _set_clock(stripe, when)
        currency, amount = ("jpy", 3000) if i % 20 == 7 else ("usd", 1500 + (i % 40) * 125)
        charge = stripe.new_charge(amount, currency, {"registration_id": str(registration)})
        txn = stripe.objects[charge["balance_transaction"]]
        link = {"registration": registration, "stripe_charge_id": charge["id"]}
        if i not in missing:
            booked = amount - 100 if i in differing else amount
            ledger.append(_row("charge", booked, currency, charge["id"], txn["id"], when, **link))
            ledger.append(_row("fee", -txn["fee"], currency, txn["id"], txn["id"], when, **link))
        if i % 40 == 25 and refunds:
            refunds -= 1
            _set_clock(stripe, when + 600)
            refund, _ = stripe.refund({"charge": charge["id"], "amount": str(amount // 4)})
            back = refund["balance_transaction"]
            ledger.append(_row("refund", -(amount // 4), currency, refund["id"], back, when + 600, **link))
    assert refunds == 0
    for n in range(2):
        _set_clock(stripe, first + (n + 1) * 86_400 + 123)
        stripe_fee(stripe, 500 + n, "usd", "Radar screening")
    for n in range(3):
        ghost = f"ch_bench_ghost_{count}_{n}"
        ledger.append(
            _row(
                "charge",
                2500,
                "usd",
                ghost,
                f"txn_bench_ghost_{count}_{n}",
                first + (n + 2) * 86_400,
                stripe_charge_id=ghost,
            )
        )
    stripe.clock_offset = 0
    for chunk in _rows_of(ledger):
        await LedgerEntry.insert(*chunk)
    # A month's rows arrive over a month and autovacuum keeps the planner's statistics; a bulk load
    # does not, and PostgreSQL would plan for an empty table.
    await LedgerEntry.raw("ANALYZE")


async def history(rows: int) -> None:
    """Earlier years of the ledger, outside every measured month: a run must not pay for them."""
    start = int(datetime(2025, 1, 1, tzinfo=UTC).timestamp())
    step = 364 * 86_400 // max(rows, 1)  # all of it inside 2025
    ledger = [
        _row("charge", 1000, "usd", f"ch_history_{i}", f"txn_history_{i}", start + i * step)
        if i % 2 == 0
        else _row("fee", -59, "usd", f"txn_history_{i - 1}", f"txn_history_{i - 1}", start + (i - 1) * step)
        for i in range(rows)
    ]
    for chunk in _rows_of(ledger):
        await LedgerEntry.insert(*chunk)
