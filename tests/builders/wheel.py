"""This tree as an operator gets it: a wheel, installed into a fresh venv far from the source.

The wheel test (tests/shell/test_wheel.py) and ``bench/installed_wheel.py`` use it.
The build runs on a copy of the files git would ship (tracked or not ignored), so
an ignored ``build/`` or a stale ``*.egg-info`` cannot leak into the wheel, and two
test runs side by side never write into the same folder. Dependencies come at the
versions in uv.lock (exported as constraints); uv's cache makes a repeat install quick.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
UV = [sys.executable, "-m", "uv"]


def _run(command: list[str], cwd: Path, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return done.stdout


def shipped_files() -> list[str]:
    """Paths, relative to the tree, of every file git would ship (committed, or new and not ignored)."""
    listing = _run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], ROOT)
    return sorted(p for p in listing.split("\0") if p and (ROOT / p).is_file())


@dataclass(frozen=True)
class InstalledWheel:
    wheel: Path
    venv: Path

    @property
    def python(self) -> Path:
        return self.venv / "bin" / "python"

    @property
    def command(self) -> Path:
        """The ``grandrounds`` console script the wheel installed."""
        return self.venv / "bin" / "grandrounds"

    def members(self) -> list[str]:
        with zipfile.ZipFile(self.wheel) as archive:
            return archive.namelist()

    def env(self, extra: dict[str, str]) -> dict[str, str]:
        """An operator's environment: this venv first on PATH, nothing of the source tree or the test run."""
        return {
            "PATH": f"{self.venv / 'bin'}:/usr/local/bin:/usr/bin:/bin",
            "HOME": os.environ.get("HOME", "/tmp"),
            "LANG": "C.UTF-8",
            **extra,
        }


def build_and_install(workdir: Path, *, compile_bytecode: bool = False) -> InstalledWheel:
    """Build the wheel from a copy of the tree and install it with its locked dependencies.

    ``compile_bytecode`` writes every module's bytecode at install, as the container
    image does, so no start pays for it; the test skips it (it costs more than it saves once).
    """
    source = workdir / "source"
    for relative in shipped_files():
        target = source / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / relative, target)
    dist = workdir / "dist"
    _run([*UV, "build", "--wheel", "--quiet", "--out-dir", str(dist), str(source)], source)
    (wheel,) = dist.glob("grandrounds-*.whl")
    constraints = workdir / "constraints.txt"
    _run(
        [*UV, "export", "--quiet", "--frozen", "--no-hashes", "--no-dev", "--no-emit-project",
         "--output-file", str(constraints)],
        source,
    )  # fmt: skip
    venv = workdir / "venv"
    _run([*UV, "venv", "--quiet", "--python", sys.executable, str(venv)], workdir)
    compile_flag = ["--compile-bytecode"] if compile_bytecode else []
    _run(
        [*UV, "pip", "install", "--quiet", "--python", str(venv / "bin" / "python"),
         "--constraints", str(constraints), *compile_flag, str(wheel)],
        workdir,
    )  # fmt: skip
    return InstalledWheel(wheel=wheel, venv=venv)
