"""Browser journeys: a real `grandrounds serve` process and Debian's Chromium driven by Playwright."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from tests.stripe_server import StripeServer

CHROMIUM = os.environ.get("GRANDROUNDS_CHROMIUM", "/usr/bin/chromium")
# Without these, Chromium tries to reach Google's services at start and on idle.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def live_server(run_dir: Path) -> Iterator[str]:
    """A real server on a free loopback port, on the suite's database, stopped afterwards."""
    with serve(run_dir) as base:
        yield base


@contextmanager
def serve(run_dir: Path, extra_env: dict[str, str] | None = None) -> Iterator[str]:
    """Run ``grandrounds serve`` with the suite's environment plus ``extra_env`` (Stripe keys, say);
    its base URL is its own address, so links it makes (Stripe's return address) lead back to it."""
    port = _free_port()
    log = (run_dir / f"server-{port}.log").open("w")
    env = {
        **os.environ,
        "GRANDROUNDS_LOG_LEVEL": "warning",
        "GRANDROUNDS_BASE_URL": f"http://127.0.0.1:{port}",
        **(extra_env or {}),
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "grandrounds.server.cli", "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        if process.poll() is not None:
            raise RuntimeError(f"server exited early; see {log.name}")
        time.sleep(0.2)
    else:
        process.kill()
        raise RuntimeError(f"server did not become ready; see {log.name}")
    try:
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


STRIPE_API_KEY = "sk_test_journey"
STRIPE_WEBHOOK_SECRET = "whsec_test_journey"


@pytest.fixture
def stripe_server() -> Iterator[StripeServer]:
    """The local Stripe-shaped server, on its own loopback port for one journey."""
    server = StripeServer(STRIPE_API_KEY).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def paid_server(run_dir: Path, stripe_server: StripeServer) -> Iterator[str]:
    """A real server with Stripe keys pointing at the local server, which delivers its signed
    webhooks back to this server over HTTP."""
    keys = {
        "STRIPE_SECRET_KEY": STRIPE_API_KEY,
        "STRIPE_WEBHOOK_SECRET": STRIPE_WEBHOOK_SECRET,
        "STRIPE_API_BASE": stripe_server.url,
    }
    with serve(run_dir, keys) as base:
        endpoint = f"{base}/api/v1/billing/stripe/webhook"
        stripe_server.account.webhook_endpoint = (endpoint, STRIPE_WEBHOOK_SECRET)
        yield base


@pytest.fixture
def browser_page(run_dir: Path):  # type: ignore[no-untyped-def]
    if not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}; the test command installs Debian's chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        context = browser.new_context()
        page = context.new_page()
        page.set_default_timeout(15_000)
        try:
            yield page
        finally:
            shots = run_dir / "screenshots"
            shots.mkdir(exist_ok=True)
            page.screenshot(path=str(shots / "last.png"), full_page=True)
            context.close()
            browser.close()
