"""The installed wheel's figures: its size, the data files it carries, and how long serve takes to be ready.

Builds the wheel from the tree and installs it with the locked dependencies into
a fresh venv (tests/builders/wheel.py, as the wheel test does) with its bytecode
compiled at install (as the container image does), migrates an empty SQLite file
from a folder outside the tree, then starts ``grandrounds serve`` several times
and prints the seconds from process start to the first 200 from ``/readyz``
(migrations already applied, so this is import, app and server start). The
machine's load average is printed beside the times: they scale with it.

    .venv/bin/python bench/installed_wheel.py [--starts 3]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

from tests.builders.processes import free_port  # noqa: E402
from tests.builders.wheel import InstalledWheel, build_and_install  # noqa: E402


def start_to_ready(installed: InstalledWheel, run_dir: Path, env: dict[str, str]) -> float:
    port = free_port()
    with (run_dir / "serve.log").open("ab") as log:
        started = time.monotonic()
        process = subprocess.Popen(
            [installed.command, "serve", "--host", "127.0.0.1", "--port", str(port)],
            cwd=run_dir, env=env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        with httpx.Client(timeout=2) as client:
            while process.poll() is None:
                try:
                    if client.get(f"http://127.0.0.1:{port}/readyz").status_code == 200:
                        return time.monotonic() - started
                except httpx.HTTPError:
                    pass
                time.sleep(0.02)  # polling the port: the process gives no other signal
        raise SystemExit(f"serve exited; see {run_dir / 'serve.log'}")
    finally:
        process.terminate()
        process.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--starts", type=int, default=3)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="grandrounds-wheel-bench-"))
    try:
        began = time.monotonic()
        installed = build_and_install(workdir, compile_bytecode=True)
        print(f"build and install from the lock: {time.monotonic() - began:.1f} s")
        members = [m for m in installed.members() if not m.endswith("/")]
        data = [m for m in members if not m.endswith(".py") and ".dist-info/" not in m]
        size = installed.wheel.stat().st_size / 1024
        print(f"wheel: {installed.wheel.name}, {size:.0f} KiB, {len(members)} files")
        print(f"data files: {len(data)} (everything that is not Python source or metadata)")
        for folder, count in sorted(Counter(str(Path(m).parent) for m in data).items()):
            print(f"  {count:4d}  {folder}/")
        run_dir = workdir / "operator"
        run_dir.mkdir()
        env = installed.env(
            {
                "DATABASE_URL": f"sqlite:///{workdir / 'bench.sqlite3'}",
                "GRANDROUNDS_VAR_DIR": str(run_dir / "var"),
                "GRANDROUNDS_DISPATCHER_IN_SERVER": "0",
                "GRANDROUNDS_LOG_LEVEL": "warning",
            }
        )
        subprocess.run([installed.command, "migrate"], cwd=run_dir, env=env, check=True, capture_output=True)
        times = [start_to_ready(installed, run_dir, env) for _ in range(args.starts)]
        load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
        shown = ", ".join(f"{t:.2f}" for t in times)
        print(f"serve start to ready: {shown} s, median {sorted(times)[len(times) // 2]:.2f} s (load {load})")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
