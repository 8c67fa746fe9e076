"""Two API processes and two workers on one PostgreSQL: what a burst costs and what it leaves behind.

Runs ``grandrounds migrate`` once, then starts two `grandrounds serve`
processes (``--workers 1`` each, one after the other) and two `grandrounds
worker` processes against the database in DATABASE_URL (PostgreSQL), with the
local Stripe-shaped server and a loopback SMTP server, and pushes a
registration burst and a webhook burst through both API processes
(tests/builders/cluster.py, the same scenario and checks as
tests/shell/test_cluster.py, larger).

Prints what was pushed (registrations, webhook deliveries, requests per API
process, emails delivered, wall time), each API process's start-to-ready time
(spawn until ``/readyz`` answers 200) and its resident memory (VmRSS) once
ready and after the burst, and what was lost or doubled, which must be
nothing; exits 1 otherwise.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/grt_cluster python bench/cluster.py \\
        [--people 1000] [--capacity 600] [--buyers 40] [--deliveries 3] [--concurrency 32] [--together]

Point DATABASE_URL at a scratch database: every run adds people and events to it.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import random
import sys
import tempfile
from pathlib import Path

_SCRATCH = Path(tempfile.mkdtemp(prefix="grandrounds-cluster-"))
os.environ.setdefault("GRANDROUNDS_VAR_DIR", str(_SCRATCH / "var"))
os.environ.setdefault("GRANDROUNDS_PASSWORD_HASH_PROFILE", "cheap")  # setting people up is not measured
os.environ["GRANDROUNDS_REQUIRE_2FA_FOR_STAFF"] = "0"  # the staff who make the events sign in by token
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))

import logging  # noqa: E402

from grandrounds.settings import get_settings  # noqa: E402
from tests.builders.cluster import cluster_burst  # noqa: E402
from tests.builders.faults import STRIPE_KEY  # noqa: E402
from tests.builders.mail import MailServer  # noqa: E402
from tests.stripe_server import StripeServer  # noqa: E402


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=1000, help="people in the registration burst")
    parser.add_argument("--capacity", type=int, default=600, help="seats of the burst's webinar")
    parser.add_argument("--buyers", type=int, default=40, help="paid places bought in the webhook burst")
    parser.add_argument("--deliveries", type=int, default=3, help="times each payment's webhook is delivered")
    parser.add_argument("--concurrency", type=int, default=32, help="requests in flight at once")
    parser.add_argument(
        "--together",
        action="store_true",
        help="start the four processes at once while the people are made (quicker; start-up figures "
        "then show a rolling start, not one process's own)",
    )
    args = parser.parse_args()
    for noisy in ("httpx", "mail.log", "asyncio"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    if get_settings().is_sqlite:
        print("bench/cluster.py needs DATABASE_URL naming a scratch PostgreSQL database", file=sys.stderr)
        return 2
    print(f"logs of every process under {_SCRATCH}")
    stripe = StripeServer(STRIPE_KEY).start()
    # The scratch database keeps earlier runs' Checkout Sessions; a new local server must not reuse an id.
    stripe.account._ids = itertools.count(random.SystemRandom().randrange(10**7, 9 * 10**7))
    try:
        with MailServer() as mail:
            report = await cluster_burst(
                _SCRATCH, mail.inbox, mail.port, stripe,
                people=args.people, capacity=args.capacity, buyers=args.buyers,
                deliveries=args.deliveries, concurrency=args.concurrency, together=args.together,
            )  # fmt: skip
    finally:
        stripe.stop()
    print("\n".join(report.lines()))
    return 1 if report.problems else 0


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))
