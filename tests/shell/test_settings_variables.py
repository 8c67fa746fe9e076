"""KNOWN_VARIABLES names every environment variable grandrounds reads, and the README documents each.

Deployment files (compose.yaml, a unit file) are checked against this list, so
a variable read somewhere but missing here would be one an operator can set
and nobody checks.
"""

from __future__ import annotations

import re
from pathlib import Path

from grandrounds.server.packages import DOMAIN_PACKAGES
from grandrounds.settings import KNOWN_VARIABLES, LIBRARY_VARIABLES

ROOT = Path(__file__).resolve().parents[2]
RUNTIME_PACKAGES = ("grandrounds", *DOMAIN_PACKAGES)
NAME = r"[A-Z][A-Z0-9_]{2,}"
# A reader call with a literal name: os.environ.get("X"), os.getenv("X"), os.environ["X"],
# os.environ.setdefault("X", ...), and the settings' readers (read.integer("X", ...), read.flag(...)).
READ = re.compile(
    rf"""(?:environ\.get|getenv|environ\.setdefault|\.(?:raw|text|secret|flag|integer|choice|is_set))"""
    rf"""\(\s*["']({NAME})["']|environ\[\s*["']({NAME})["']\s*\]"""
)


def names_read(path: Path) -> set[str]:
    return {a or b for a, b in READ.findall(path.read_text())}


def runtime_sources() -> list[Path]:
    return [
        path
        for package in RUNTIME_PACKAGES
        for path in sorted((ROOT / package).rglob("*.py"))
        if "piccolo_migrations" not in path.parts
    ]


def readme_table_variables() -> set[str]:
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Configuration", 1)[1]
    table = [line for line in section.splitlines() if line.startswith("| `")]
    return {name for line in table for name in re.findall(rf"`({NAME})`", line.split(" | ", 1)[0])}


def test_the_list_has_no_duplicates() -> None:
    assert len(KNOWN_VARIABLES) == len(set(KNOWN_VARIABLES))


def test_every_variable_the_settings_read_is_known() -> None:
    read = names_read(ROOT / "grandrounds" / "settings.py")
    assert "SMTP_PORT" in read and "GRANDROUNDS_DB_POOL_SIZE" in read, "the scan must see the readers"
    assert read - set(KNOWN_VARIABLES) == set()


def test_every_variable_any_runtime_module_reads_is_known() -> None:
    unknown = {
        f"{path.relative_to(ROOT)}: {name}"
        for path in runtime_sources()
        for name in names_read(path)
        if name not in KNOWN_VARIABLES
    }
    assert unknown == set()


def test_every_known_variable_is_read_somewhere() -> None:
    read = set().union(*(names_read(path) for path in runtime_sources()))
    retention = {name for name in KNOWN_VARIABLES if name.startswith("GRANDROUNDS_RETENTION_")}
    assert len(retention) == 7  # spelled by retention_variable(), not literally
    # The S3 client reads its credentials itself; they are known so deployment files may set them.
    assert set(KNOWN_VARIABLES) - retention - set(LIBRARY_VARIABLES) - read == set()


def test_every_known_variable_is_in_the_readme_configuration_table() -> None:
    documented = readme_table_variables()
    assert "DATABASE_URL" in documented
    assert set(KNOWN_VARIABLES) - documented == set()
    assert documented - set(KNOWN_VARIABLES) == set(), "the table documents a variable nothing reads"
