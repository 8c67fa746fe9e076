"""Figures of the code's shape, for architecture reviews: run it before and after a structural change.

    python bench/code_figures.py            # this checkout
    python bench/code_figures.py --json     # the same figures as JSON

It reads the source as text and as syntax trees (nothing is imported or run) and prints:
status literals written outside the module that owns each state machine, `dict[str, Any]` and
`Any` in app code, `row["column"]` lookups, helpers defined more than once, imports of one test
module from another, raw `scope["user"]` reads, `current_principal(...)` calls, and the largest
modules. The counts are a map of where to look, not a verdict.
"""

from __future__ import annotations

import argparse
import ast
import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APP = ("grandrounds", "accounts", "events", "programs", "billing", "notifications", "library", "directory")
REGISTRATION_STATUSES = (
    "pending_payment",
    "waitlisted",
    "offered",
    "confirmed",
    "cancelled",
    "refunded",
    "expired",
)
HELPERS = ("csv_response", "sign_in", "signed_in_person", "viewer_of", "make_event", "published_event")


def app_files() -> list[Path]:
    files: list[Path] = []
    for package in APP:
        files += [p for p in (ROOT / package).rglob("*.py") if "piccolo_migrations" not in p.parts]
    return sorted(files)


def test_files() -> list[Path]:
    return sorted((ROOT / "tests").rglob("*.py"))


def _count(pattern: str, files: list[Path]) -> int:
    rx = re.compile(pattern)
    return sum(len(rx.findall(p.read_text())) for p in files)


def status_literals(files: list[Path]) -> dict[str, int]:
    """Registration statuses spelled as string literals, per module (the owner's own count included)."""
    rx = re.compile(r"[\"'](" + "|".join(REGISTRATION_STATUSES) + r")[\"']")
    per_module = {str(p.relative_to(ROOT)): len(rx.findall(p.read_text())) for p in files}
    return {k: v for k, v in sorted(per_module.items(), key=lambda kv: -kv[1]) if v}


def any_counts(files: list[Path]) -> tuple[int, int]:
    dict_any = _count(r"dict\[str, Any\]", files)
    bare_any = sum(
        len(re.findall(r"\bAny\b", line))
        for p in files
        for line in p.read_text().splitlines()
        if not line.lstrip().startswith(("from ", "import "))
    )
    return dict_any, bare_any


def defined_more_than_once(files: list[Path], names: tuple[str, ...]) -> dict[str, list[str]]:
    seen: dict[str, list[str]] = {}
    for p in files:
        for node in ast.walk(ast.parse(p.read_text())):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name in names:
                seen.setdefault(node.name, []).append(str(p.relative_to(ROOT)))
    return {k: v for k, v in seen.items() if len(v) > 1}


def test_to_test_imports(files: list[Path]) -> int:
    """Import statements in tests that reach into a test_*.py module or a conftest for helpers."""
    n = 0
    for p in files:
        for node in ast.walk(ast.parse(p.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("tests."):
                last = node.module.rsplit(".", 1)[-1]
                if last.startswith("test_") or last == "conftest":
                    n += 1
    return n


def largest(files: list[Path], n: int = 8) -> list[tuple[str, int]]:
    sizes = [(str(p.relative_to(ROOT)), len(p.read_text().splitlines())) for p in files]
    return sorted(sizes, key=lambda s: -s[1])[:n]


def figures() -> dict[str, object]:
    app, tests = app_files(), test_files()
    dict_any, bare_any = any_counts(app)
    literals = status_literals(app)
    return {
        "registration status literals (all modules)": sum(literals.values()),
        "modules spelling registration statuses": len(literals),
        "status literals per module (top 6)": dict(list(literals.items())[:6]),
        "pending_payment/waitlisted/offered literals outside the enum": _count(
            r"[\"'](?:pending_payment|waitlisted|offered)[\"']",
            [p for p in app if p.name != "registration_status.py"],
        ),
        "dict[str, Any] in app code": dict_any,
        "Any in app code (outside imports)": bare_any,
        'row["column"] lookups': _count(r"\b\w+\[\"[a-z_]+\"\]", app),
        "current_principal( calls outside the web kit": _count(
            r"current_principal\(", [p for p in app if "web" not in p.parts]
        ),
        'raw scope["user"] reads outside the web kit': _count(
            r"scope(?:\[\"user\"\]|\.get\(\"user\"\))", [p for p in app if "web" not in p.parts]
        ),
        "unique-violation try/except blocks": _count(r"if (?:not )?is_unique_violation\(exc\)", app)
        - _count(r"if (?:not )?is_unique_violation\(exc\)", [ROOT / "grandrounds" / "db.py"]),
        "get_settings() call sites": _count(r"get_settings\(\)", app),
        "helpers defined more than once": defined_more_than_once(app + tests, HELPERS),
        "test-module-to-test-module imports": test_to_test_imports(tests),
        "largest app modules": largest(app),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    result = figures()
    if args.json:
        print(json.dumps(result, indent=2))
        return
    for key, value in result.items():
        if isinstance(value, dict) and value:
            print(f"{key}:")
            for k, v in value.items():
                print(f"    {k}: {v}")
        elif isinstance(value, list):
            print(f"{key}:")
            for item in value:
                print(f"    {item[0]}: {item[1]}")
        else:
            print(f"{key}: {value}")


if __name__ == "__main__":
    main()
