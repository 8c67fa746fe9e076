"""Reconciliation at scale over real HTTP: a month of N balance transactions in Stripe and in the ledger.

For each size N it seeds one calendar month: N balance transactions in the
Stripe-shaped local server (tests.stripe_server, in this process, spoken to
over HTTP by the real stripe SDK inside `grandrounds serve`) -- card charges
with their fees, a partial refund on about every 40th charge, a JPY charge now
and then -- and the ledger rows that mirror them, attached to registrations of
40 events in 4 programs. Then it plants 11 discrepancies (3 charges missing
from the ledger, 3 ledger charges Stripe does not have, 3 amounts that differ,
2 fees Stripe took on its own), and times against one `grandrounds serve`
process (the sizes run smallest first), over HTTP with a finance member's
token, a reconciliation run (POST /api/v1/finance/reconciliations), checking it found
the 11 planted findings and every transaction; then, signed in, the finance
totals page and the two CSV exports of the month, once each. The server's peak
resident memory (VmHWM) after each run is that size's memory figure.

    .venv/bin/python bench/reconciliation.py [--db pg|sqlite] [--sizes 10000 100000] [--rounds 1]
        [--history 0]

``--history N`` first adds N ledger rows of 2025 (a ledger with a past), which
no measured month should have to read. Each run makes its own scratch
database and drops it afterwards; each size gets its own month of 2026.
Prints the time and memory of each size, the time per 1,000 transactions
(flat when the cost is linear) and the targets of bench/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import harness

API_KEY = "sk_test_bench"
TARGET_SIZE, TARGET_S, TARGET_MB = 100_000, 10, 300
PASSWORD = "correct horse battery"  # noqa: S105 - a throwaway account in a scratch database


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["pg", "sqlite"], default="pg")
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--rounds", type=int, default=1, help="runs of each size (the median is printed)")
    parser.add_argument("--history", type=int, default=0, help="ledger rows of 2025 to add first")
    args = parser.parse_args()

    with harness.scratch_database(args.db, "reconcile") as db:
        harness.migrate(db)
        harness.use_database(db)
        import logging

        import httpx

        from accounts.principal import Role
        from accounts.schemas import SignUp
        from accounts.services.credentials import create_token, open_session
        from accounts.services.people import create_person
        from bench.reconciliation_seed import PLANTED, history, seed
        from billing.finance.periods import month_of
        from grandrounds.web.auth import SESSION_COOKIE
        from tests.stripe_server import StripeServer

        logging.getLogger("httpx").setLevel(logging.WARNING)

        async def finance_credentials() -> tuple[str, str]:
            """A finance member's API token (the API) and sign-in session (the finance pages)."""
            finance = await create_person(
                SignUp(
                    email=f"finance-{uuid.uuid4().hex[:8]}@example.org", password=PASSWORD, name="Finance"
                ),
                roles=(Role.FINANCE,),
            )
            return (await create_token(finance, "bench")).token, (await open_session(finance, 1)).secret

        asyncio.run(history(args.history))
        token, session = asyncio.run(finance_credentials())
        stripe = StripeServer(API_KEY).start()
        env = {
            "STRIPE_SECRET_KEY": API_KEY,
            "STRIPE_WEBHOOK_SECRET": "whsec_bench",  # no webhooks are sent
            "STRIPE_API_BASE": stripe.url,
            "GRANDROUNDS_REQUIRE_2FA_FOR_STAFF": "0",  # the finance member calls with a token
        }
        figures: list[tuple[int, float, float]] = []
        try:
            with harness.grandrounds_serve(db, 1, db.var_dir / "serve.log", **env) as served:
                for n, size in enumerate(sorted(args.sizes)):
                    period = month_of(datetime(2026, 3 + n, 15, tzinfo=UTC))
                    asyncio.run(seed(stripe.account, period, size))
                    month = {"from": period.start.date().isoformat(), "to": period.end.date().isoformat()}
                    spent = []
                    for _ in range(args.rounds):
                        began = time.perf_counter()
                        answer = httpx.post(
                            f"{served.base}/api/v1/finance/reconciliations",
                            json=month,
                            headers={"Authorization": f"Bearer {token}"},
                            timeout=1800,
                        )
                        spent.append(time.perf_counter() - began)
                        assert answer.status_code == 200, answer.text[:500]
                        found = answer.json()
                        assert len(found["findings"]) == PLANTED, sorted(f["kind"] for f in found["findings"])
                        assert found["stripe_transactions"] == size, found["stripe_transactions"]
                    # The sizes run smallest first, so the peak so far is this size's peak.
                    peak = harness.peak_rss_mb(served.process.pid)
                    pages = {}
                    with httpx.Client(
                        base_url=served.base, cookies={SESSION_COOKIE: session}, timeout=600
                    ) as c:
                        for page in (
                            "/finance",
                            "/finance/exports/ledger.csv",
                            "/finance/exports/payments.csv",
                        ):
                            began = time.perf_counter()
                            assert c.get(page, params=month).status_code == 200, page
                            pages[page] = time.perf_counter() - began
                    seconds = statistics.median(spent)
                    figures.append((size, seconds, peak))
                    print(
                        f"{size} balance transactions on {db.engine}: reconciliation run {seconds:.2f} s "
                        f"({seconds / size * 1000 * 1000:.0f} ms per 1,000), "
                        f"peak resident memory {peak:.0f} MB "
                        f"(median of {args.rounds}; {PLANTED} planted findings found)",
                        flush=True,
                    )
                    print(
                        "  then, once each: " + ", ".join(f"{p} {t * 1000:.0f} ms" for p, t in pages.items())
                    )
        finally:
            stripe.stop()
    if len(figures) > 1:
        (small, small_s, _), (large, large_s, _) = figures[0], figures[-1]
        print(
            f"per-transaction cost at {large} against {small}: "
            f"{(large_s / large) / (small_s / small):.2f}x   (linear: about 1x)"
        )
    print(
        f"targets: {TARGET_SIZE} transactions under {TARGET_S} s and {TARGET_MB} MB, linear from 10k to 100k"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
