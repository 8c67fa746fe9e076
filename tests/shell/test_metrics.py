"""/metrics: Prometheus text with the named metrics, summed over processes, closed to strangers."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import httpx
import pytest
from litestar import Litestar

from accounts.principal import Role
from grandrounds.db import write_transaction
from grandrounds.metrics import MULTIPROC_ENV, exposition, prepare_multiprocess_dir
from grandrounds.server.app import create_app
from grandrounds.server.background import default_dispatcher
from grandrounds.settings import get_settings
from notifications.message_status import MessageStatus
from notifications.outbox import enqueue_email
from notifications.tables import OutboxMessage
from notifications.transports import MailLogTransport
from tests.builders.clients import client_for, client_from
from tests.builders.events import make_event
from tests.builders.observability import samples, scrape, value
from tests.builders.people import make_actor
from tests.builders.processes import AppProcess

ROUTE = "/api/v1/events/{event_id}/registrations"
REQUESTS = "grandrounds_http_requests_total"
LATENCY = "grandrounds_http_request_duration_seconds_count"
REGISTERED = "grandrounds_registrations_total"


async def test_one_registration_moves_its_counters_by_one(client: httpx.AsyncClient) -> None:
    event_id, _ = await make_event(client, capacity=1)
    first, second = await make_actor(Role.MEMBER), await make_actor(Role.MEMBER)
    before = await scrape(client)
    confirmed = await client.post(f"/api/v1/events/{event_id}/registrations", headers=first.headers)
    assert confirmed.json()["status"] == "confirmed"
    after = await scrape(client)
    assert (
        value(after, REGISTERED, outcome="confirmed", code="")
        == value(before, REGISTERED, outcome="confirmed", code="") + 1
    )
    route = {"route": ROUTE, "method": "POST", "status": "2xx"}
    assert value(after, REQUESTS, **route) == value(before, REQUESTS, **route) + 1
    assert value(after, LATENCY, **route) == value(before, LATENCY, **route) + 1

    waiting = await client.post(f"/api/v1/events/{event_id}/registrations", headers=second.headers)
    again = await client.post(f"/api/v1/events/{event_id}/registrations", headers=second.headers)
    assert waiting.json()["status"] == "waitlisted" and again.status_code == 409
    final = await scrape(client)
    for outcome, code in (("waitlisted", ""), ("refused", "registration.duplicate")):
        assert (
            value(final, REGISTERED, outcome=outcome, code=code)
            == value(after, REGISTERED, outcome=outcome, code=code) + 1
        )
    refused = {"route": ROUTE, "method": "POST", "status": "4xx"}
    assert value(final, REQUESTS, **refused) == value(after, REQUESTS, **refused) + 1


async def test_outbox_depth_and_age_are_read_at_the_scrape(client: httpx.AsyncClient) -> None:
    async with write_transaction():
        for n in range(3):
            await enqueue_email("welcome", f"p{n}@example.org", {"name": "P", "account_url": "u"})
    pending = await OutboxMessage.count().where(OutboxMessage.status == MessageStatus.PENDING)
    found = await scrape(client)
    assert value(found, "grandrounds_outbox_pending") == pending == 3
    assert value(found, "grandrounds_outbox_oldest_pending_age_seconds") >= 0

    await OutboxMessage.update({OutboxMessage.status: MessageStatus.SENT}).where(OutboxMessage.id > 0)
    found = await scrape(client)
    assert value(found, "grandrounds_outbox_pending") == 0
    assert value(found, "grandrounds_outbox_oldest_pending_age_seconds") == 0


async def test_chores_failed_deliveries_and_webhooks_are_counted(
    client: httpx.AsyncClient, tmp_path: Path
) -> None:
    async with write_transaction():
        await enqueue_email("no_such_template", "x@example.org", {})
    before = await scrape(client)
    await default_dispatcher(get_settings(), MailLogTransport(tmp_path / "mail.log")).run_once()
    refused = await client.post(
        "/api/v1/billing/stripe/webhook", content=b"{}", headers={"stripe-signature": "t=1"}
    )
    assert refused.status_code >= 400
    after = await scrape(client)

    for chore in ("offer-expiry", "session-reminders", "retention"):
        runs = {"chore": chore, "result": "ok"}
        assert (
            value(after, "grandrounds_chore_runs_total", **runs)
            == value(before, "grandrounds_chore_runs_total", **runs) + 1
        )
        seconds = {"chore": chore}
        assert (
            value(after, "grandrounds_chore_duration_seconds_count", **seconds)
            == value(before, "grandrounds_chore_duration_seconds_count", **seconds) + 1
        )
    failure = {"stage": "render", "final": "true"}
    assert (
        value(after, "grandrounds_outbox_delivery_failures_total", **failure)
        == value(before, "grandrounds_outbox_delivery_failures_total", **failure) + 1
    )
    webhook = {"type": "", "outcome": refused.json()["code"]}
    assert (
        value(after, "grandrounds_stripe_webhooks_total", **webhook)
        == value(before, "grandrounds_stripe_webhooks_total", **webhook) + 1
    )


async def test_only_loopback_reads_metrics_without_a_token(app: Litestar, client: httpx.AsyncClient) -> None:
    assert (await client.get("/metrics")).status_code == 200  # the test client calls from 127.0.0.1
    async with client_from(app, "203.0.113.9") as stranger:
        assert (await stranger.get("/metrics")).status_code == 404
        assert (await stranger.get("/metrics", headers={"Authorization": "Bearer guess"})).status_code == 404
    async with client_from(app, "::1") as local:
        assert (await local.get("/metrics")).status_code == 200


async def test_with_a_token_everyone_needs_it_and_a_wrong_one_is_refused() -> None:
    settings = replace(get_settings(), metrics_token="m3trics-t0ken")
    async with client_for(create_app(settings)) as local:
        assert (await local.get("/metrics")).status_code == 401
        wrong = await local.get("/metrics", headers={"Authorization": "Bearer m3trics-t0kem"})
        assert wrong.status_code == 401 and wrong.json()["code"] == "auth.token_invalid"
        await scrape(local, Authorization="Bearer m3trics-t0ken")


CHILD = """
from grandrounds.metrics import REGISTRATIONS, observe_request
REGISTRATIONS.labels("confirmed", "").inc()
observe_request("/events", "GET", 200, 0.01)
"""


def test_every_process_of_serve_counts_into_one_total(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two processes write into the folder serve prepares; a scrape answered by either sums both."""
    # setenv first: the variable is absent again after the test, though prepare_multiprocess_dir sets it
    # straight in os.environ (a later serve in this run must not inherit this folder).
    monkeypatch.setenv(MULTIPROC_ENV, "")
    monkeypatch.delenv(MULTIPROC_ENV)
    folder = prepare_multiprocess_dir(tmp_path)
    assert os.environ[MULTIPROC_ENV] == str(folder) and folder == tmp_path / "metrics"
    (folder / "counter_1.db").write_bytes(b"")
    assert prepare_multiprocess_dir(tmp_path) == folder and list(folder.iterdir()), "a set folder is kept"
    monkeypatch.delenv(MULTIPROC_ENV)
    prepare_multiprocess_dir(tmp_path)
    assert not list(folder.iterdir()), "serve starts from an empty folder"
    for _ in range(2):
        subprocess.run([sys.executable, "-c", CHILD], check=True, env={**os.environ}, timeout=60)
    found = samples(exposition().decode())
    assert value(found, REGISTERED, outcome="confirmed", code="") == 2
    assert value(found, REQUESTS, route="/events", method="GET", status="2xx") == 2


@pytest.mark.parametrize("workers", [1, 2])
async def test_serve_logs_json_once_per_request_and_scrapes_the_total(run_dir: Path, workers: int) -> None:
    """One process counts in its own registry, several in the shared folder: a scrape sees every request."""
    var = run_dir / f"serve-metrics-{os.getpid()}-{workers}"
    server = AppProcess.serve(
        run_dir,
        {"GRANDROUNDS_VAR_DIR": str(var), "GRANDROUNDS_LOG_FORMAT": "json", "GRANDROUNDS_LOG_LEVEL": "info"},
    )
    server.command += ["--workers", str(workers)]
    # Generous: on a busy machine uvicorn may restart a worker that is slow to import the app.
    await server.start(within=300)
    try:
        for _ in range(20):  # a connection each, so both processes take some
            async with httpx.AsyncClient(timeout=10) as browser:
                assert (await browser.get(f"{server.base}/")).status_code == 200
        async with httpx.AsyncClient(base_url=server.base, timeout=10) as scraper:
            found = await scrape(scraper)
    finally:
        await server.stop()
    assert value(found, REQUESTS, route="/", method="GET", status="2xx") == 20
    # Besides the banner serve prints (and the test's own header), every line is one JSON object.
    banner = ("--- start", "grandrounds is running at", "note: several workers")
    lines = [line for line in server.log.read_text().splitlines() if not line.startswith(banner)]
    records = [json.loads(line) for line in lines]
    started = [r for r in records if r["event"].startswith("Started server process")]
    # uvicorn's own lines are JSON too (a slow second worker may still be importing the app).
    assert started and all(r["logger"] == "uvicorn.error" for r in started)
    home = [r for r in records if r["event"] == "request" and r.get("route") == "/"]
    assert len(home) == 20, "one access line per request, none from uvicorn"
