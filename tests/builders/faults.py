"""Fault injection against the app as it runs in production: real processes, killed at random.

Two scenarios, shared by tests/shell/test_faults.py (small, bounded) and
bench/faults.py (as large and as long as asked):

- ``rush_and_storm``: many people register over HTTP for a free event with
  few seats while buyers of a paid event check out, pay at the local
  Stripe-shaped server and have ``checkout.session.completed`` delivered
  several times at once. Meanwhile `grandrounds serve` and `grandrounds worker`
  are SIGKILLed at seeded random moments and started again.
- ``database_restart``: the same kind of load against a private PostgreSQL
  cluster that is stopped and started under it; the app must answer 503 with
  Retry-After meanwhile and recover without a restart.

Clients behave as browsers and Stripe do: a request cut off by a kill, or
answered 503, is sent again until it gets an answer; a registration whose
201 was lost shows up as ``registration.duplicate`` and is then read back.
What must hold afterwards is checked by ``verify_rush_and_storm`` (and the
restart scenario's own checks), which return the problems found instead of
asserting, so the bench can count them: an empty list means nothing was lost
or doubled.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.builders.mail import Inbox, per_message, smtp_env
from tests.builders.processes import AppProcess
from tests.stripe_server import StripeServer, sign

STRIPE_KEY = "sk_test_faults"
WEBHOOK_SECRET = "whsec_test_faults"
WEBHOOK_PATH = "/api/v1/billing/stripe/webhook"
PRICE = 2500
# A killed worker's claim lapses after this; short, so the restarted worker takes its rows soon.
LEASE_SECONDS = 3
LIVE = ("pending_payment", "confirmed", "waitlisted", "offered")


@dataclass
class Tally:
    """What the clients did and saw."""

    requests: int = 0  # every HTTP request sent, retries included
    cut_off: int = 0  # connection refused, reset or dropped mid-request (a kill, a restart)
    unavailable: int = 0  # 503 answers
    unavailable_without_retry_after: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    server_errors: list[str] = field(default_factory=list)  # any 500: must stay empty
    lost_answers: int = 0  # a POST that took effect but whose answer was lost (found as a duplicate)
    cut_off_by: Counter[str] = field(default_factory=Counter)  # the cut-offs by httpx error (ReadTimeout...)


class Caller:
    """An HTTP client that keeps trying through kills and restarts, as a browser or Stripe would."""

    def __init__(self, base: str, tally: Tally, patience: float = 180, timeout: float = 30) -> None:
        self.tally = tally
        self.patience = patience
        self.client = httpx.AsyncClient(
            base_url=base,
            timeout=timeout,
            limits=httpx.Limits(max_connections=64, max_keepalive_connections=16),
        )

    async def close(self) -> None:
        await self.client.aclose()

    async def send(
        self, method: str, path: str, *, expect: set[int], signed: str | None = None, **kwargs: Any
    ) -> httpx.Response:
        """Send until answered with one of ``expect``; ``signed`` is a webhook body, signed anew for
        each attempt as Stripe does. A 500 or an unexpected answer fails at once."""
        deadline = time.monotonic() + self.patience
        pause = 0.05
        while time.monotonic() < deadline:
            self.tally.requests += 1
            if signed is not None:
                kwargs["content"] = signed
                kwargs["headers"] = {
                    **kwargs.get("headers", {}),
                    "Content-Type": "application/json",
                    "Stripe-Signature": sign(signed, WEBHOOK_SECRET),
                }
            try:
                response = await self.client.request(method, path, **kwargs)
            except httpx.TransportError as exc:
                self.tally.cut_off += 1
                self.tally.cut_off_by[type(exc).__name__] += 1
            else:
                self.tally.statuses[response.status_code] += 1
                if response.status_code in expect:
                    return response
                if response.status_code != 503:
                    if response.status_code >= 500:
                        self.tally.server_errors.append(f"{method} {path}: {response.status_code}")
                    raise AssertionError(f"{method} {path}: {response.status_code} {response.text[:300]}")
                self.tally.unavailable += 1
                if "retry-after" not in response.headers:
                    self.tally.unavailable_without_retry_after += 1
            await asyncio.sleep(pause)  # the server or its database is restarting: try again shortly
            pause = min(pause * 2, 1.0)
        raise AssertionError(f"{method} {path}: no answer in {self.patience:.0f} s")


@pytest.fixture
def stripe_server() -> Iterator[StripeServer]:
    """The local Stripe-shaped server, with the key the scenarios' processes are given."""
    server = StripeServer(STRIPE_KEY).start()
    try:
        yield server
    finally:
        server.stop()


# The world: people with tokens, events made over HTTP


async def seed_people(count: int, tag: str, at_once: int = 1) -> dict[str, Any]:
    """Program staff and ``count`` members with API tokens, made through the services on the
    database this process is configured for: ``{"staff": {...}, "people": [{id, email, token}]}``.
    ``at_once`` people are made concurrently (worth it with a connection pool open)."""
    from accounts.principal import Role
    from tests.builders.people import make_actor, make_program, make_staff

    program = await make_program(slug=f"faults-{tag}")  # new in a scratch database used before
    staff = await make_staff(program, email=f"staff-{tag}@example.org")
    gate = asyncio.Semaphore(at_once)

    async def member(n: int) -> Any:
        async with gate:
            return await make_actor(Role.MEMBER, email=f"p{n}-{tag}@example.org")

    people = await asyncio.gather(*(member(n) for n in range(count)))
    return {
        "staff": {"id": staff.id, "email": staff.email, "token": staff.token, "program_id": staff.program_id},
        "people": [{"id": p.id, "email": p.email, "token": p.token} for p in people],
    }


async def seed_people_in(database_url: str, count: int, tag: str) -> dict[str, Any]:
    """``seed_people`` on another database (a private cluster), in a process configured for it."""
    code = (
        "import asyncio, json, sys\n"
        "from tests.builders.faults import seed_people\n"
        f"print(json.dumps(asyncio.run(seed_people({count}, {tag!r}))))\n"
    )
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-c", code, env={**os.environ, "DATABASE_URL": database_url},
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await asyncio.wait_for(process.communicate(), timeout=180)
    if process.returncode != 0:
        raise RuntimeError(f"seeding failed: {err.decode()[-2000:]}")
    return dict(json.loads(out.decode().strip().splitlines()[-1]))


def bearer(person: dict[str, Any]) -> dict[str, str]:
    return {"Authorization": f"Bearer {person['token']}"}


async def make_event(caller: Caller, staff: dict[str, Any], title: str, capacity: int, price: int = 0) -> int:
    start = (datetime.now(UTC) + timedelta(days=10)).replace(hour=17, minute=0, second=0, microsecond=0)
    body = {
        "kind": "webinar",
        "title": title,
        "time_zone": "America/New_York",
        "starts_at": start.isoformat(),
        "ends_at": (start + timedelta(hours=1)).isoformat(),
        "capacity": capacity,
        "join_url": "https://meet.example.org/j/faults",
        "program_id": staff["program_id"],
    }
    created = await caller.send("POST", "/api/v1/events/", expect={201}, json=body, headers=bearer(staff))
    event_id = int(created.json()["id"])
    if price:
        ticket = {"name": "Live", "currency": "USD", "member_price": price, "non_member_price": price,
                  "guest_price": price}  # fmt: skip
        await caller.send(
            "POST",
            f"/api/v1/events/{event_id}/ticket-types",
            expect={201},
            json=ticket,
            headers=bearer(staff),
        )
    await caller.send("POST", f"/api/v1/events/{event_id}/publish", expect={200}, headers=bearer(staff))
    return event_id


@dataclass
class Seen:
    """What the clients were told."""

    created: list[dict[str, Any]] = field(default_factory=list)  # every 201 body, with the person's id
    places: dict[int, int] = field(default_factory=dict)  # person id -> their registration, however learnt
    paid: dict[int, str] = field(default_factory=dict)  # registration id -> Checkout Session paid


async def register(caller: Caller, person: dict[str, Any], event_id: int, seen: Seen) -> int:
    """Sign up until answered; a 409 duplicate means an earlier attempt took: read it back."""
    response = await caller.send(
        "POST", f"/api/v1/events/{event_id}/registrations", expect={201, 409}, headers=bearer(person)
    )
    if response.status_code == 201:
        seen.created.append({**response.json(), "person": person["id"]})
        registration_id = int(response.json()["id"])
    else:
        assert response.json()["code"] == "registration.duplicate", response.text
        caller.tally.lost_answers += 1
        mine = await caller.send("GET", "/api/v1/registrations/mine", expect={200}, headers=bearer(person))
        registration_id = next(int(r["id"]) for r in mine.json() if r["event_id"] == event_id)
    seen.places[person["id"]] = registration_id
    return registration_id


async def buy(
    caller: Caller,
    stripe: StripeServer,
    person: dict[str, Any],
    event_id: int,
    deliveries: int,
    seen: Seen,
    deliver_to: Sequence[Caller] = (),
) -> None:
    """Hold a paid place, open Checkout, pay at Stripe, and have the webhook delivered ``deliveries``
    times at once (each until it is answered 200). ``deliver_to`` spreads the deliveries over
    several servers in turn, as Stripe's retries may land on any machine behind the proxy."""
    registration_id = await register(caller, person, event_id, seen)
    checkout = await caller.send(
        "POST", f"/api/v1/registrations/{registration_id}/checkout", expect={200}, headers=bearer(person)
    )
    session_id = str(checkout.json()["session_id"])
    event = stripe.account.pay(session_id)
    seen.paid[registration_id] = session_id
    payload = json.dumps(event)
    targets = list(deliver_to) or [caller]
    await asyncio.gather(
        *(
            targets[n % len(targets)].send("POST", WEBHOOK_PATH, expect={200}, signed=payload)
            for n in range(deliveries)
        )
    )


# Killing


@dataclass
class KillPlan:
    """When to kill, drawn from a seed: the server once the clients have sent so many requests,
    the worker once the mail server has received so many messages (each plus a random few ms, so
    the kill lands inside a request or a delivery rather than between them)."""

    server_at: list[int]
    worker_at: list[int]
    jitter: list[float]

    @classmethod
    def seeded(
        cls, seed: int, server_kills: int, worker_kills: int, requests: int, messages: int
    ) -> KillPlan:
        rng = random.Random(seed)
        server_at = sorted(rng.sample(range(3, max(requests, server_kills + 4)), server_kills))
        worker_at = sorted(rng.sample(range(1, max(messages, worker_kills + 2)), worker_kills))
        jitter = [rng.uniform(0, 0.08) for _ in range(server_kills + worker_kills)]
        return cls(server_at, worker_at, jitter)


@dataclass
class Kills:
    server: int = 0
    worker: int = 0
    server_down_seconds: float = 0.0


async def _until(condition: Callable[[], bool], done: asyncio.Event) -> bool:
    while not condition():
        if done.is_set():
            return False
        await asyncio.sleep(0.01)  # watching counters other tasks move
    return True


async def chaos(
    plan: KillPlan, server: AppProcess, worker: AppProcess, tally: Tally, inbox: Inbox, done: asyncio.Event
) -> Kills:
    """Carry out the plan while the load runs; every victim is started again at once."""
    kills = Kills()
    jitter = iter(plan.jitter)

    async def kill_server() -> None:
        for threshold in plan.server_at:
            if not await _until(lambda t=threshold: tally.requests >= t, done):  # type: ignore[misc]
                return
            await asyncio.sleep(next(jitter))
            began = time.monotonic()
            server.kill()
            await server.wait()
            kills.server += 1
            await server.start()
            kills.server_down_seconds += time.monotonic() - began

    async def kill_worker() -> None:
        for threshold in plan.worker_at:
            if not await _until(lambda t=threshold: len(inbox.messages) >= t, done):  # type: ignore[misc]
                return
            await asyncio.sleep(next(jitter))
            worker.kill()
            await worker.wait()
            kills.worker += 1
            await worker.start()

    await asyncio.gather(kill_server(), kill_worker())
    return kills


# Scenario 1: a registration rush and a webhook storm, with kills


@dataclass
class RushReport:
    people: int
    capacity: int
    buyers: int
    deliveries: int
    tally: Tally
    kills: Kills
    seen: Seen
    rush_event: int = 0
    paid_event: int = 0
    outbox_floor: int = 0  # the newest outbox row before the load: only later ones are this run's
    emails: int = 0
    extra_email_copies: int = 0
    seconds: float = 0.0
    problems: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        t, k = self.tally, self.kills
        return [
            f"load: {self.people} people for {self.capacity} seats, {self.buyers} buyers x {self.deliveries} "
            f"webhook deliveries, in {self.seconds:.1f} s",
            f"injected: {k.server} server kills ({k.server_down_seconds:.1f} s down in all), "
            f"{k.worker} worker kills",
            f"requests: {t.requests} sent, {t.cut_off} cut off and retried, {t.unavailable} answered 503, "
            f"{len(t.server_errors)} answered 500, {t.lost_answers} answers lost (found again as duplicates)",
            f"mail: {self.emails} messages, {self.extra_email_copies} sent twice (same Message-ID)",
            f"lost or doubled: {len(self.problems)}" + "".join(f"\n  - {p}" for p in self.problems),
        ]


async def rush_and_storm(
    run_dir: Path,
    inbox: Inbox,
    smtp_port: int,
    stripe: StripeServer,
    *,
    people: int,
    capacity: int,
    buyers: int,
    deliveries: int,
    server_kills: int,
    worker_kills: int,
    seed: int,
) -> RushReport:
    """Run the scenario on the database this process is configured for (PostgreSQL)."""
    tag = f"{seed}-{random.Random(seed).randrange(10**6)}-{time.monotonic_ns() % 10**6}"
    world = await seed_people(people + buyers, tag)
    crowd, payers = world["people"][:people], world["people"][people:]
    env = {
        "STRIPE_SECRET_KEY": STRIPE_KEY,
        "STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET,
        "STRIPE_API_BASE": stripe.url,
        "GRANDROUNDS_DISPATCHER_IN_SERVER": "0",
        "GRANDROUNDS_OUTBOX_LEASE_SECONDS": str(LEASE_SECONDS),
        **smtp_env(smtp_port),
    }
    server = AppProcess.serve(run_dir, env)
    worker = AppProcess.worker(run_dir, env, name=f"worker-{tag}")
    tally, seen = Tally(), Seen()
    report = RushReport(people, capacity, buyers, deliveries, tally, Kills(), seen)
    await server.start()
    caller = Caller(server.base, tally)
    try:
        report.rush_event = await make_event(caller, world["staff"], f"Rush {tag}", capacity)
        report.paid_event = await make_event(caller, world["staff"], f"Paid {tag}", buyers, PRICE)
        await worker.start()
        report.outbox_floor = await newest_outbox_row()
        tally.requests = 0
        requests_floor = people + buyers * (2 + deliveries)
        plan = KillPlan.seeded(seed, server_kills, worker_kills, requests_floor, (people + buyers) // 2)
        done = asyncio.Event()
        began = time.monotonic()
        killing = asyncio.create_task(chaos(plan, server, worker, tally, inbox, done))
        try:
            await asyncio.gather(
                *(register(caller, p, report.rush_event, seen) for p in crowd),
                *(buy(caller, stripe, p, report.paid_event, deliveries, seen) for p in payers),
            )
            # Mail keeps flowing after the last answer: let the worker kills land there too.
            expected_mail = people + 2 * buyers
            await asyncio.wait_for(
                _until(lambda: killing.done() or len(inbox.messages) >= expected_mail, done), timeout=120
            )
        finally:
            done.set()
            report.kills = await killing
        await drain_outbox(within=120)
        report.seconds = time.monotonic() - began
    finally:
        await caller.close()
        await worker.stop()
        await server.stop()
    await verify_rush_and_storm(report, inbox, stripe)
    return report


async def newest_outbox_row() -> int:
    from notifications.tables import OutboxMessage

    newest = await OutboxMessage.select(OutboxMessage.id).order_by(OutboxMessage.id, ascending=False).first()
    return int(newest["id"]) if newest else 0


async def drain_outbox(within: float) -> None:
    """Wait until the worker has sent everything (a killed worker's claims lapse first)."""
    from notifications.tables import OutboxMessage

    deadline = time.monotonic() + within
    while await OutboxMessage.exists().where(OutboxMessage.status == "pending"):
        if time.monotonic() > deadline:
            return  # verify says what is still pending
        await asyncio.sleep(0.2)  # the worker polls every second


async def verify_rush_and_storm(report: RushReport, inbox: Inbox, stripe: StripeServer) -> None:
    """Everything the clients were told holds, nothing is doubled, the money matches Stripe."""
    from billing.ledger import balance_of
    from billing.tables import LedgerEntry
    from events.tables import Registration, RegistrationChange
    from notifications.tables import OutboxMessage

    problems = report.problems
    seen = report.seen
    rows = await Registration.select().where(Registration.event.is_in([report.rush_event, report.paid_event]))
    by_id = {r["id"]: r for r in rows}

    # Every 201 a client saw exists, for that person and that event.
    for body in seen.created:
        row = by_id.get(int(body["id"]))
        if row is None or row["person"] != body["person"] or row["event"] != body["event_id"]:
            problems.append(f"registration {body['id']} answered 201 to person {body['person']} is missing")

    # Nobody holds two live places, nobody who was told they have one lacks it, seats not oversold.
    for event_id, expected_people in ((report.rush_event, report.people), (report.paid_event, report.buyers)):
        live = Counter(r["person"] for r in rows if r["event"] == event_id and r["status"] in LIVE)
        doubled = {person: n for person, n in live.items() if n > 1}
        if doubled:
            problems.append(f"event {event_id}: people with two live places: {doubled}")
        if len(live) != expected_people:
            problems.append(f"event {event_id}: {len(live)} people hold places, {expected_people} registered")
    confirmed = sum(1 for r in rows if r["event"] == report.rush_event and r["status"] == "confirmed")
    if confirmed != min(report.people, report.capacity):
        problems.append(f"rush: {confirmed} confirmed for {report.capacity} seats and {report.people} people")

    # Histories are whole: each registration's moves lead to its status.
    changes = await RegistrationChange.select().where(
        RegistrationChange.registration.is_in(list(by_id) or [0])
    )
    moves: dict[int, list[dict[str, Any]]] = {}
    for change in sorted(changes, key=lambda c: c["id"]):
        moves.setdefault(change["registration"], []).append(change)
    for row in rows:
        history = moves.get(row["id"], [])
        if not history or history[-1]["to_status"] != row["status"]:
            problems.append(f"registration {row['id']} ({row['status']}) has history {history}")

    # Every paid place confirmed exactly once, charged once, its ledger matching Stripe.
    for registration_id in seen.paid:
        row = by_id[registration_id]
        confirmations = sum(1 for c in moves.get(registration_id, []) if c["to_status"] == "confirmed")
        charges = stripe.account.charges_for(registration_id)
        held = stripe.account.held_for(registration_id)
        mirrored = sum((await balance_of(registration_id)).values())
        if row["status"] != "confirmed" or confirmations != 1:
            problems.append(
                f"paid registration {registration_id}: {row['status']}, confirmed {confirmations}x"
            )
        if len(charges) != 1 or mirrored != held:
            problems.append(f"paid registration {registration_id}: {len(charges)} charges, ledger {mirrored} "
                            f"vs Stripe {held}")  # fmt: skip
    ledger = await LedgerEntry.select().where(LedgerEntry.registration.is_in(list(seen.paid) or [0]))
    kinds = Counter(r["kind"] for r in ledger)
    if kinds != Counter({"charge": len(seen.paid), "fee": len(seen.paid)}):
        problems.append(f"ledger rows {dict(kinds)} for {len(seen.paid)} payments")

    # Every outbox message sent, and reached the mail server (once, or again after a worker kill).
    outbox = await OutboxMessage.select(OutboxMessage.id, OutboxMessage.status, OutboxMessage.template).where(
        OutboxMessage.id > report.outbox_floor
    )
    unsent = [(r["id"], r["template"], r["status"]) for r in outbox if r["status"] != "sent"]
    if unsent:
        problems.append(f"outbox messages not sent: {unsent[:10]}")
    arrived = per_message(inbox)
    ids = {outbox_id(message_id): n for message_id, n in arrived.items()}
    never = [r["id"] for r in outbox if r["status"] == "sent" and r["id"] not in ids]
    if never:
        problems.append(f"outbox messages marked sent that never reached the mail server: {never[:10]}")
    # Rows older than this run (a scratch database a killed run left pending rows in) may go out now.
    older = await OutboxMessage.select(OutboxMessage.id).where(OutboxMessage.id <= report.outbox_floor)
    stray = sorted(set(ids) - {r["id"] for r in outbox} - {r["id"] for r in older})
    if stray:
        problems.append(f"mail for no outbox message: {stray[:10]}")
    report.emails = len(outbox)
    report.extra_email_copies = sum(n - 1 for n in ids.values())
    # A worker killed between the mail server's 250 and the UPDATE that marks the row sent leaves a
    # row that goes out again after its lease: at most one such message per worker killed.
    if report.extra_email_copies > report.kills.worker:
        problems.append(
            f"{report.extra_email_copies} messages sent twice with only {report.kills.worker} worker kills"
        )
    paid_mail = Counter(
        r["template"]
        for r in outbox
        if r["template"] in ("registration_confirmed", "registration_pending_payment")
    )
    expected_confirmed = len(seen.paid) + min(report.people, report.capacity)
    if paid_mail["registration_confirmed"] != expected_confirmed:
        problems.append(
            f"{paid_mail['registration_confirmed']} confirmation emails for {expected_confirmed} places"
        )
    if report.tally.server_errors:
        problems.append(f"500 answers: {report.tally.server_errors[:5]}")


def outbox_id(message_id: str) -> int:
    """The outbox row of a Message-ID ``<outbox-<id>@host>``."""
    return int(message_id.strip("<>").split("@", 1)[0].removeprefix("outbox-"))


# Scenario 2: PostgreSQL restarts under load


@dataclass
class RestartReport:
    people: int
    restarts: int = 0
    down_seconds: float = 0.0
    tally: Tally = field(default_factory=Tally)
    served_while_down: Counter[int] = field(default_factory=Counter)
    recovered_after_seconds: list[float] = field(default_factory=list)
    server_starts: int = 0
    worker_starts: int = 0
    problems: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        t = self.tally
        return [
            f"load: {self.people} people registering and reading while PostgreSQL restarts",
            f"injected: {self.restarts} PostgreSQL restarts ({self.down_seconds:.1f} s down in all)",
            f"requests: {t.requests} sent, {t.unavailable} answered 503 "
            f"({t.unavailable_without_retry_after} without Retry-After), "
            f"{len(t.server_errors)} answered 500, {t.cut_off} cut off",
            "first success after each restart: "
            + ", ".join(f"{s:.2f} s" for s in self.recovered_after_seconds),
            f"app processes started: serve {self.server_starts}, worker {self.worker_starts} "
            "(1 each: neither was restarted)",
            f"lost or doubled: {len(self.problems)}" + "".join(f"\n  - {p}" for p in self.problems),
        ]


async def database_restart(
    run_dir: Path,
    cluster: Any,
    inbox: Inbox,
    smtp_port: int,
    *,
    people: int,
    restarts: int,
    seed: int,
) -> RestartReport:
    """Serve from ``cluster`` (tests.builders.postgres.PrivateCluster, started), restart it under load."""
    rng = random.Random(seed)
    database = cluster.create_database(f"grandrounds_{seed}_{time.monotonic_ns() % 10**6}")
    env = {
        "DATABASE_URL": database,
        "GRANDROUNDS_DISPATCHER_IN_SERVER": "0",
        "GRANDROUNDS_OUTBOX_LEASE_SECONDS": str(LEASE_SECONDS),
        **smtp_env(smtp_port),
    }
    server = AppProcess.serve(run_dir, env)
    worker = AppProcess.worker(run_dir, env, name=f"worker-restart-{seed}")
    report = RestartReport(people)
    tally = report.tally
    await server.start()
    await worker.start()
    caller = Caller(server.base, tally)
    try:
        world = await seed_people_in(database, people, f"restart-{seed}")
        event_id = await make_event(caller, world["staff"], "Restart rush", max(people // 2, 1))
        seen = Seen()
        stop_reading = asyncio.Event()
        down = asyncio.Event()

        async def reader(person: dict[str, Any]) -> None:
            """Reads that need the database (the caller's token, the catalogue) all along."""
            while not stop_reading.is_set():
                for path in ("/api/v1/me", "/api/v1/events"):
                    tally.requests += 1
                    try:
                        response = await caller.client.get(path, headers=bearer(person))
                    except httpx.TransportError:
                        tally.cut_off += 1
                        continue
                    tally.statuses[response.status_code] += 1
                    if down.is_set():
                        report.served_while_down[response.status_code] += 1
                    if response.status_code == 503:
                        tally.unavailable += 1
                        if "retry-after" not in response.headers:
                            tally.unavailable_without_retry_after += 1
                    elif response.status_code >= 500:
                        tally.server_errors.append(
                            f"GET {path}: {response.status_code} {response.text[:300]}"
                        )
                    elif response.status_code != 200:
                        report.problems.append(f"GET {path} answered {response.status_code}")
                await asyncio.sleep(0.05)  # a reader, not a flood: the machine is shared

        async def registrant(person: dict[str, Any], delay: float) -> None:
            await asyncio.sleep(delay)
            await register(caller, person, event_id, seen)

        async def restarter() -> None:
            for _ in range(restarts):
                await asyncio.sleep(rng.uniform(0.3, 1.0))
                began = time.monotonic()
                down.set()
                await asyncio.to_thread(cluster.stop)
                await asyncio.sleep(rng.uniform(0.5, 1.5))  # the database stays away a while
                await asyncio.to_thread(cluster.start)
                down.clear()
                report.restarts += 1
                report.down_seconds += time.monotonic() - began
                report.recovered_after_seconds.append(await _first_success(caller, world["people"][0]))

        readers = [asyncio.create_task(reader(p)) for p in world["people"][:4]]
        try:
            # Sign-ups spread over the restarts, each retried through 503s until answered.
            spread = restarts * 2.5
            await asyncio.gather(
                restarter(), *(registrant(p, rng.uniform(0, spread)) for p in world["people"])
            )
        finally:
            stop_reading.set()
            await asyncio.gather(*readers)
        await _verify_restart(report, database, seen, event_id, inbox, people)
    finally:
        await caller.close()
        report.server_starts, report.worker_starts = server.starts, worker.starts
        if not server.running:
            report.problems.append("the server died during the restarts")
        if not worker.running:
            report.problems.append("the worker died during the restarts")
        worker_code = await worker.stop()
        await server.stop()
        if worker_code != 0:
            report.problems.append(f"the worker exited {worker_code} on SIGTERM")
    if tally.server_errors:
        report.problems.append(f"500 answers: {tally.server_errors[:5]}")
    if tally.unavailable_without_retry_after:
        report.problems.append(f"{tally.unavailable_without_retry_after} 503s without Retry-After")
    return report


async def _first_success(caller: Caller, person: dict[str, Any]) -> float:
    """Seconds from the database's return to the first request that reaches it through the app."""
    began = time.monotonic()
    await caller.send("GET", "/api/v1/me", expect={200}, headers=bearer(person))
    return time.monotonic() - began


async def _verify_restart(
    report: RestartReport, database: str, seen: Seen, event_id: int, inbox: Inbox, people: int
) -> None:
    import asyncpg

    connection = await asyncpg.connect(dsn=database)
    try:
        deadline = time.monotonic() + 60
        while await connection.fetchval("SELECT count(*) FROM notifications_outbox WHERE status = 'pending'"):
            if time.monotonic() > deadline:
                break
            await asyncio.sleep(0.2)  # the worker polls every second
        rows = await connection.fetch(
            "SELECT id, person, status FROM events_registration WHERE event = $1", event_id
        )
        outbox = await connection.fetch("SELECT id, status FROM notifications_outbox")
    finally:
        await connection.close()
    live = Counter(r["person"] for r in rows if r["status"] in LIVE)
    if len(live) != people or any(n > 1 for n in live.values()):
        report.problems.append(f"{len(live)} people hold places for {people} sign-ups: {live.most_common(3)}")
    ids = {r["id"] for r in rows}
    missing = [b["id"] for b in seen.created if int(b["id"]) not in ids]
    if missing:
        report.problems.append(f"registrations answered 201 but missing: {missing}")
    unsent = [r["id"] for r in outbox if r["status"] != "sent"]
    if unsent:
        report.problems.append(f"outbox messages not sent after the restarts: {unsent[:10]}")
    arrived = {outbox_id(m) for m in per_message(inbox)}
    never = [r["id"] for r in outbox if r["id"] not in arrived]
    if never:
        report.problems.append(f"outbox messages that never reached the mail server: {never[:10]}")
