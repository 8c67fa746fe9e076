"""Error codes are API: each is made in one place, in its package's errors module, and listed in the README.

The scan reads every module's source (no import), so a code raised inline
later, or a second definition of an existing one, fails here first.
"""

from __future__ import annotations

import ast
import re
from collections import defaultdict
from pathlib import Path

import grandrounds.errors
from grandrounds.errors import DomainError
from grandrounds.server.packages import DOMAIN_PACKAGES

ROOT = Path(__file__).resolve().parents[2]
FRAMEWORK_MAP = Path("grandrounds/web/http_errors.py")
CODE = re.compile(r"^[a-z_]+(\.[a-z_]+)*$")


def error_classes() -> set[str]:
    """DomainError and every subclass the project defines (billing's 502, for one)."""
    names = {"DomainError"}
    for path in sources():
        for node in ast.walk(ast.parse((ROOT / path).read_text())):
            if isinstance(node, ast.ClassDef) and any(
                isinstance(base, ast.Name) and base.id in names | _kernel_classes() for base in node.bases
            ):
                names.add(node.name)
    return names | _kernel_classes()


def _kernel_classes() -> set[str]:
    return {cls.__name__ for cls in DomainError.__subclasses__()} | {DomainError.__name__}


def sources() -> list[Path]:
    roots = [*DOMAIN_PACKAGES, "grandrounds"]
    return sorted(p.relative_to(ROOT) for root in roots for p in (ROOT / root).rglob("*.py"))


def is_errors_module(path: Path) -> bool:
    return path.name == "errors.py"


def constructions() -> list[tuple[Path, int, ast.expr | None]]:
    """Every call of an error class: where, and its code argument."""
    classes = error_classes()
    found = []
    for path in sources():
        for node in ast.walk(ast.parse((ROOT / path).read_text())):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = (
                func.id
                if isinstance(func, ast.Name)
                else func.attr
                if isinstance(func, ast.Attribute)
                else ""
            )
            if name not in classes:
                continue
            code = (
                node.args[0] if node.args else next((k.value for k in node.keywords if k.arg == "code"), None)
            )
            found.append((path, node.lineno, code))
    return found


def defined_codes() -> dict[str, list[str]]:
    codes: dict[str, list[str]] = defaultdict(list)
    for path, line, code in constructions():
        if isinstance(code, ast.Constant) and isinstance(code.value, str):
            codes[code.value].append(f"{path}:{line}")
    return codes


def framework_codes() -> set[str]:
    """The codes http_errors gives framework errors (request.invalid, auth.csrf, internal, ...)."""
    tree = ast.parse((ROOT / FRAMEWORK_MAP).read_text())
    return {
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and CODE.match(node.value)
        and ("." in node.value or node.value in {"internal", "not_found"})
        and not node.value.endswith(".html")  # the error page's template
    }


def readme_codes() -> set[str]:
    text = (ROOT / "README.md").read_text()
    api = text[text.index("## The API") : text.index("## Security and operations")]
    return {token for token in re.findall(r"`([^`\s]+)`", api) if CODE.match(token)}


def test_errors_are_made_only_in_errors_modules() -> None:
    inline = [f"{path}:{line}" for path, line, _ in constructions() if not is_errors_module(path)]
    assert inline == [], "raise a function of the package's errors module instead"


def test_every_code_is_a_literal() -> None:
    computed = [
        f"{path}:{line}"
        for path, line, code in constructions()
        if not (isinstance(code, ast.Constant) and isinstance(code.value, str) and CODE.match(code.value))
        and not _passes_on_its_code(path, code)
    ]
    assert computed == []


def _passes_on_its_code(path: Path, code: ast.expr | None) -> bool:
    """The kernel's DomainError takes ``code`` as a parameter; that is the one place a name may pass."""
    return path == Path("grandrounds/errors.py") and isinstance(code, ast.Name)


def test_each_code_is_defined_once() -> None:
    twice = {code: where for code, where in defined_codes().items() if len(where) > 1}
    assert twice == {}, "give variants one private constructor in the errors module"


def test_every_code_is_in_the_readme() -> None:
    listed = readme_codes()
    missing = sorted((set(defined_codes()) | framework_codes()) - listed)
    assert missing == [], "add them to README.md's list of error codes"


def test_the_scan_sees_the_codes_it_checks() -> None:
    codes = defined_codes()
    assert "registration.not_found" in codes and "billing.not_configured" in codes
    assert codes["auth.forbidden"] == [
        f"{Path(grandrounds.errors.__file__).relative_to(ROOT)}:{_line_of('auth.forbidden')}"
    ]
    assert "request.invalid" in framework_codes() and "internal" in framework_codes()


def _line_of(code: str) -> int:
    source = Path(grandrounds.errors.__file__).read_text().splitlines()
    return next(i for i, line in enumerate(source, 1) if f'"{code}"' in line)
