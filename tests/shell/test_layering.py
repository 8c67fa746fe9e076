"""The import rules of the code base, read from the source (ast), so they hold without anyone's memory.

Layers, bottom up: the kernel (grandrounds/*.py, grandrounds/storage) stands on no package of ours;
the web kit (grandrounds/web) on the kernel and accounts; the domain packages on each other as ALLOWED
says; the composition (grandrounds/server) on everything, and nothing on it. Services speak
no HTTP (no litestar), no package reaches into another's controllers or pages, and tests
share helpers through tests/builders, never by importing another test module.

KNOWN lists the imports that break a rule today. Each is a debt to pay, not a permission:
the test fails when one is gone too, so the list only ever shrinks.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOMAIN = ("accounts", "notifications", "events", "programs", "billing", "library", "directory", "records")
KERNEL, WEB, SERVER = "kernel", "grandrounds.web", "grandrounds.server"

# Which layers each layer may import (its own always). The web kit is open to every domain package.
ALLOWED: dict[str, set[str]] = {
    KERNEL: set(),
    WEB: {KERNEL, "accounts"},
    "accounts": {KERNEL, WEB},
    "notifications": {KERNEL, WEB, "accounts"},
    "events": {KERNEL, WEB, "accounts", "notifications"},
    "programs": {KERNEL, WEB, "accounts", "notifications", "events"},
    "billing": {KERNEL, WEB, "accounts", "notifications", "events", "programs"},
    "library": {KERNEL, WEB, "accounts", "notifications", "events", "programs"},
    "directory": {KERNEL, WEB, "accounts", "notifications"},
    # Records reads and anonymizes every package's tables; nothing below may know it.
    "records": {KERNEL, WEB, *(p for p in DOMAIN if p != "records")},
    SERVER: {KERNEL, WEB, *DOMAIN},
}

# Modules that must not speak HTTP: every services/ folder and billing's and programs' domain cores.
HTTP_FREE = ("/services/", "billing/payments/", "billing/memberships/", "billing/finance/", "programs/rules/")

# (module, imported name) pairs that break a rule today; see the module docstring.
KNOWN: set[tuple[str, str]] = {
    # accounts sends its mails through notifications' outbox while notifications stands on accounts.
    ("accounts/services/email_verification.py", "notifications.outbox"),
    ("accounts/services/organizations.py", "notifications.outbox"),
    ("accounts/services/password_reset.py", "notifications.outbox"),
    ("accounts/services/people.py", "notifications.outbox"),
    # events' calendar controller borrows notifications' feed response.
    ("events/controllers/calendar.py", "notifications.controllers.feeds"),
}


@dataclass(frozen=True)
class Import:
    module: str  # the importing file, relative to the repository
    name: str  # the dotted name imported (a module, or module.attribute for "from m import a")
    line: int

    def __str__(self) -> str:
        return f"{self.module}:{self.line} imports {self.name}"


def imports_of(path: Path) -> Iterator[Import]:
    relative = path.relative_to(ROOT).as_posix()
    package = list(path.relative_to(ROOT).parent.parts)
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield Import(relative, alias.name, node.lineno)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: resolve against the importing package
                anchor = package[: len(package) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            yield Import(relative, base, node.lineno)
            for alias in node.names:
                yield Import(relative, f"{base}.{alias.name}", node.lineno)


def app_modules() -> Iterator[Path]:
    for top in ("grandrounds", *DOMAIN):
        for path in sorted((ROOT / top).rglob("*.py")):
            if "piccolo_migrations" not in path.parts:
                yield path


def layer_of_file(relative: str) -> str:
    parts = relative.split("/")
    if parts[0] == "grandrounds":
        return f"grandrounds.{parts[1]}" if parts[1] in ("web", "server") else KERNEL
    return parts[0]


def layer_of_name(name: str) -> str | None:
    """The layer a dotted name belongs to, or None for anything outside the app (stdlib, libraries)."""
    parts = name.split(".")
    if parts[0] == "grandrounds":
        return f"grandrounds.{parts[1]}" if len(parts) > 1 and parts[1] in ("web", "server") else KERNEL
    return parts[0] if parts[0] in DOMAIN else None


def app_imports() -> list[Import]:
    return [found for path in app_modules() for found in imports_of(path)]


def report(broken: list[Import], rule: str) -> str:
    return f"{rule}:\n" + "\n".join(f"  {found}" for found in broken)


def is_known(found: Import) -> bool:
    """KNOWN names a module; importing it or anything from it is the same debt."""
    return any(
        found.module == module and (found.name == name or found.name.startswith(f"{name}."))
        for module, name in KNOWN
    )


def unknown(broken: list[Import]) -> list[Import]:
    return [found for found in broken if not is_known(found)]


def test_each_layer_imports_only_the_layers_below_it() -> None:
    broken = []
    for found in app_imports():
        source, target = layer_of_file(found.module), layer_of_name(found.name)
        if target is not None and target != source and target not in ALLOWED[source]:
            broken.append(found)
    assert not unknown(broken), report(unknown(broken), "imports across the layering (see ALLOWED)")


def test_services_speak_no_http() -> None:
    broken = [
        found
        for found in app_imports()
        if any(part in f"/{found.module}" for part in HTTP_FREE) and found.name.split(".")[0] == "litestar"
    ]
    assert not unknown(broken), report(unknown(broken), "litestar imported where only domain code belongs")


def test_no_package_reaches_into_another_packages_controllers_or_pages() -> None:
    broken = []
    for found in app_imports():
        parts = found.name.split(".")
        owner = layer_of_name(found.name)
        surface = len(parts) > 1 and parts[1] in ("controllers", "pages")
        if surface and owner in DOMAIN and owner != layer_of_file(found.module):
            if layer_of_file(found.module) != SERVER:  # the composition mounts them
                broken.append(found)
    assert not unknown(broken), report(unknown(broken), "another package's controllers or pages imported")


def test_known_exceptions_are_still_needed() -> None:
    """A KNOWN entry whose import is gone must leave the list, so the list never hides a new one."""
    present = {(found.module, found.name) for found in app_imports()}
    assert KNOWN <= present, f"no longer imported, remove from KNOWN: {sorted(KNOWN - present)}"


def test_tests_import_no_other_test_module() -> None:
    """Helpers live in tests/builders; a test module or conftest is never imported for its helpers."""
    broken = []
    for path in sorted((ROOT / "tests").rglob("*.py")):
        for found in imports_of(path):
            last = found.name.split(".")[-1]
            if found.name.startswith("tests.") and (last.startswith("test_") or last == "conftest"):
                broken.append(found)
    assert not broken, report(broken, "tests importing test modules or conftests (use tests/builders)")


def test_the_rules_see_the_whole_app() -> None:
    """Guards the checks above against passing vacuously: they must read every layer's imports."""
    layers = {layer_of_file(found.module) for found in app_imports()}
    assert layers == set(ALLOWED), layers
    assert layer_of_name("grandrounds.server.app") == SERVER and layer_of_name("grandrounds.db") == KERNEL
    assert layer_of_name("litestar") is None
