"""Real `grandrounds serve` and `grandrounds worker` processes that a test can kill and start again.

The fault tests and ``bench/faults.py`` run the app as an operator does, one
process per role, on the suite's environment plus what they add (Stripe keys,
the test SMTP server, a short outbox lease), and stop it the hard way
(SIGKILL) or the polite way (SIGTERM). Output goes to a log file per role in the
run directory, appended across restarts.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
import time
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class AppProcess:
    """One `grandrounds <command>` process; ``start`` again after a kill runs a new one alike."""

    def __init__(self, command: list[str], env: dict[str, str], log: Path, ready_url: str = "") -> None:
        self.command = command
        self.env = {**os.environ, "GRANDROUNDS_LOG_LEVEL": "warning", **env}
        self.log = log
        self.ready_url = ready_url
        self.process: asyncio.subprocess.Process | None = None
        self.starts = 0
        self.kills = 0
        self.ready_seconds = 0.0  # spawn to the first 200 from /readyz, on the latest start

    @classmethod
    def serve(
        cls, run_dir: Path, env: dict[str, str], port: int | None = None, workers: int | None = None
    ) -> AppProcess:
        """``grandrounds serve`` on a loopback port (a free one unless given), its own base URL;
        ``workers`` passes ``--workers`` (else the settings' default, one)."""
        port = port or free_port()
        base = f"http://127.0.0.1:{port}"
        command = ["serve", "--host", "127.0.0.1", "--port", str(port)]
        if workers is not None:
            command += ["--workers", str(workers)]
        return cls(command, {"GRANDROUNDS_BASE_URL": base, **env}, run_dir / f"serve-{port}.log", base)

    @classmethod
    def worker(cls, run_dir: Path, env: dict[str, str], name: str = "worker") -> AppProcess:
        return cls(["worker"], env, run_dir / f"{name}.log")

    @property
    def base(self) -> str:
        return self.ready_url

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def rss_kib(self) -> int:
        """Resident memory now (VmRSS from /proc), in KiB; 0 where /proc does not say."""
        try:
            status = Path(f"/proc/{self.pid}/status").read_text()
        except OSError:
            return 0
        for line in status.splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        return 0

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.returncode is None

    async def start(self, within: float = 90) -> None:
        """Start the process; a server is started once its ``/readyz`` answers 200."""
        began = time.monotonic()
        with self.log.open("a") as log:
            command = " ".join(self.command)
            log.write(f"--- start {self.starts + 1} at {time.strftime('%H:%M:%S')}: grandrounds {command}\n")
            log.flush()
            self.process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "grandrounds.server.cli", *self.command,
                env=self.env, stdout=log, stderr=asyncio.subprocess.STDOUT,
            )  # fmt: skip
        self.starts += 1
        if self.ready_url:
            await self._until_ready(within)
            self.ready_seconds = time.monotonic() - began

    async def _until_ready(self, within: float) -> None:
        deadline = time.monotonic() + within
        async with httpx.AsyncClient(timeout=2) as client:
            while time.monotonic() < deadline:
                try:
                    if (await client.get(f"{self.ready_url}/readyz")).status_code == 200:
                        return
                except httpx.HTTPError:
                    pass
                if not self.running:
                    raise RuntimeError(f"grandrounds {self.command[0]} exited early; see {self.log}")
                await asyncio.sleep(0.1)  # a process starting up: nothing to wait on but its port
        self.kill()
        raise RuntimeError(f"grandrounds {self.command[0]} did not become ready; see {self.log}")

    def kill(self) -> None:
        """SIGKILL: no shutdown, no cleanup, whatever it was doing stops mid-step."""
        if self.running:
            assert self.process is not None
            self.process.send_signal(signal.SIGKILL)
            self.kills += 1

    def signal(self, number: int) -> None:
        assert self.process is not None
        self.process.send_signal(number)

    async def wait(self, within: float = 60) -> int:
        assert self.process is not None
        return await asyncio.wait_for(self.process.wait(), timeout=within)

    async def stop(self, within: float = 30) -> int | None:
        """SIGTERM and wait; SIGKILL if it will not go. The exit code, or None if it had to be killed."""
        if not self.running:
            return self.process.returncode if self.process else None
        self.signal(signal.SIGTERM)
        try:
            return await self.wait(within)
        except TimeoutError:
            self.kill()
            await self.wait()
            return None


# `grandrounds serve` up to the point of serving: prints the links base URL it settled on and exits.
SERVE_WITHOUT_SERVING = """
import sys, uvicorn
from grandrounds.server import cli
from grandrounds.settings import get_settings
uvicorn.run = lambda *a, **k: print("links:", get_settings().base_url)
sys.exit(cli.main(sys.argv[1:]))
"""
