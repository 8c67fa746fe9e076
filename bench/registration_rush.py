"""A registration rush: N people sign up for one free event at the same moment, through the app.

Every request goes through the whole app (token lookup, routing, the
registration transaction with its event-row lock, history row and outbox
email), driven in-process by httpx's ASGI transport, the way the tests drive
it. Prints registrations per second and the latency spread, and checks that
capacity held.

    python bench/registration_rush.py [--people 200] [--capacity 100] [--rounds 3]
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/grt_bench python bench/registration_rush.py

Without DATABASE_URL it uses a throwaway SQLite file; with it, it adds one
program, one event and N people (unique emails) to that database on every
round, so point it at a scratch database.
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
from pathlib import Path

_SCRATCH = Path(tempfile.mkdtemp(prefix="grandrounds-rush-"))
os.environ.setdefault("GRANDROUNDS_VAR_DIR", str(_SCRATCH / "var"))
os.environ.setdefault("GRANDROUNDS_ENV", "development")  # one machine: its processes share var/secret_key
os.environ.setdefault("DATABASE_URL", f"sqlite:///{_SCRATCH / 'rush.sqlite3'}")
os.environ.setdefault("GRANDROUNDS_PASSWORD_HASH_PROFILE", "cheap")  # setting people up is not measured
os.environ["GRANDROUNDS_DISPATCHER_IN_SERVER"] = "0"  # nothing else competes for the database
os.environ.setdefault("GRANDROUNDS_REQUIRE_2FA_FOR_STAFF", "0")  # the staff account is set up by the API
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import logging  # noqa: E402

import httpx  # noqa: E402
from asgi_lifespan import LifespanManager  # noqa: E402

from accounts.principal import Role  # noqa: E402
from accounts.schemas import ProgramCreate, SignUp  # noqa: E402
from accounts.services.credentials import create_token  # noqa: E402
from accounts.services.people import create_person  # noqa: E402
from accounts.services.programs import assign_staff, create_program  # noqa: E402
from grandrounds.db import migrate  # noqa: E402
from grandrounds.server.app import create_app  # noqa: E402
from grandrounds.settings import get_settings  # noqa: E402

PASSWORD = "correct horse battery"  # noqa: S105 - throwaway accounts in a scratch database


async def _person(tag: str, n: int, role: Role) -> str:
    email = f"rush-{tag}-{n}@example.org"
    person_id = await create_person(SignUp(email=email, password=PASSWORD, name=f"Rush {n}"), roles=(role,))
    return (await create_token(person_id, "rush")).token


async def _free_event(client: httpx.AsyncClient, tag: str, capacity: int) -> int:
    program = await create_program(ProgramCreate(slug=f"rush-{tag}", name=f"Rush {tag}", kind="conference"))
    staff_token = await _person(tag, 0, Role.PROGRAM_STAFF)
    staff_id = (await client.get("/api/v1/me", headers={"Authorization": f"Bearer {staff_token}"})).json()[
        "id"
    ]
    await assign_staff(program.id, staff_id)
    headers = {"Authorization": f"Bearer {staff_token}"}
    start = time.time() + 7 * 86400
    body = {
        "kind": "webinar",
        "title": f"Registration rush {tag}",
        "time_zone": "America/Chicago",
        "starts_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(start)),
        "ends_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(start + 3600)),
        "capacity": capacity,
        "program_id": program.id,
    }
    created = await client.post("/api/v1/events/", json=body, headers=headers)
    created.raise_for_status()
    event_id = int(created.json()["id"])
    (await client.post(f"/api/v1/events/{event_id}/publish", headers=headers)).raise_for_status()
    return event_id


async def _timed(client: httpx.AsyncClient, url: str, token: str) -> tuple[float, int, str]:
    began = time.perf_counter()
    response = await client.post(url, headers={"Authorization": f"Bearer {token}"})
    status = response.json().get("status", response.json().get("code", "")) if response.content else ""
    return time.perf_counter() - began, response.status_code, status


async def rush(people: int, capacity: int) -> dict[str, float]:
    tag = uuid.uuid4().hex[:8]
    app = create_app()
    async with LifespanManager(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://rush.local") as client:
            event_id = await _free_event(client, tag, capacity)
            tokens = [await _person(tag, n, Role.MEMBER) for n in range(1, people + 1)]
            url = f"/api/v1/events/{event_id}/registrations"
            began = time.perf_counter()
            results = await asyncio.gather(*(_timed(client, url, t) for t in tokens))
            wall = time.perf_counter() - began
    failures = [r for r in results if r[1] != 201]
    if failures:
        raise SystemExit(f"{len(failures)} registrations failed, e.g. {failures[0]}")
    confirmed = sum(1 for r in results if r[2] == "confirmed")
    if confirmed != min(people, capacity):
        raise SystemExit(f"capacity broken: {confirmed} confirmed for {capacity} seats")
    latencies = sorted(r[0] * 1000 for r in results)
    return {
        "per_second": people / wall,
        "wall_s": wall,
        "p50_ms": statistics.median(latencies),
        "p95_ms": latencies[max(int(len(latencies) * 0.95) - 1, 0)],
        "max_ms": latencies[-1],
        "confirmed": confirmed,
    }


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=200, help="concurrent sign-ups per round")
    parser.add_argument(
        "--capacity", type=int, default=100, help="seats of the event (the rest wait in line)"
    )
    parser.add_argument("--rounds", type=int, default=3, help="rounds, each on a fresh event")
    args = parser.parse_args()
    logging.getLogger("httpx").setLevel(logging.WARNING)
    await migrate(quiet=True)
    url = get_settings().database_url
    engine = "PostgreSQL" if url.startswith("postgres") else "SQLite"
    print(f"{engine}: {args.people} concurrent sign-ups for {args.capacity} seats, {args.rounds} rounds")
    for n in range(1, args.rounds + 1):
        r = await rush(args.people, args.capacity)
        print(
            f"round {n}: {r['per_second']:.0f} registrations/s ({r['wall_s']:.2f} s), "
            f"p50 {r['p50_ms']:.0f} ms, p95 {r['p95_ms']:.0f} ms, max {r['max_ms']:.0f} ms, "
            f"{r['confirmed']:.0f} confirmed"
        )


if __name__ == "__main__":
    asyncio.run(main())
