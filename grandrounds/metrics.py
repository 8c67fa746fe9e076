"""The process's Prometheus metrics, and their text for a scrape (served at ``/metrics``).

Counters and histograms live here, in the kernel, so every room records into
them without importing the server; the rooms call the small helpers below at
the one point where an outcome is known (after the commit that made it).

``grandrounds serve`` may run several processes (``--workers N``). Each keeps
its own counts, so a scrape of one would see only its share: the command sets
``PROMETHEUS_MULTIPROC_DIR`` (``var/metrics``, emptied at start) before
prometheus_client is first imported, every process writes its values to files
there, and :func:`exposition` sums them, so a scrape answered by any process
gives the totals of all. Without the variable (the test suite, a bare
``uvicorn`` run) the process's own registry is read.

Gauges of the database's state (outbox depth, age of the oldest pending
message) are not kept by any process: the scrape queries them and hands them
in as ``extra`` families (grandrounds.server.metrics).
"""

from __future__ import annotations

import functools
import os
import shutil
import time
from collections.abc import Awaitable, Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

from prometheus_client import REGISTRY, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.metrics_core import Metric
from prometheus_client.multiprocess import MultiProcessCollector

from grandrounds.errors import DomainError

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
# Litestar adds "; charset=utf-8" to every text/* type itself.
CONTENT_TYPE = "text/plain; version=0.0.4"

HTTP_REQUESTS = Counter(
    "grandrounds_http_requests",
    "HTTP requests answered, by route template, method and status class.",
    ["route", "method", "status"],
)
HTTP_SECONDS = Histogram(
    "grandrounds_http_request_duration_seconds",
    "Time from a request's arrival to the end of its answer, by route template, method and status class.",
    ["route", "method", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
REGISTRATIONS = Counter(
    "grandrounds_registrations",
    "Registration attempts by outcome (confirmed, waitlisted, pending_payment, refused, error); "
    "refusals carry their error code.",
    ["outcome", "code"],
)
DELIVERY_FAILURES = Counter(
    "grandrounds_outbox_delivery_failures",
    "Outbox deliveries that failed, by stage (invite, render, build, send) and whether the message was "
    "given up (final) or will be tried again.",
    ["stage", "final"],
)
WEBHOOKS = Counter(
    "grandrounds_stripe_webhooks",
    "Stripe webhook deliveries by event type and outcome (a refusal's error code when refused).",
    ["type", "outcome"],
)
CHORE_RUNS = Counter(
    "grandrounds_chore_runs", "Background chore runs by chore and result (ok, error).", ["chore", "result"]
)
CHORE_SECONDS = Histogram(
    "grandrounds_chore_duration_seconds",
    "Duration of background chore runs, by chore.",
    ["chore"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0),
)

METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})

P = ParamSpec("P")
R = TypeVar("R")


def prepare_multiprocess_dir(var_dir: Path) -> Path:
    """Point prometheus_client at one shared folder for this server's processes, before it is imported.

    An operator's own ``PROMETHEUS_MULTIPROC_DIR`` is used as it is (they clear it between runs);
    otherwise ``var/metrics`` is emptied, so counts start at zero with the server, as they would
    for a single process.
    """
    configured = os.environ.get(MULTIPROC_ENV, "").strip()
    if configured:
        folder = Path(configured)
        folder.mkdir(parents=True, exist_ok=True)
        return folder
    folder = var_dir / "metrics"
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(mode=0o700, parents=True)
    os.environ[MULTIPROC_ENV] = str(folder)
    return folder


class _Families:
    """A collector over other collectors and ready-made families, for one scrape."""

    def __init__(self, sources: Iterable[Any], extra: Iterable[Metric]) -> None:
        self.sources = list(sources)
        self.extra = list(extra)

    def collect(self) -> Iterator[Metric]:
        for source in self.sources:
            yield from source.collect()
        yield from self.extra


def exposition(extra: Iterable[Metric] = ()) -> bytes:
    """The Prometheus text of every process's metrics (summed across ``serve``'s workers) plus ``extra``."""
    folder = os.environ.get(MULTIPROC_ENV, "").strip()
    source: Any = REGISTRY
    if folder:
        source = CollectorRegistry()
        MultiProcessCollector(source, path=folder)
    return generate_latest(_Families([source], extra))


def status_class(status: int) -> str:
    return f"{status // 100}xx" if 100 <= status < 600 else "other"


def observe_request(route: str, method: str, status: int, seconds: float) -> None:
    """Count one answered request; the route is its template, never the raw path."""
    labels = (route, method if method in METHODS else "OTHER", status_class(status))
    HTTP_REQUESTS.labels(*labels).inc()
    HTTP_SECONDS.labels(*labels).observe(seconds)


def counts_registrations(fn: Callable[P, Awaitable[R]]) -> Callable[P, Awaitable[R]]:
    """Count each outcome of a registration service once it has returned (its transaction committed).

    The result is a registration, or a list of them for a group; each counts under its status.
    A refusal (a DomainError) counts under ``refused`` with its code, anything else as ``error``.
    """

    @functools.wraps(fn)
    async def counted(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            result = await fn(*args, **kwargs)
        except DomainError as exc:
            REGISTRATIONS.labels("refused", exc.code).inc()
            raise
        except Exception:
            REGISTRATIONS.labels("error", "").inc()
            raise
        for one in result if isinstance(result, list) else [result]:
            REGISTRATIONS.labels(str(getattr(one, "status", "unknown")), "").inc()
        return result

    return counted


def webhook_outcome(event_type: str, outcome: str) -> None:
    WEBHOOKS.labels(event_type, outcome).inc()


def delivery_failed(stage: str, final: bool) -> None:
    DELIVERY_FAILURES.labels(stage, "true" if final else "false").inc()


@contextmanager
def chore_run(name: str) -> Iterator[None]:
    """Count and time one run of a chore, and whether it raised."""
    started = time.perf_counter()
    result = "error"
    try:
        yield
        result = "ok"
    finally:
        CHORE_RUNS.labels(name, result).inc()
        CHORE_SECONDS.labels(name).observe(time.perf_counter() - started)
