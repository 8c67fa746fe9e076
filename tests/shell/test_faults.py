"""Nothing is lost or doubled when the processes die or the database restarts under load.

`grandrounds serve` and `grandrounds worker` run as real processes and are
SIGKILLed at seeded random moments during a registration rush and a webhook
storm, and started again each time (tests/builders/faults.py says what the
clients do and what is checked). A private PostgreSQL cluster is restarted
under load: the app answers 503 with Retry-After meanwhile, never 500, and
recovers by itself. PostgreSQL only: SQLite is one file on one machine, with
no server to restart and one writer at a time. `bench/faults.py` runs the same
scenarios longer and with more kills.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from grandrounds.db import is_sqlite
from tests.builders.faults import database_restart, rush_and_storm
from tests.builders.mail import Inbox
from tests.builders.postgres import PrivateCluster, unavailable_reason
from tests.stripe_server import StripeServer

pytestmark = pytest.mark.skipif(
    is_sqlite(), reason="fault injection needs PostgreSQL: a server to restart and concurrent writers"
)

SEED = 20261203


@pytest.fixture
def private_cluster() -> Iterator[PrivateCluster]:
    reason = unavailable_reason()
    if reason:
        pytest.skip(reason)
    cluster = PrivateCluster().init()
    try:
        cluster.start()
        yield cluster
    finally:
        cluster.remove()


async def test_kills_during_a_rush_and_a_webhook_storm_lose_nothing(
    run_dir: Path, smtp_server: tuple[Inbox, int], stripe_server: StripeServer
) -> None:
    inbox, port = smtp_server
    report = await rush_and_storm(
        run_dir, inbox, port, stripe_server,
        people=30, capacity=12, buyers=6, deliveries=3, server_kills=2, worker_kills=3, seed=SEED,
    )  # fmt: skip
    print("\n".join(report.lines()))
    assert report.problems == []
    assert (report.kills.server, report.kills.worker) == (2, 3), "every planned kill landed during the load"
    assert report.tally.cut_off > 0, "the kills cut requests off"
    assert report.tally.server_errors == []


async def test_a_database_restart_gives_503s_and_the_app_recovers_by_itself(
    run_dir: Path, smtp_server: tuple[Inbox, int], private_cluster: PrivateCluster
) -> None:
    inbox, port = smtp_server
    report = await database_restart(run_dir, private_cluster, inbox, port, people=16, restarts=2, seed=SEED)
    print("\n".join(report.lines()))
    assert report.problems == []
    assert report.restarts == 2
    assert report.served_while_down[503] > 0, "the load met the database away"
    assert set(report.served_while_down) <= {200, 503}
    assert report.tally.server_errors == []
    assert (report.server_starts, report.worker_starts) == (1, 1)
