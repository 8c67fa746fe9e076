"""Which error statuses a route handler's code can raise, read from the source.

The OpenAPI document lists a 409 only where a service can answer Conflict, a 429
only where a limit applies, and so on. Writing those by hand on every handler
would drift, so they are read from the code instead: every package's ``errors.py``
builds its DomainErrors in factories whose return annotation names the class
(``def not_open() -> Conflict``), and a handler can raise whatever the functions
it calls, transitively, build. The call graph is read with :mod:`ast` from the
domain packages and the kernel: calls through a module (``errors.not_open()``,
``registration.cancel(...)``), to names imported or defined in the module, and to
``self.method()`` inside a class. Calls through registries or on objects are not
followed, so the answer can miss a status reached that way (the OpenAPI fuzz in
tests/shell/test_openapi_fuzz.py reports any status the document does not list);
every status it lists is built by code the handler calls.
"""

from __future__ import annotations

import ast
import importlib.util
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from grandrounds.server.packages import DOMAIN_PACKAGES

ROOTS = ("grandrounds", *DOMAIN_PACKAGES)


@dataclass
class _Module:
    name: str
    package: str
    aliases: dict[str, str] = field(default_factory=dict)  # local name -> dotted target
    functions: dict[str, ast.AST] = field(default_factory=dict)  # qualname -> def


@cache
def _root_dirs() -> dict[str, Path]:
    found = {}
    for root in ROOTS:
        spec = importlib.util.find_spec(root)
        if spec is not None and spec.submodule_search_locations:
            found[root] = Path(next(iter(spec.submodule_search_locations)))
    return found


def _module_path(name: str) -> Path | None:
    """The source file of module ``name`` if it is one of ours (read from disk, nothing imported)."""
    root, *parts = name.split(".")
    base = _root_dirs().get(root)
    if base is None or "piccolo_migrations" in parts:
        return None
    candidates = [base.joinpath(*parts, "__init__.py")]
    if parts:
        candidates.append(base.joinpath(*parts).with_suffix(".py"))
    return next((path for path in candidates if path.is_file()), None)


def _absolute(module: _Module, level: int, target: str | None) -> str:
    if level == 0:
        return target or ""
    base = module.package.split(".")
    base = base[: len(base) - (level - 1)] if level > 1 else base
    return ".".join([*base, target] if target else base)


def _read(name: str, path: Path) -> _Module:
    tree = ast.parse(path.read_text(), filename=str(path))
    is_package = path.name == "__init__.py"
    module = _Module(name=name, package=name if is_package else name.rpartition(".")[0])
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    module.aliases[alias.asname] = alias.name
                else:
                    head = alias.name.split(".")[0]
                    module.aliases[head] = head
        elif isinstance(node, ast.ImportFrom):
            source = _absolute(module, node.level, node.module)
            for alias in node.names:
                module.aliases[alias.asname or alias.name] = f"{source}.{alias.name}"
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            module.functions[node.name] = node
        elif isinstance(node, ast.ClassDef):
            module.functions[node.name] = node
            for item in node.body:
                if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef):
                    module.functions[f"{node.name}.{item.name}"] = item
    return module


@dataclass(frozen=True)
class Reach:
    """What a function can lead to: the statuses of the errors it can raise, the functions it calls."""

    statuses: frozenset[int]
    calls: frozenset[str]  # dotted names (``grandrounds.web.downloads.csv_response``), transitively


@dataclass
class _Graph:
    """Modules are read when first reached, and each function's statuses are worked out once."""

    modules: dict[str, _Module | None] = field(default_factory=dict)
    memo: dict[tuple[str, str], Reach] = field(default_factory=dict)

    def module(self, name: str) -> _Module | None:
        if name not in self.modules:
            path = _module_path(name)
            self.modules[name] = _read(name, path) if path is not None else None
        return self.modules[name]

    def resolve(self, dotted: str, depth: int = 0) -> tuple[_Module, str] | None:
        """The module and qualname a dotted name refers to, following re-exports."""
        if depth > 8:
            return None
        parts = dotted.split(".")
        for cut in range(len(parts) - 1, 0, -1):
            module = self.module(".".join(parts[:cut]))
            if module is None:
                continue
            rest = parts[cut:]
            qualname = ".".join(rest)
            if qualname in module.functions:
                return module, qualname
            if rest[0] in module.aliases:
                return self.resolve(".".join([module.aliases[rest[0]], *rest[1:]]), depth + 1)
            return None
        return None

    def dotted(self, module: _Module, written: str) -> str | None:
        """The full dotted name of ``written`` (``errors.not_open``, ``Conflict``) as ``module`` sees it."""
        head, _, rest = written.partition(".")
        if head in module.functions:
            base = f"{module.name}.{head}"
        elif head in module.aliases:
            base = module.aliases[head]
        else:
            return None
        return f"{base}.{rest}" if rest else base

    def targets(self, module: _Module, node: ast.AST, owner: str | None) -> Iterator[str]:
        """Dotted names of what the body of ``node`` calls, as written in ``module``."""
        for call in ast.walk(node):
            if not isinstance(call, ast.Call):
                continue
            chain: list[str] = []
            func: ast.expr = call.func
            while isinstance(func, ast.Attribute):
                chain.insert(0, func.attr)
                func = func.value
            if not isinstance(func, ast.Name):
                continue
            if func.id == "self" and owner and chain:
                yield f"{module.name}.{owner}.{chain[0]}"
            elif (target := self.dotted(module, ".".join([func.id, *chain]))) is not None:
                yield target

    def error_status(self, dotted: str | None, depth: int = 0) -> int | None:
        """The status of the DomainError class ``dotted`` names; None when it names none."""
        resolved = self.resolve(dotted) if dotted and depth < 8 else None
        if resolved is None:
            return None
        module, qualname = resolved
        node = module.functions[qualname]
        if not isinstance(node, ast.ClassDef):
            return None
        if (module.name, qualname) == ("grandrounds.errors", "DomainError"):
            return _status_code(node)
        inherited = None
        for base in node.bases:
            inherited = inherited or self.error_status(self.dotted(module, ast.unparse(base)), depth + 1)
        own = _status_code(node)
        return None if inherited is None else own or inherited

    def reach(self, module: _Module, qualname: str, walking: set[tuple[str, str]]) -> Reach:
        key = (module.name, qualname)
        if key in self.memo:
            return self.memo[key]
        if key in walking:  # a cycle: what it adds is counted where it started
            return Reach(frozenset(), frozenset())
        walking.add(key)
        node = module.functions[qualname]
        statuses: set[int] = set()
        calls: set[str] = set()
        if isinstance(node, ast.ClassDef):
            # Constructing a DomainError class (``Conflict(...)``) is raising its status.
            status = self.error_status(f"{module.name}.{qualname}")
            if status is not None:
                statuses.add(status)
        else:
            # An error factory says what it builds in its return annotation (``-> Conflict``).
            returns = getattr(node, "returns", None)
            status = self.error_status(self.dotted(module, ast.unparse(returns))) if returns else None
            if status is not None:
                statuses.add(status)
            owner = qualname.rpartition(".")[0] or None
            for target in self.targets(module, node, owner):
                resolved = self.resolve(target)
                if resolved is not None:
                    calls.add(f"{resolved[0].name}.{resolved[1]}")
                    found = self.reach(*resolved, walking)
                    statuses |= found.statuses
                    calls |= found.calls
        walking.discard(key)
        self.memo[key] = Reach(frozenset(statuses), frozenset(calls))
        return self.memo[key]


def _status_code(node: ast.ClassDef) -> int | None:
    """``status_code = 409`` (or ``status_code: ClassVar[int] = 400``) in a class body."""
    for item in node.body:
        targets: list[ast.expr] = []
        if isinstance(item, ast.AnnAssign):
            targets = [item.target]
        elif isinstance(item, ast.Assign):
            targets = item.targets
        value = getattr(item, "value", None)
        named = any(isinstance(t, ast.Name) and t.id == "status_code" for t in targets)
        if named and isinstance(value, ast.Constant) and isinstance(value.value, int):
            return value.value
    return None


_GRAPH = _Graph()


def reach(fn: Callable[..., Any]) -> Reach:
    """What ``fn`` (a route handler) can raise and call, through the calls it makes."""
    fn = getattr(fn, "__wrapped__", fn)
    module = _GRAPH.module(getattr(fn, "__module__", ""))
    qualname = getattr(fn, "__qualname__", "")
    if module is None or qualname not in module.functions:
        return Reach(frozenset(), frozenset())
    return _GRAPH.reach(module, qualname, set())
