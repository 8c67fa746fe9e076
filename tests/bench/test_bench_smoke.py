"""Every benchmark in bench/ still runs: each script, tiny and short, exits 0 and prints its figures.

No figure is judged here (the machine is shared and busy; the targets live in
bench/README.md). What is judged is what a benchmark must never get wrong
whatever its speed: the rush's rows in the database equal its 201 answers.
The benchmarks run against the suite's database server: PostgreSQL when
DATABASE_URL names one (each script makes and drops its own scratch
database there), otherwise SQLite files of their own. wrk is the rush's load
generator; scripts/test installs it, and a missing wrk fails here.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from grandrounds.db import is_sqlite

ROOT = Path(__file__).resolve().parents[2]
DB = "sqlite" if is_sqlite() else "pg"


def run_bench(script: str, *args: str, timeout: float = 600) -> str:
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / script), *args],
        cwd=ROOT, capture_output=True, text=True, timeout=timeout, env={**os.environ},
    )  # fmt: skip
    assert done.returncode == 0, f"{script} exited {done.returncode}:\n{done.stdout}\n{done.stderr}"
    return done.stdout


def test_wrk_is_installed() -> None:
    assert shutil.which("wrk"), "wrk is missing: scripts/test installs it (apt-get install wrk)"


def test_http_rush_rows_equal_201_answers() -> None:
    out = run_bench(
        "http_rush.py", "--db", DB, "--duration", "1", "--grace", "5", "--people", "300",
        "--connections", "4", "--workers", "1", "--pgbench-clients", "2", "--bare-connections", "4",
    )  # fmt: skip
    rate = re.search(r"grandrounds registrations: (\d+)/s .* p50 (\d+) ms, p99 (\d+) ms", out)
    assert rate, out
    counted = re.search(r"rows the rush made: (\d+), of them confirmed: (\d+); 201 answers: (\d+)", out)
    assert counted, out
    made, confirmed, created = (int(n) for n in counted.groups())
    assert created > 0
    assert made == confirmed == created
    assert "5xx 0" in out.split("grandrounds registrations:")[1].splitlines()[0]
    assert re.search(r"ratio grandrounds/bare: [\d.]+%", out), out
    if DB == "pg":
        assert re.search(r"pgbench hot-row transaction, .* (\d+) transactions/s", out), out
        assert re.search(r"ratio grandrounds/pgbench: [\d.]+%", out), out
    assert re.search(r"serve ready in [\d.]+ s", out), out
    assert re.search(r"resident memory after the rush: \d+ MB", out), out
