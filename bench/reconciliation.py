"""Reconciliation at scale: a month of N balance transactions in Stripe and in the ledger.

For each size N it seeds one calendar month: N balance transactions in the
Stripe-shaped local server (tests.stripe_server, spoken to over HTTP by the
real stripe SDK inside the app) -- card charges with their fees, a partial
refund on about every 40th charge, a JPY charge now and then -- and the ledger rows
that mirror them, attached to registrations of 40 events in 4 programs. Then
it plants 11 discrepancies (3 charges missing from the ledger, 3 ledger
charges Stripe does not have, 3 amounts that differ, 2 fees Stripe took on
its own) and times, through the app:

- a reconciliation run (POST /api/v1/finance/reconciliations), and, alone,
  the two reads it is made of: listing the month from Stripe, and reading
  the ledger rows of the month and those the month's transactions name;
- the finance totals page (GET /finance for the month);
- the CSV exports (GET /finance/exports/ledger.csv and payments.csv).

    .venv/bin/python bench/reconciliation.py [--sizes 1000 10000] [--rounds 5] [--history 0]
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/grt_bench .venv/bin/python bench/reconciliation.py

``--history N`` first adds N ledger rows of 2025 (a ledger with a past), which
no measured month should have to read.

Without DATABASE_URL it uses a throwaway SQLite file. With it, the database
must have an empty ledger (the ledger is append-only, and the fake Stripe
starts empty, so older rows would be discrepancies): create a new scratch
database for each run. Each size gets its own month of 2026.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

_SCRATCH = Path(tempfile.mkdtemp(prefix="grandrounds-reconcile-"))
os.environ.setdefault("GRANDROUNDS_VAR_DIR", str(_SCRATCH / "var"))
os.environ.setdefault("GRANDROUNDS_ENV", "development")  # one machine: its processes share var/secret_key
os.environ.setdefault("DATABASE_URL", f"sqlite:///{_SCRATCH / 'reconcile.sqlite3'}")
os.environ.setdefault("GRANDROUNDS_PASSWORD_HASH_PROFILE", "cheap")  # setting people up is not measured
os.environ["GRANDROUNDS_DISPATCHER_IN_SERVER"] = "0"  # nothing else competes for the database
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import logging  # noqa: E402

import httpx  # noqa: E402
from asgi_lifespan import LifespanManager  # noqa: E402
from billing.services import reconciliation  # noqa: E402

from accounts.principal import Role  # noqa: E402
from accounts.schemas import ProgramCreate, SignUp  # noqa: E402
from accounts.services.credentials import create_token, open_session  # noqa: E402
from accounts.services.people import create_person  # noqa: E402
from accounts.services.programs import create_program  # noqa: E402
from accounts.tables import Person  # noqa: E402
from billing.finance.periods import Period, month_of  # noqa: E402
from billing.ledger import at  # noqa: E402
from billing.stripe_client import STATE_KEY  # noqa: E402
from billing.tables import LedgerEntry  # noqa: E402
from events.tables import Event, Registration  # noqa: E402
from grandrounds.db import migrate  # noqa: E402
from grandrounds.server.app import create_app  # noqa: E402
from grandrounds.settings import get_settings  # noqa: E402
from grandrounds.web.auth import SESSION_COOKIE  # noqa: E402
from tests.stripe_server import Account, StripeServer  # noqa: E402
from tests.stripe_server.payouts import stripe_fee  # noqa: E402

API_KEY = "sk_test_bench"
PASSWORD = "correct horse battery"  # noqa: S105 - a throwaway account in a scratch database
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


async def timed(rounds: int, action: Callable[[], Awaitable[Any]]) -> tuple[float, Any]:
    """Median seconds of ``rounds`` runs of ``action``, and the last result."""
    spent, result = [], None
    for _ in range(rounds):
        began = time.perf_counter()
        result = await action()
        spent.append(time.perf_counter() - began)
    return statistics.median(spent), result


def _ok(response: httpx.Response) -> httpx.Response:
    assert response.status_code == 200, response.text[:500]
    return response


async def measure(app: Any, stripe: Account, count: int, period: Period, rounds: int) -> dict[str, float]:
    await seed(stripe, period, count)
    finance = await create_person(
        SignUp(email=f"finance-{uuid.uuid4().hex[:8]}@example.org", password=PASSWORD, name="Finance"),
        roles=(Role.FINANCE,),
    )
    headers = {"Authorization": f"Bearer {(await create_token(finance, 'bench')).token}"}
    month = {"from": period.start.date().isoformat(), "to": period.end.date().isoformat()}
    figures: dict[str, float] = {}
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://bench", timeout=600
    ) as client:
        client.cookies.set(SESSION_COOKIE, (await open_session(finance, 1)).secret)

        async def run() -> dict[str, Any]:
            return dict(
                _ok(await client.post("/api/v1/finance/reconciliations", json=month, headers=headers)).json()
            )

        figures["reconciliation run"], found = await timed(rounds, run)
        assert len(found["findings"]) == PLANTED, sorted(f["kind"] for f in found["findings"])
        assert found["stripe_transactions"] == count, found["stripe_transactions"]
        figures["  of which listing Stripe"], (txns, _) = await timed(
            rounds, lambda: reconciliation._stripe_side(app.state[STATE_KEY], period)
        )
        figures["  of which reading the ledger"], _ = await timed(
            rounds, lambda: reconciliation._ledger(period, txns)
        )
        figures["finance totals page"], _ = await timed(rounds, lambda: client.get("/finance", params=month))
        figures["ledger.csv export"], ledger = await timed(
            rounds, lambda: client.get("/finance/exports/ledger.csv", params=month)
        )
        figures["payments.csv export"], payments = await timed(
            rounds, lambda: client.get("/finance/exports/payments.csv", params=month)
        )
        assert _ok(ledger).text.count("\n") > 2 * count * 0.9 and _ok(payments).text.count("\n") > count * 0.9
    return figures


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10_000])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--history", type=int, default=0, help="ledger rows of 2025 to add first")
    args = parser.parse_args()
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("stripe").setLevel(logging.WARNING)  # one line per Stripe request otherwise

    await migrate(quiet=True)
    if await LedgerEntry.count():
        sys.exit("The ledger is not empty: point DATABASE_URL at a new scratch database.")
    await history(args.history)
    server = StripeServer(API_KEY).start()
    settings = replace(
        get_settings(),
        stripe_secret_key=API_KEY,
        stripe_webhook_secret="whsec_bench",  # noqa: S106 - no webhooks are sent
        stripe_api_base=server.url,
    )
    app: Any = create_app(settings)  # an ASGI app, as httpx and asgi-lifespan type it
    engine = "PostgreSQL" if os.environ["DATABASE_URL"].startswith("postgres") else "SQLite"
    try:
        async with LifespanManager(app):
            for n, size in enumerate(args.sizes):
                period = month_of(datetime(2026, 3 + n, 15, tzinfo=UTC))
                figures = await measure(app, server.account, size, period, args.rounds)
                before = f", {args.history} ledger rows of 2025 before" if args.history else ""
                print(f"{size} balance transactions on {engine}{before}, median of {args.rounds} rounds")
                for name, seconds in figures.items():
                    print(f"  {name:<28} {seconds * 1000:8.0f} ms")
    finally:
        server.stop()


if __name__ == "__main__":
    asyncio.run(main())
