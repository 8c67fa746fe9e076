"""Two API processes and two workers on one PostgreSQL lose, double and resend nothing.

The test is a run of ``bench/cluster.py`` (so the bench that measures memory per
API process and start-to-ready time for the notes cannot rot) with the numbers
below: `grandrounds migrate` runs once; then two `grandrounds serve` processes
(``--workers 1``) and two `grandrounds worker` processes share the database, the
local Stripe-shaped server and a loopback SMTP server. A registration burst for
a webinar with fewer seats than people and a webhook burst (each payment's event
delivered to both API processes at once) are spread across both servers, and
tests/builders/cluster.py checks what must hold: every 201 has its row, exactly
the capacity confirmed and the rest waitlisted, each payment charged, mirrored
in the ledger and confirmed once, every message of the outbox sent and received
exactly once (by Message-ID and by recipient and kind), no request lost, 503'd or
answered 500, both workers stopped cleanly, every chore ran on its lease and the
daily retention run once for the four processes. The bench exits 1 on any problem.

PostgreSQL only: several machines cannot share one SQLite file.
"""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import pytest

from grandrounds.db import is_sqlite

pytestmark = pytest.mark.skipif(
    is_sqlite(), reason="several machines share a PostgreSQL server; SQLite is one file on one machine"
)

BENCH = Path(__file__).resolve().parents[2] / "bench" / "cluster.py"
PEOPLE, CAPACITY, BUYERS, DELIVERIES = 200, 120, 16, 2


async def test_two_servers_and_two_workers_lose_and_double_nothing() -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable, str(BENCH),
        "--people", str(PEOPLE), "--capacity", str(CAPACITY),
        "--buyers", str(BUYERS), "--deliveries", str(DELIVERIES), "--concurrency", "32", "--together",
        env=dict(os.environ),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    out, _ = await asyncio.wait_for(process.communicate(), timeout=900)
    text = out.decode()
    figures = [line for line in text.splitlines() if not line.startswith(("INFO", "DEBUG"))]
    print("\n" + "\n".join(figures))
    assert process.returncode == 0, text[-4000:]
    assert "lost or doubled: 0" in figures
    assert f"pushed: {PEOPLE + BUYERS} registrations, {BUYERS * DELIVERIES} webhooks" in text
    # The leases are free at the start (every test starts from empty tables): every chore ran, and the
    # daily one, which leaves a record of each run, ran once for four processes.
    assert any(line.endswith("retention chore runs: 1") for line in figures)
