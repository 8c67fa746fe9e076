"""Compare uvicorn and granian serving grandrounds on this machine.

Each server runs the real app (one process, embedded SQLite, dispatcher off)
on loopback; wrk (Debian package `wrk`) drives a bounded load against a page
that touches nothing (/healthz), one that reads the database (/readyz) and a
rendered page (/signin). Prints requests/s and latency per server and path.

    python bench/asgi_servers.py [--seconds 10] [--connections 50]

Needs: `pip install granian` (not a dependency) and `apt-get install wrk`.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

PATHS = ["/healthz", "/readyz", "/signin"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def server_command(name: str, port: int) -> list[str]:
    venv_bin = Path(sys.executable).parent
    if name == "uvicorn":
        return [
            str(venv_bin / "uvicorn"),
            "grandrounds.server.asgi:app",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ]
    return [str(venv_bin / "granian"), "--interface", "asgi", "--port", str(port), "--log-level", "warning",
            "grandrounds.server.asgi:app"]  # fmt: skip


def wait_ready(base: str) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{base}/readyz", timeout=1) as response:  # noqa: S310 - loopback only
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{base} did not become ready")


def run_wrk(url: str, seconds: int, connections: int) -> tuple[float, str, str]:
    out = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", url],
        capture_output=True, text=True, check=True, timeout=seconds + 30,
    ).stdout  # fmt: skip
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p50 = re.search(r"50%\s+(\S+)", out).group(1)  # type: ignore[union-attr]
    p99 = re.search(r"99%\s+(\S+)", out).group(1)  # type: ignore[union-attr]
    return rps, p50, p99


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=50)
    args = parser.parse_args()
    if not shutil.which("wrk"):
        print("wrk is not installed (apt-get install wrk)", file=sys.stderr)
        return 1
    var = Path(tempfile.mkdtemp(prefix="grandrounds-bench-"))
    env = {**os.environ, "GRANDROUNDS_VAR_DIR": str(var), "GRANDROUNDS_DISPATCHER_IN_SERVER": "0"}
    env.pop("DATABASE_URL", None)
    subprocess.run(
        [sys.executable, "-m", "grandrounds.server.cli", "migrate"], env=env, check=True, capture_output=True
    )
    print(f"{'server':<8} {'path':<9} {'req/s':>9} {'p50':>9} {'p99':>9}")
    for name in ("uvicorn", "granian"):
        port = free_port()
        process = subprocess.Popen(server_command(name, port), env=env, stdout=subprocess.DEVNULL)
        try:
            base = f"http://127.0.0.1:{port}"
            wait_ready(base)
            for path in PATHS:
                rps, p50, p99 = run_wrk(base + path, args.seconds, args.connections)
                print(f"{name:<8} {path:<9} {rps:>9.0f} {p50:>9} {p99:>9}", flush=True)
        finally:
            process.terminate()
            process.wait(timeout=10)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
