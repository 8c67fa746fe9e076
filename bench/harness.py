"""What the benchmarks over real HTTP share: a scratch database, a served process, wrk, pgbench, memory.

Every figure these scripts print comes from separate processes talking over
loopback, the way a deployment is reached: `grandrounds serve` (uvicorn with
its workers) on one side, wrk or pgbench on the other. A scratch database is
made for each run and dropped after it, so a run never reads another's rows.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
DEFAULT_PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def ensure_tool(command: str, package: str) -> str:
    """The path of ``command``, installing Debian's ``package`` (scripts/lib.sh apt_install) if missing.

    A benchmark without its load generator has no figure to print, so this fails
    loudly rather than skipping.
    """
    found = shutil.which(command)
    if found:
        return found
    subprocess.run(["bash", "-c", f". scripts/lib.sh && apt_install {package}"], cwd=ROOT, check=False)
    found = shutil.which(command)
    if not found:
        raise SystemExit(f"{command} is missing and could not be installed (apt-get install {package})")
    return found


@dataclass
class Database:
    """Where a run keeps its rows: a PostgreSQL database made for it, or a SQLite file in a temp dir."""

    url: str
    var_dir: Path
    admin_url: str = ""

    @property
    def is_postgres(self) -> bool:
        return self.url.startswith("postgres")

    @property
    def engine(self) -> str:
        return "PostgreSQL" if self.is_postgres else "SQLite"


def _admin_url() -> str:
    """The server to make scratch databases on: DATABASE_URL's server if it names PostgreSQL."""
    url = os.environ.get("GRANDROUNDS_BENCH_PG_ADMIN_URL") or os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        return DEFAULT_PG_ADMIN
    return url.rsplit("/", 1)[0] + "/postgres"


def psql(url: str, sql: str) -> str:
    done = subprocess.run(["psql", url, "-qAtX", "-v", "ON_ERROR_STOP=1", "-c", sql],
                          capture_output=True, text=True, check=True)  # fmt: skip
    return done.stdout.strip()


@contextmanager
def scratch_database(kind: str, tag: str) -> Iterator[Database]:
    """A new empty database of ``kind`` ("pg" or "sqlite"), removed afterwards whatever happens."""
    var_dir = Path(tempfile.mkdtemp(prefix=f"grandrounds-{tag}-"))
    if kind == "sqlite":
        try:
            yield Database(f"sqlite:///{var_dir / 'bench.sqlite3'}", var_dir)
        finally:
            shutil.rmtree(var_dir, ignore_errors=True)
        return
    admin = _admin_url()
    name = f"gr_bench_{tag}_{uuid.uuid4().hex[:8]}"
    psql(admin, f"CREATE DATABASE {name}")
    try:
        yield Database(f"{admin.rsplit('/', 1)[0]}/{name}", var_dir, admin)
    finally:
        psql(admin, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        shutil.rmtree(var_dir, ignore_errors=True)


def app_env(db: Database, **more: str) -> dict[str, str]:
    """The environment of an app process (and of the seeding inside this one) for ``db``."""
    return {
        **os.environ,
        "DATABASE_URL": db.url,
        "GRANDROUNDS_VAR_DIR": str(db.var_dir / "var"),
        # One machine: the processes of a run share var/secret_key (os.environ may say otherwise).
        "GRANDROUNDS_ENV": os.environ.get("GRANDROUNDS_ENV", "development"),
        "GRANDROUNDS_PASSWORD_HASH_PROFILE": "cheap",  # nobody signs in with a password here
        "GRANDROUNDS_DISPATCHER_IN_SERVER": "0",  # the outbox is measured on its own (bench/outbox.py)
        "GRANDROUNDS_LOG_LEVEL": "warning",  # one access-log line per request would be the figure
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
        **more,
    }


def use_database(db: Database) -> None:
    """Point this process at ``db`` before anything of grandrounds is imported (settings read once)."""
    names = ("DATABASE_URL", "GRANDROUNDS_VAR_DIR", "GRANDROUNDS_ENV", "GRANDROUNDS_PASSWORD_HASH_PROFILE")
    for key in names:
        os.environ[key] = app_env(db)[key]
    os.environ["GRANDROUNDS_DISPATCHER_IN_SERVER"] = "0"
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))


def migrate(db: Database) -> None:
    subprocess.run([sys.executable, "-m", "grandrounds.server.cli", "migrate"],
                   env=app_env(db), cwd=ROOT, check=True, capture_output=True)  # fmt: skip


@dataclass
class Served:
    """A server process on a loopback port, its start-up time and its log file."""

    process: subprocess.Popen[bytes]
    base: str
    log: Path
    ready_s: float = 0.0
    workers: list[int] = field(default_factory=list)

    def rss_mb(self) -> list[float]:
        """Resident memory of each worker process (of the server itself when it has none)."""
        return [rss_mb(pid) for pid in (self.workers or [self.process.pid])]


def rss_mb(pid: int) -> float:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0.0
    found = re.search(r"VmRSS:\s+(\d+) kB", status)
    return int(found.group(1)) / 1024 if found else 0.0


def peak_rss_mb(pid: int) -> float:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0.0
    found = re.search(r"VmHWM:\s+(\d+) kB", status)
    return int(found.group(1)) / 1024 if found else 0.0


def _workers(pid: int) -> list[int]:
    """The worker processes uvicorn spawned (not multiprocessing's resource tracker)."""
    try:
        listed = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return []
    workers = []
    for child in listed:
        try:
            command = Path(f"/proc/{child}/cmdline").read_bytes()
        except OSError:
            continue
        if b"resource_tracker" not in command:
            workers.append(int(child))
    return workers


def _wait_ready(served: Served, path: str, began: float, within: float = 300) -> None:
    deadline = began + within
    while time.monotonic() < deadline:
        if served.process.poll() is not None:
            raise SystemExit(f"the server exited early:\n{served.log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(served.base + path, timeout=2) as answer:  # noqa: S310 - loopback
                if answer.status == 200:
                    served.ready_s = time.monotonic() - began
                    return
        except (urllib.error.URLError, OSError):
            time.sleep(0.05)  # a process starting up: nothing to wait on but its port
    raise SystemExit(f"the server did not become ready:\n{served.log.read_text()[-3000:]}")


@contextmanager
def serving(
    command: list[str], env: dict[str, str], log: Path, port: int, ready_path: str
) -> Iterator[Served]:
    """Run ``command`` (a server on ``port``) until the block ends; ready when ``ready_path`` answers 200."""
    began = time.monotonic()
    with log.open("ab") as out:
        process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
    served = Served(process, f"http://127.0.0.1:{port}", log)
    try:
        _wait_ready(served, ready_path, began)
        served.workers = _workers(process.pid)
        yield served
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def grandrounds_serve(db: Database, workers: int, log: Path, **more: str) -> AbstractContextManager[Served]:
    """`grandrounds serve` on a free loopback port, its environment :func:`app_env`'s plus ``more``."""
    port = free_port()
    command = [sys.executable, "-m", "grandrounds.server.cli", "serve",
               "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)]  # fmt: skip
    env = app_env(db, GRANDROUNDS_BASE_URL=f"http://127.0.0.1:{port}", **more)
    return serving(command, env, log, port, "/readyz")


def bare_serve(workers: int, log: Path) -> AbstractContextManager[Served]:
    """bench/bare_app.py under the same uvicorn settings as `grandrounds serve`."""
    port = free_port()
    command = [sys.executable, "-m", "uvicorn", "bench.bare_app:app", "--host", "127.0.0.1",
               "--port", str(port), "--workers", str(workers), "--proxy-headers",
               "--forwarded-allow-ips", "127.0.0.1", "--log-level", "warning", "--no-access-log"]  # fmt: skip
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return serving(command, env, log, port, "/healthz")


@dataclass
class PgbenchResult:
    tps: float
    latency_ms: float
    failed: int


def pgbench(
    url: str,
    script: Path,
    clients: int,
    seconds: int,
    *,
    threads: int = 2,
    define: dict[str, object] | None = None,
) -> PgbenchResult:
    """pgbench with a custom script; transactions per second without connection time."""
    ensure_tool("pgbench", "postgresql-client")
    variables = [f"-D{k}={v}" for k, v in (define or {}).items()]
    done = subprocess.run(
        ["pgbench", "-n", "-c", str(clients), "-j", str(min(threads, clients)), "-T", str(seconds),
         *variables, "-f", str(script), url],
        capture_output=True, text=True, timeout=seconds + 120,
    )  # fmt: skip
    if done.returncode != 0:
        raise SystemExit(f"pgbench failed:\n{done.stdout}\n{done.stderr}")
    tps = re.search(r"tps = ([\d.]+) \(without initial connection time\)", done.stdout)
    latency = re.search(r"latency average = ([\d.]+) ms", done.stdout)
    failed = re.search(r"number of failed transactions: (\d+)", done.stdout)
    assert tps, done.stdout
    return PgbenchResult(float(tps.group(1)), float(latency.group(1)) if latency else 0.0,
                         int(failed.group(1)) if failed else 0)  # fmt: skip
