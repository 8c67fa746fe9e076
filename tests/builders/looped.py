"""An app served in an event loop of the test's own, for Hypothesis and schemathesis tests.

Hypothesis calls a plain function once per example, so a property test cannot await. The
app's lifespan (and with it the PostgreSQL pool) is instead held open by one task in a loop
the test owns, and each call resumes that loop until its request is answered. Builders run
in the same loop (``looped.run(make_actor(...))``), so they share the pool safely.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

import httpx
from asgi_lifespan import LifespanManager
from litestar import Litestar

T = TypeVar("T")
BASE_URL = "http://testserver.local"


@dataclass
class LoopedApp:
    """The app with its lifespan running, the client that calls it, and the loop they live in."""

    runner: asyncio.Runner
    client: httpx.AsyncClient

    def run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        """Run ``coroutine`` in the app's loop and return its result."""
        return self.runner.run(coroutine)


async def _serve(app: Litestar, started: asyncio.Event, stop: asyncio.Event) -> None:
    # The lifespan's task group must start and end in one task: this one, parked between calls.
    async with LifespanManager(app):
        started.set()
        await stop.wait()


async def _start(app: Litestar) -> tuple[asyncio.Task[None], asyncio.Event]:
    started, stop = asyncio.Event(), asyncio.Event()
    task = asyncio.create_task(_serve(app, started, stop))
    await started.wait()
    return task, stop


async def _stop(task: asyncio.Task[None], stop: asyncio.Event) -> None:
    stop.set()
    await task


@contextmanager
def looped(app: Litestar) -> Iterator[LoopedApp]:
    """Serve ``app`` in a loop of its own while the block runs."""
    with asyncio.Runner() as runner:
        task, stop = runner.run(_start(app))
        client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE_URL)
        try:
            yield LoopedApp(runner, client)
        finally:
            runner.run(client.aclose())
            runner.run(_stop(task, stop))
