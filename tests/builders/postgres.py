"""A private PostgreSQL cluster: initdb into a temporary directory, a free port, stopped and started
at will.

A test that restarts PostgreSQL must never touch the machine's shared server
(other people's tests use it), so it makes its own. initdb refuses to run as
root, so as root every command runs as the ``postgres`` OS user through
``runuser``. The binaries are Debian's, under /usr/lib/postgresql/<major>/bin.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from tests.builders.processes import free_port


def binaries() -> Path | None:
    """The newest installed server's bin directory, or None when there is none."""
    found = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/initdb"),
        key=lambda p: int(p.parent.parent.name),
        reverse=True,
    )
    return found[0].parent if found else None


def unavailable_reason() -> str:
    """Why a private cluster cannot be made here ('' when it can)."""
    if binaries() is None:
        return "no PostgreSQL server binaries under /usr/lib/postgresql/*/bin"
    if os.geteuid() == 0 and shutil.which("runuser") is None:
        return "running as root without runuser to become the postgres user"
    return ""


class PrivateCluster:
    """One cluster in its own directory; ``url(name)`` is a database on it."""

    def __init__(self) -> None:
        bin_dir = binaries()
        assert bin_dir is not None, unavailable_reason()
        self.bin = bin_dir
        self.root = Path(tempfile.mkdtemp(prefix="grandrounds-pg-"))
        self.data = self.root / "data"
        self.log = self.root / "server.log"
        self.port = free_port()
        self.as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self.as_postgres:
            shutil.chown(self.root, user="postgres", group="postgres")

    def _run(self, tool: str, *args: str) -> None:
        done = subprocess.run(
            [*self.as_postgres, str(self.bin / tool), *args], capture_output=True, text=True, check=False
        )
        if done.returncode != 0:
            log = self.log.read_text() if self.log.exists() else ""
            raise RuntimeError(f"{tool} {' '.join(args)} failed: {done.stderr}{done.stdout}\n{log[-2000:]}")

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def init(self) -> PrivateCluster:
        self._run(
            "initdb", "-D", str(self.data), "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C",
            "--no-sync", "--no-instructions",
        )  # fmt: skip
        return self

    def start(self) -> None:
        # Durability is not under test; a busy shared machine should not make the restart slow.
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.root} -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=60"
        )
        self._run(
            "pg_ctl", "-D", str(self.data), "-l", str(self.log), "-o", options, "-w", "-t", "120", "start"
        )

    def stop(self, mode: str = "fast") -> None:
        """``fast`` ends every session (clients see their connection end), as a restart does."""
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "-t", "120", "stop")

    def create_database(self, name: str) -> str:
        self._run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", name)
        return self.url(name)

    def remove(self) -> None:
        """Stop it (whatever state it is in) and delete its directory."""
        if (self.data / "postmaster.pid").exists():
            try:
                self.stop("immediate")
            except RuntimeError:
                pass
        shutil.rmtree(self.root, ignore_errors=True)
