"""Faults under load: kill the server and the worker at random, restart PostgreSQL, count what is lost.

Each round runs `grandrounds serve` and `grandrounds worker` as real processes
against the database in DATABASE_URL (PostgreSQL), with the local
Stripe-shaped server and a loopback SMTP server, and SIGKILLs them at seeded
random moments during a registration rush and a webhook storm, starting each
again at once. Then a private PostgreSQL cluster (initdb in a temporary
directory, as the ``postgres`` OS user when run as root) is stopped and
started under load while the same app processes keep serving. The machine's
own PostgreSQL server is never stopped.

Prints what was injected (kills of each kind, restarts, requests made, how
many were cut off or answered 503) and what was lost or doubled, which must be
nothing; exits 1 otherwise. The checks are tests/builders/faults.py's, the
same as tests/shell/test_faults.py's, on a larger load.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/grt_faults python bench/faults.py \\
        [--rounds 3] [--people 120] [--capacity 50] [--buyers 20] [--deliveries 3] \\
        [--server-kills 4] [--worker-kills 6] [--restarts 3] [--seed 1]

Point DATABASE_URL at a scratch database: every round adds people and events to it.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import random
import sys
import tempfile
import time
from pathlib import Path

_SCRATCH = Path(tempfile.mkdtemp(prefix="grandrounds-faults-"))
os.environ.setdefault("GRANDROUNDS_VAR_DIR", str(_SCRATCH / "var"))
os.environ.setdefault("GRANDROUNDS_ENV", "development")  # one machine: its processes share var/secret_key
os.environ.setdefault("GRANDROUNDS_PASSWORD_HASH_PROFILE", "cheap")  # setting people up is not measured
os.environ["GRANDROUNDS_DISPATCHER_IN_SERVER"] = "0"  # the worker process sends the mail
os.environ["GRANDROUNDS_REQUIRE_2FA_FOR_STAFF"] = "0"  # the staff who make the events sign in by token
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))

import logging  # noqa: E402

from grandrounds.db import migrate  # noqa: E402
from grandrounds.settings import get_settings  # noqa: E402
from tests.builders.faults import STRIPE_KEY, database_restart, rush_and_storm  # noqa: E402
from tests.builders.mail import MailServer  # noqa: E402
from tests.builders.postgres import PrivateCluster, unavailable_reason  # noqa: E402
from tests.stripe_server import StripeServer  # noqa: E402


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3, help="rush-and-storm rounds, each on new events")
    parser.add_argument("--people", type=int, default=120, help="people in each registration rush")
    parser.add_argument("--capacity", type=int, default=50, help="seats of the rush event")
    parser.add_argument("--buyers", type=int, default=20, help="paid places bought in each webhook storm")
    parser.add_argument("--deliveries", type=int, default=3, help="times each payment's webhook is delivered")
    parser.add_argument("--server-kills", type=int, default=4, help="SIGKILLs of `serve` per round")
    parser.add_argument("--worker-kills", type=int, default=6, help="SIGKILLs of `worker` per round")
    parser.add_argument("--restarts", type=int, default=3, help="PostgreSQL restarts (0: skip that scenario)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    for noisy in ("httpx", "mail.log", "asyncio"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    if get_settings().is_sqlite:
        print("bench/faults.py needs DATABASE_URL pointing at a scratch PostgreSQL database", file=sys.stderr)
        return 2
    await migrate(quiet=True)
    print(f"logs of every process under {_SCRATCH}")

    lost = 0
    totals = {"server kills": 0, "worker kills": 0, "requests": 0, "cut off": 0, "503": 0, "500": 0}
    began = time.monotonic()
    for round_number in range(1, args.rounds + 1):
        stripe = StripeServer(STRIPE_KEY).start()
        # The scratch database keeps earlier runs' Checkout Sessions; Stripe never reuses an id, and
        # neither may a new local server (its ids count from 1).
        stripe.account._ids = itertools.count(random.SystemRandom().randrange(10**7, 9 * 10**7))
        try:
            with MailServer() as mail:
                report = await rush_and_storm(
                    _SCRATCH, mail.inbox, mail.port, stripe,
                    people=args.people, capacity=args.capacity, buyers=args.buyers,
                    deliveries=args.deliveries, server_kills=args.server_kills,
                    worker_kills=args.worker_kills, seed=args.seed * 1000 + round_number,
                )  # fmt: skip
        finally:
            stripe.stop()
        print(f"\nround {round_number}: kills during a registration rush and a webhook storm")
        print("\n".join(f"  {line}" for line in report.lines()))
        lost += len(report.problems)
        totals["server kills"] += report.kills.server
        totals["worker kills"] += report.kills.worker
        totals["requests"] += report.tally.requests
        totals["cut off"] += report.tally.cut_off
        totals["503"] += report.tally.unavailable
        totals["500"] += len(report.tally.server_errors)

    if args.restarts:
        reason = unavailable_reason()
        if reason:
            print(f"\nPostgreSQL restarts skipped: {reason}")
        else:
            cluster = PrivateCluster().init()
            try:
                cluster.start()
                with MailServer() as mail:
                    restart = await database_restart(
                        _SCRATCH, cluster, mail.inbox, mail.port,
                        people=args.people // 2, restarts=args.restarts, seed=args.seed,
                    )  # fmt: skip
            finally:
                cluster.remove()
            print("\nPostgreSQL restarted under load (a private cluster)")
            print("\n".join(f"  {line}" for line in restart.lines()))
            lost += len(restart.problems)
            totals["requests"] += restart.tally.requests
            totals["503"] += restart.tally.unavailable
            totals["500"] += len(restart.tally.server_errors)
            totals["PostgreSQL restarts"] = restart.restarts

    print(f"\nin all ({time.monotonic() - began:.0f} s): " + ", ".join(f"{v} {k}" for k, v in totals.items()))
    print(f"lost or doubled: {lost}")
    return 1 if lost else 0


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))
