"""Several machines on one PostgreSQL: two API processes and two workers, and a burst spread over both.

Shared by tests/shell/test_cluster.py (a couple of hundred people) and
bench/cluster.py (a thousand, with memory and start-up figures). After
``grandrounds migrate`` has run once, two `grandrounds serve` processes
(``--workers 1`` each, the same secret key, no dispatcher inside) and two
`grandrounds worker` processes start against the database this process is
configured for, with the local Stripe-shaped server and a loopback SMTP
server. Then, at once and with bounded concurrency:

- a registration burst: many people, each with their own API token, sign up for
  one free event with fewer seats than people, the requests alternating
  between the two API processes;
- a webhook burst: buyers of a paid event check out, pay at Stripe, and
  ``checkout.session.completed`` is delivered several times at once, the copies
  landing on both API processes (Stripe retries reach whichever machine).

Nothing is killed (tests/builders/faults.py does that); what must hold is the
same and stricter: ``verify_rush_and_storm``'s checks with no message sent twice,
plus every email arrived once per recipient and kind, no answer was lost or
cut off, both workers stopped cleanly, and the cluster-wide retention chore ran
at most once for the four processes.
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
import time
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, cast

from piccolo.engine.postgres import PostgresEngine

from grandrounds.db import engine, now
from tests.builders.faults import (
    PRICE,
    STRIPE_KEY,
    WEBHOOK_SECRET,
    Caller,
    Kills,
    RushReport,
    Seen,
    Tally,
    buy,
    drain_outbox,
    make_event,
    newest_outbox_row,
    outbox_id,
    register,
    seed_people,
    verify_rush_and_storm,
)
from tests.builders.mail import Inbox, smtp_env
from tests.builders.processes import AppProcess
from tests.stripe_server import StripeServer

# Seconds a server may take to answer /readyz: four processes importing at once on a busy
# two-core machine take their time.
STARTING = 240
# Seconds a client waits for one answer before it counts the request as cut off.
ANSWER_WITHIN = 120


@dataclass
class ClusterReport:
    """What was pushed through the two API processes and two workers, and what went wrong."""

    rush: RushReport  # the load and the shared checks (tests/builders/faults.py)
    concurrency: int
    servers: list[Tally] = field(default_factory=list)  # what each API process was asked and answered
    ready_seconds: list[float] = field(default_factory=list)  # spawn to /readyz 200, per API process
    idle_rss_kib: list[int] = field(default_factory=list)  # per API process once ready
    rss_kib: list[int] = field(default_factory=list)  # per API process after the burst
    sent_by_worker: Counter[str] = field(default_factory=Counter)  # messages each worker closed
    webhooks: int = 0  # webhook deliveries answered 200
    emails_delivered: int = 0  # messages the SMTP server received during the run
    retention_runs: int = 0  # ``retention.run`` audit rows written during the run
    chores_ran: list[str] = field(default_factory=list)  # chores whose lease was taken during the run
    mail_by_kind: Counter[str] = field(default_factory=Counter)  # outbox rows of the run by template
    phases: dict[str, float] = field(default_factory=dict)  # seconds: set-up, burst answered, drained after
    seconds: float = 0.0  # wall time from the first process started to the outbox drained

    @property
    def problems(self) -> list[str]:
        return self.rush.problems

    def lines(self) -> list[str]:
        r, t = self.rush, self.rush.tally
        registrations = r.people + r.buyers
        split = " / ".join(str(s.requests) for s in self.servers)
        memory = [
            f"{idle / 1024:.0f} MiB idle, {busy / 1024:.0f} MiB after the burst"
            for idle, busy in zip(self.idle_rss_kib, self.rss_kib, strict=False)
        ]
        return [
            f"load: {r.people} people for {r.capacity} seats and {r.buyers} buyers x {r.deliveries} "
            f"webhook deliveries, {self.concurrency} at a time over 2 API processes and 2 workers",
            f"pushed: {registrations} registrations, {self.webhooks} webhooks, {t.requests} requests "
            f"({split} per API process)",
            f"wall time: {self.seconds:.1f} s ("
            + ", ".join(f"{k} {v:.1f} s" for k, v in self.phases.items())
            + ")",
            f"mail: {self.emails_delivered} delivered for {r.emails} outbox rows, {r.extra_email_copies} "
            f"sent twice; per worker {sorted(self.sent_by_worker.values(), reverse=True)}",
            "mail by kind: " + ", ".join(f"{k} {n}" for k, n in sorted(self.mail_by_kind.items())),
            f"chore leases taken or held since the start: {', '.join(self.chores_ran)}; "
            f"retention chore runs: {self.retention_runs}",
            "start to ready (serve): " + ", ".join(f"{s:.2f} s" for s in self.ready_seconds),
            "RSS per API process: " + ", ".join(memory),
            f"lost or doubled: {len(self.problems)}" + "".join(f"\n  - {p}" for p in self.problems),
        ]


def merged(tallies: list[Tally]) -> Tally:
    """One tally of what several callers did."""
    total = Tally()
    for tally in tallies:
        total.requests += tally.requests
        total.cut_off += tally.cut_off
        total.unavailable += tally.unavailable
        total.unavailable_without_retry_after += tally.unavailable_without_retry_after
        total.statuses.update(tally.statuses)
        total.server_errors.extend(tally.server_errors)
        total.lost_answers += tally.lost_answers
        total.cut_off_by.update(tally.cut_off_by)
    return total


async def migrate_once(run_dir: Path, env: dict[str, str]) -> None:
    """``grandrounds migrate`` as its own process, before any server starts."""
    migrate = AppProcess(["migrate"], env, run_dir / "migrate.log")
    await migrate.start()
    code = await migrate.wait(within=180)
    if code != 0:
        raise RuntimeError(f"grandrounds migrate exited {code}; see {migrate.log}")


async def cluster_burst(
    run_dir: Path,
    inbox: Inbox,
    smtp_port: int,
    stripe: StripeServer,
    *,
    people: int,
    capacity: int,
    buyers: int,
    deliveries: int,
    concurrency: int = 32,
    together: bool = False,
    tag: str = "",
) -> ClusterReport:
    """Run the burst on the database this process is configured for (PostgreSQL) and check it.

    ``together`` starts the four processes at once while the people are made (quicker, for the
    test); otherwise the servers start one after the other (the bench's start-up figures)."""
    tag = tag or f"cluster-{secrets.token_hex(4)}"
    env = {
        "STRIPE_SECRET_KEY": STRIPE_KEY,
        "STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET,
        "STRIPE_API_BASE": stripe.url,
        "GRANDROUNDS_DISPATCHER_IN_SERVER": "0",
        # Every process signs and checks CSRF tokens with the same key, as machines behind one proxy must.
        "GRANDROUNDS_SECRET_KEY": secrets.token_urlsafe(32),
        **smtp_env(smtp_port),
    }
    await migrate_once(run_dir, env)
    async with connection_pool():
        return await _burst(run_dir, inbox, stripe, env, people, capacity, buyers, deliveries, concurrency,
                            together, tag)  # fmt: skip


@contextlib.asynccontextmanager
async def connection_pool() -> AsyncIterator[None]:
    """A PostgreSQL pool for this process's own queries (making people, the checks), as the app
    keeps one: without it every query opens a connection of its own."""
    db = engine()
    if not isinstance(db, PostgresEngine):
        yield
        return
    await db.start_connection_pool(min_size=1, max_size=8)
    try:
        yield
    finally:
        await db.close_connection_pool()


async def _burst(
    run_dir: Path,
    inbox: Inbox,
    stripe: StripeServer,
    env: dict[str, str],
    people: int,
    capacity: int,
    buyers: int,
    deliveries: int,
    concurrency: int,
    together: bool,
    tag: str,
) -> ClusterReport:
    servers = [AppProcess.serve(run_dir, env, workers=1) for _ in range(2)]
    workers = [AppProcess.worker(run_dir, env, name=f"worker-{tag}-{n}") for n in (1, 2)]
    tallies = [Tally(), Tally()]
    seen = Seen()
    rush = RushReport(people, capacity, buyers, deliveries, Tally(), Kills(), seen)
    report = ClusterReport(rush, concurrency, servers=tallies)
    callers: list[Caller] = []
    rush.outbox_floor = await newest_outbox_row()
    mail_floor = len(inbox.messages)
    since = now()  # before the workers' first pass, which runs every chore
    began = time.monotonic()
    try:
        if together:
            # People are made while the processes start; the figures are those of a rolling start.
            seeding = asyncio.create_task(seed_people(people + buyers, tag, at_once=8))
            await asyncio.gather(*(process.start(within=STARTING) for process in [*servers, *workers]))
            world = await seeding
        else:
            # One at a time, so each start-to-ready figure is one process's own.
            world = await seed_people(people + buyers, tag, at_once=8)
            for server in servers:
                await server.start(within=STARTING)
            await asyncio.gather(*(worker.start() for worker in workers))
        report.ready_seconds = [server.ready_seconds for server in servers]
        report.idle_rss_kib = [server.rss_kib() for server in servers]
        report.phases["set-up"] = time.monotonic() - began
        crowd, payers = world["people"][:people], world["people"][people:]
        # A patient client: on a busy machine a sign-up queued behind 31 others for one event's seats can
        # wait long; a request given up on would count as cut off, which must not happen here.
        callers = [
            Caller(s.base, tally, patience=300, timeout=ANSWER_WITHIN)
            for s, tally in zip(servers, tallies, strict=True)
        ]
        rush.rush_event = await make_event(callers[0], world["staff"], f"Cluster rush {tag}", capacity)
        rush.paid_event = await make_event(callers[1], world["staff"], f"Cluster paid {tag}", buyers, PRICE)
        for tally in tallies:
            tally.requests = 0
            tally.statuses.clear()
        gate = asyncio.Semaphore(concurrency)

        async def registrant(n: int, person: dict[str, Any]) -> None:
            async with gate:
                await register(callers[n % 2], person, rush.rush_event, seen)

        async def payer(n: int, person: dict[str, Any]) -> None:
            turn = [callers[n % 2], callers[(n + 1) % 2]]  # the first copy goes to each process in turn
            async with gate:
                await buy(turn[0], stripe, person, rush.paid_event, deliveries, seen, deliver_to=turn)

        pushed = time.monotonic()
        # Buyers go first in the queue so the webhook copies meet the registration burst head-on.
        await asyncio.gather(
            *(payer(n, p) for n, p in enumerate(payers)), *(registrant(n, p) for n, p in enumerate(crowd))
        )
        answered = time.monotonic()
        report.phases["burst answered"] = answered - pushed
        await drain_outbox(within=120)
        report.phases["outbox drained after"] = time.monotonic() - answered
        report.seconds = time.monotonic() - began
        report.rss_kib = [server.rss_kib() for server in servers]
        report.emails_delivered = len(inbox.messages) - mail_floor
    finally:
        for caller in callers:
            await caller.close()
        codes = await asyncio.gather(*(worker.stop() for worker in workers))
        await asyncio.gather(*(server.stop() for server in servers))
    rush.tally = merged(tallies)
    report.webhooks = buyers * deliveries
    await verify_rush_and_storm(rush, inbox, stripe)
    await _verify_cluster(report, inbox, since, list(codes))
    return report


async def _verify_cluster(
    report: ClusterReport, inbox: Inbox, since: datetime, codes: list[int | None]
) -> None:
    """What the shared checks leave out when nothing was killed: every answer arrived, every
    email once per recipient and kind, clean stops, and a cluster-wide chore run at most once."""
    from accounts.audit.tables import AuditEntry
    from events.tables import Registration
    from notifications.chores import lease_ends
    from notifications.tables import OutboxMessage

    problems = report.problems
    rush = report.rush
    tally = rush.tally
    if tally.cut_off or tally.unavailable or tally.lost_answers:
        problems.append(
            f"nothing was killed, yet {tally.cut_off} requests were cut off ({dict(tally.cut_off_by)}), "
            f"{tally.unavailable} answered 503 and {tally.lost_answers} answers lost"
        )
    if any(code != 0 for code in codes):
        problems.append(f"workers exited {codes} on SIGTERM")

    outbox = await OutboxMessage.select(
        OutboxMessage.id, OutboxMessage.recipient, OutboxMessage.template, OutboxMessage.claimed_by
    ).where(OutboxMessage.id > rush.outbox_floor)
    kind_of = {r["id"]: (r["recipient"], r["template"]) for r in outbox}
    report.sent_by_worker = Counter(str(r["claimed_by"]) for r in outbox)
    report.mail_by_kind = Counter(str(r["template"]) for r in outbox)
    ids = (outbox_id(str(message["Message-ID"])) for message in inbox.messages)
    arrived = Counter(kind_of[n] for n in ids if n in kind_of)
    twice = {key: n for key, n in arrived.items() if n > 1}
    if twice:
        problems.append(f"the same kind of mail arrived twice for one recipient: {list(twice.items())[:5]}")

    # Every confirmed place, free or paid, was told so exactly once, at the address it belongs to.
    confirmed = await Registration.select(Registration.person.email).where(
        Registration.event.is_in([rush.rush_event, rush.paid_event]) & (Registration.status == "confirmed")
    )
    told = {r["person.email"]: arrived[(r["person.email"], "registration_confirmed")] for r in confirmed}
    untold = {email: n for email, n in told.items() if n != 1}
    if untold:
        problems.append(f"confirmations arrived not exactly once: {list(untold.items())[:5]}")
    places = min(rush.people, rush.capacity) + rush.buyers
    if len(told) != places:
        problems.append(f"{len(told)} people confirmed for {places} places")

    # One message per thing that happened: a confirmation and a calendar invite per confirmed place,
    # a waitlist notice per person past capacity, a payment request per buyer; each one delivered.
    expected = Counter(
        registration_confirmed=places,
        session_invite=places,
        registration_waitlisted=max(rush.people - rush.capacity, 0),
        registration_pending_payment=rush.buyers,
    )
    if +report.mail_by_kind != +expected:
        problems.append(f"mail by kind {dict(report.mail_by_kind)}, expected {dict(expected)}")
    if report.emails_delivered != len(outbox):
        problems.append(f"{report.emails_delivered} messages reached the mail server for {len(outbox)} rows")
    if any(server.statuses[201] == 0 for server in report.servers):
        problems.append("an API process took no sign-ups: the burst was not spread")

    # Every chore ran somewhere in the cluster: its lease row was taken and set to its next run
    # during this run. The daily retention run leaves an audit row per run, so it is counted: once
    # for the four processes (none when an earlier run on this database keeps its lease).
    ends = await lease_ends()
    report.chores_ran = sorted(name for name in chore_names() if ends.get(name, since) > since)
    runs = await AuditEntry.count().where((AuditEntry.action == "retention.run") & (AuditEntry.at >= since))
    report.retention_runs = int(runs)
    if report.retention_runs > 1:
        problems.append(f"the daily retention chore ran {report.retention_runs} times in one run")
    if report.retention_runs and report.chores_ran != sorted(chore_names()):
        missing = sorted(set(chore_names()) - set(report.chores_ran))
        problems.append(f"chores that did not run on a fresh schedule: {missing}")


def chore_names() -> list[str]:
    """The names of the workers' chores (with Stripe configured, as here); nothing is run."""
    from billing.stripe_client import StripeAccount
    from grandrounds.server.wiring import chores

    return [spec.name for spec in chores(cast(StripeAccount, object()))]
