"""Processes that start together on a fresh database migrate it once, not once each.

Several API processes and workers come up together after a deploy; each runs
``grandrounds migrate`` (or ``serve``'s own). Two of them against an empty
database, started at the same moment, must both succeed and leave every
migration recorded exactly once.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from grandrounds.db import is_sqlite
from tests.builders.databases import fresh_database, rows_of
from tests.builders.processes import SERVE_WITHOUT_SERVING

ROOT = Path(__file__).resolve().parents[2]
APPS = ("accounts", "events", "programs", "billing", "notifications", "library", "directory", "records")


def migration_files() -> Counter[tuple[str, str]]:
    return Counter(
        (app, path.stem)
        for app in APPS
        for path in (ROOT / app / "piccolo_migrations").glob("*.py")
        if path.name != "__init__.py"
    )


def start(command: str, database_url: str, var_dir: Path, *flags: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "grandrounds.server.cli", command, *flags],
        env={**os.environ, "DATABASE_URL": database_url, "GRANDROUNDS_VAR_DIR": str(var_dir)},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


async def test_two_migrations_started_together_apply_each_migration_once(tmp_path: Path) -> None:
    async with fresh_database(tmp_path) as url:
        first = start("migrate", url, tmp_path / "var")
        second = start("migrate", url, tmp_path / "var")
        outputs = [process.communicate(timeout=300)[0] for process in (first, second)]
        assert (first.returncode, second.returncode) == (0, 0), outputs
        assert all("migrations are up to date" in output for output in outputs)
        recorded = Counter((row["app_name"], row["name"]) for row in (await rows_of(url))["migration"])
        assert set(recorded.values()) == {1}, [key for key, times in recorded.items() if times > 1]
        assert Counter(app for app, _ in recorded) == Counter(app for app, _ in migration_files())


def serve_without_serving(database_url: str, var_dir: Path, *flags: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", SERVE_WITHOUT_SERVING, "serve", *flags],
        env={**os.environ, "DATABASE_URL": database_url, "GRANDROUNDS_VAR_DIR": str(var_dir)},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


async def test_serve_no_migrate_starts_without_touching_the_schema(tmp_path: Path) -> None:
    async with fresh_database(tmp_path) as url:
        done = serve_without_serving(url, tmp_path / "var", "--no-migrate")
        assert done.returncode == 0 and "links:" in done.stdout, done.stderr
        assert "migration" not in await rows_of(url)
        done = serve_without_serving(url, tmp_path / "var")
        assert done.returncode == 0, done.stderr
        assert (await rows_of(url))["migration"]


async def test_worker_no_migrate_leaves_a_fresh_database_alone(tmp_path: Path) -> None:
    async with fresh_database(tmp_path) as url:
        process = start("worker", url, tmp_path / "var", "--once", "--no-migrate")
        output = process.communicate(timeout=300)[0]
        # Nothing was migrated, so the worker's first query finds no outbox table.
        assert process.returncode != 0, output
        assert "migration" not in await rows_of(url)


@pytest.mark.skipif(not is_sqlite(), reason="the lock file is SQLite's; PostgreSQL's lock is in the server")
def test_the_sqlite_lock_file_sits_beside_the_database_and_is_private(tmp_path: Path) -> None:
    database = tmp_path / "locked.sqlite3"
    process = start("migrate", f"sqlite:///{database}", tmp_path / "var")
    assert process.communicate(timeout=300)[0] and process.returncode == 0
    lock = Path(f"{database}.migrate-lock")
    assert lock.exists() and lock.stat().st_mode & 0o077 == 0
