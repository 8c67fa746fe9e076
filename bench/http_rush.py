"""A registration rush over real HTTP, beside what the database and the server alone can do.

One run, in this order, each part in its own processes:

1. a scratch database (PostgreSQL on DATABASE_URL's server, or a SQLite file),
   migrated; ``--people`` members with API tokens, ``--events`` published free
   webinars, and ``--prefill`` earlier registrations on each event;
2. `grandrounds serve --workers W`, and wrk (bench/rush.lua) POSTing
   /api/v1/events/{id}/registrations with a different member's token each
   time, ``--connections`` at once for ``--duration`` seconds; then the rows
   the load made are counted in the database and set against the 201 answers;
3. pgbench (PostgreSQL only) running the hot-row transaction by itself: take
   a seat on one event row and insert a registration into a copy of our
   table, ``--pgbench-clients`` clients (bench/pgbench_hot_row.sql);
4. bench/bare_app.py under the same uvicorn and workers, hit by the same wrk
   script with ``--bare-connections``.

It prints registrations/s, p50/p99, non-2xx and 5xx answers, confirmed rows
against 201 answers, the start-up time and memory of the API processes, and
the ratios grandrounds/pgbench and grandrounds/bare. It exits 1 when a
registration was lost or doubled (rows made != 201 answers) or a 5xx came back.

    .venv/bin/python bench/http_rush.py [--db pg|sqlite] [--connections 64] [--duration 20]
        [--events 1|100] [--prefill 50000] [--people 30000] [--workers 2]

See bench/README.md for the targets.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import harness

LUA = harness.BENCH / "rush.lua"
PGBENCH_SCRIPT = harness.BENCH / "pgbench_hot_row.sql"
# The tables pgbench_hot_row.sql writes: a copy of ours (columns, defaults, indexes) and one seat counter
# per event row.
HOT_ROW_TABLES = """
DROP TABLE IF EXISTS bench_hot_registration, bench_hot_event;
DROP SEQUENCE IF EXISTS bench_hot_person;
CREATE TABLE bench_hot_registration (LIKE events_registration INCLUDING ALL);
CREATE TABLE bench_hot_event (
    id integer PRIMARY KEY, capacity integer NOT NULL, taken integer NOT NULL DEFAULT 0
);
INSERT INTO bench_hot_event (id, capacity) SELECT n, 2000000000 FROM generate_series(1, {events}) n;
CREATE SEQUENCE bench_hot_person;
"""


@dataclass
class WrkFigures:
    statuses: dict[int, int]
    answered: int
    in_flight_at_stop: int
    span_s: float
    p50_ms: float
    p99_ms: float
    max_ms: float
    socket_errors: int
    socket_errors_detail: str
    tokens_exhausted: bool

    @property
    def per_second(self) -> float:
        return self.answered / self.span_s if self.span_s else 0.0

    @property
    def created(self) -> int:
        return self.statuses.get(201, 0)

    @property
    def non_2xx(self) -> int:
        return sum(n for s, n in self.statuses.items() if not 200 <= s < 300)

    @property
    def server_errors(self) -> int:
        return sum(n for s, n in self.statuses.items() if s >= 500)


def run_wrk(
    base: str, tokens: Path, paths: Path, args: argparse.Namespace, connections: int, *, reuse: bool = False
) -> WrkFigures:
    """wrk with bench/rush.lua: registrations for ``--duration`` seconds, then until every answer is in.

    The answers in flight at the end may take long (a queue is not served in order), so wrk runs for
    up to ``--grace`` seconds more and is ended with SIGINT as soon as each of its threads has marked
    itself idle (every request it sent answered). ``reuse`` lets each thread start its tokens over
    when they run out (the bare endpoint keeps no rows).
    """
    wrk = harness.ensure_tool("wrk", "wrk")
    threads = min(args.threads, connections)
    idle = Path(tempfile.mkdtemp(prefix="grandrounds-wrk-"))
    command = [wrk, f"-t{threads}", f"-c{connections}", f"-d{args.duration + args.grace}s", "--latency",
               "--timeout", f"{args.duration + args.grace}s", "-s", str(LUA), base, "--",
               str(tokens), str(paths), str(args.duration), str(threads), "1" if reuse else "0",
               str(idle)]  # fmt: skip
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) as process:
        deadline = time.monotonic() + args.duration + args.grace + 60
        while process.poll() is None and time.monotonic() < deadline:
            if len(list(idle.glob("idle-*"))) >= threads:
                process.send_signal(signal.SIGINT)
                break
            time.sleep(0.2)  # wrk runs in its own process: nothing to wait on but its marker files
        stdout, stderr = process.communicate(timeout=120)
    shutil.rmtree(idle, ignore_errors=True)
    if process.returncode != 0:
        raise SystemExit(f"wrk failed:\n{stdout}\n{stderr}")
    found = dict(re.findall(r"^rush (\S+) (\S+)$", stdout, re.MULTILINE))
    statuses = {int(k.removeprefix("status_")): int(v) for k, v in found.items() if k.startswith("status_")}
    return WrkFigures(
        statuses=statuses,
        answered=int(found["answered"]),
        in_flight_at_stop=int(found["in_flight_at_stop"]),
        span_s=float(found["span_s"]),
        p50_ms=float(found["p50_ms"]),
        p99_ms=float(found["p99_ms"]),
        max_ms=float(found["max_ms"]),
        socket_errors=int(found["socket_errors"]),
        socket_errors_detail=found["socket_errors_detail"],
        tokens_exhausted=found["tokens_exhausted"] == "1",
    )


def describe(name: str, w: WrkFigures) -> str:
    statuses = ", ".join(f"{s}: {n}" for s, n in sorted(w.statuses.items()))
    return (
        f"{name}: {w.per_second:.0f}/s over {w.span_s:.1f} s, p50 {w.p50_ms:.0f} ms, p99 {w.p99_ms:.0f} ms, "
        f"max {w.max_ms:.0f} ms; answers {statuses or 'none'}; non-2xx {w.non_2xx}, 5xx {w.server_errors}, "
        f"socket errors {w.socket_errors} ({w.socket_errors_detail})"
    )


async def seed(db: harness.Database, args: argparse.Namespace) -> tuple[list[int], list[str]]:
    """The events and the people of the rush; the event ids and the rush's tokens."""
    from bench import seed as seeding

    capacity = min(100_000, args.prefill + args.people + 10)
    events = await seeding.free_webinars(args.events, capacity, "rush")
    async with seeding.Bulk(db) as bulk:
        _, tokens = await seeding.people(bulk, "rush", args.people, tokens=True)
        if args.prefill:
            earlier, _ = await seeding.people(bulk, "pre", args.prefill, tokens=False)
            await seeding.earlier_registrations(bulk, events, earlier, "pre")
    return events, tokens


async def count_rows(db: harness.Database, events: list[int]) -> tuple[int, int]:
    """Rows the rush made on ``events``: all of them, and the confirmed ones."""
    from bench import seed as seeding

    async with seeding.Bulk(db) as bulk:
        marks = ", ".join(str(int(e)) for e in events)
        query = (
            "SELECT count(*), coalesce(sum(CASE WHEN r.status = 'confirmed' THEN 1 ELSE 0 END), 0) "  # noqa: S608
            "FROM events_registration r JOIN accounts_person p ON p.id = r.person "
            f"WHERE r.event IN ({marks}) AND p.email LIKE $1"
        )
        rows = await bulk.fetch(query, "rush-%")
    return int(rows[0][0]), int(rows[0][1])


def hot_row_tps(db: harness.Database, args: argparse.Namespace) -> harness.PgbenchResult:
    """pgbench on a copy of our registration table beside the run's own, in the same database."""
    harness.psql(db.url, HOT_ROW_TABLES.format(events=int(args.events)))
    return harness.pgbench(
        db.url,
        PGBENCH_SCRIPT,
        args.pgbench_clients,
        args.pgbench_seconds,
        define={"events_count": args.events},
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["pg", "sqlite"], default="pg")
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--duration", type=int, default=20, help="seconds of registrations")
    parser.add_argument(
        "--grace", type=int, default=10, help="seconds for the answers in flight to come back"
    )
    parser.add_argument(
        "--events", type=int, default=1, help="events the load spreads over (1: one hot event)"
    )
    parser.add_argument("--prefill", type=int, default=0, help="earlier registrations on each event")
    parser.add_argument("--people", type=int, default=30_000, help="members with tokens (one request each)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--pgbench-clients", type=int, default=16)
    parser.add_argument("--pgbench-seconds", type=int, default=0, help="default: --duration")
    parser.add_argument("--bare-connections", type=int, default=64)
    parser.add_argument("--no-compare", action="store_true", help="skip pgbench and the bare endpoint")
    args = parser.parse_args()
    args.pgbench_seconds = args.pgbench_seconds or args.duration
    harness.ensure_tool("wrk", "wrk")

    problems: list[str] = []
    with harness.scratch_database(args.db, "rush") as db:
        harness.migrate(db)
        harness.use_database(db)
        events, tokens = asyncio.run(seed(db, args))
        work = db.var_dir
        (work / "tokens.txt").write_text("\n".join(tokens) + "\n")
        (work / "paths.txt").write_text("".join(f"/api/v1/events/{e}/registrations\n" for e in events))
        print(
            f"grandrounds on {db.engine}, serve --workers {args.workers}; {args.events} event(s), "
            f"{args.prefill} earlier registrations each, {args.people} members with tokens; "
            f"wrk {args.connections} connections for {args.duration} s",
            flush=True,
        )
        with harness.grandrounds_serve(db, args.workers, work / "serve.log") as served:
            app = run_wrk(served.base, work / "tokens.txt", work / "paths.txt", args, args.connections)
            rss = served.rss_mb()
            print(f"serve ready in {served.ready_s:.2f} s", flush=True)
        made, confirmed = asyncio.run(count_rows(db, events))
        print(describe("grandrounds registrations", app), flush=True)
        print(f"rows the rush made: {made}, of them confirmed: {confirmed}; 201 answers: {app.created}")
        print(
            "resident memory after the rush: " + ", ".join(f"{mb:.0f} MB" for mb in rss) + " per API process"
        )
        if made != app.created:
            problems.append(f"rows made ({made}) != 201 answers ({app.created})")
        if confirmed != app.created:
            problems.append(f"confirmed rows ({confirmed}) != 201 answers ({app.created})")
        if app.server_errors:
            problems.append(f"{app.server_errors} answers were 5xx (see {work / 'serve.log'})")
        if app.in_flight_at_stop:
            problems.append(
                f"{app.in_flight_at_stop} registrations still in flight when wrk stopped: raise --grace"
            )
        if problems:
            print(f"the server's log ({work / 'serve.log'}), its end:", file=sys.stderr)
            print((work / "serve.log").read_text()[-4000:], file=sys.stderr)
        if app.tokens_exhausted:
            print("note: the tokens ran out before the duration ended; raise --people")

        if not args.no_compare:
            if db.is_postgres:
                pg = hot_row_tps(db, args)
                print(
                    f"pgbench hot-row transaction, {args.pgbench_clients} clients, "
                    f"{args.events} event row(s): {pg.tps:.0f} transactions/s, "
                    f"latency {pg.latency_ms:.1f} ms avg, {pg.failed} failed",
                    flush=True,
                )
            with harness.bare_serve(args.workers, work / "bare.log") as bare_served:
                bare_args = argparse.Namespace(**{**vars(args), "events": 1})
                bare = run_wrk(bare_served.base, work / "tokens.txt", work / "paths.txt", bare_args,
                               args.bare_connections, reuse=True)  # fmt: skip
            print(describe(f"bare Litestar endpoint, {args.bare_connections} connections", bare), flush=True)
            if db.is_postgres:
                print(f"ratio grandrounds/pgbench: {app.per_second / pg.tps:.1%}")
            print(f"ratio grandrounds/bare: {app.per_second / bare.per_second:.1%}")
    for problem in problems:
        print(f"PROBLEM: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
