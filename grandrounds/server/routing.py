"""Find the route handlers of each domain package.

Every module in a package's ``controllers`` and ``pages`` (a module or a
folder of modules) may export ``CONTROLLERS``: a list of Litestar controllers
or handlers. Adding a module is enough to wire it; nothing central to edit.
"""

from __future__ import annotations

import importlib
import importlib.util
import pkgutil
from typing import Any

from grandrounds.server.packages import DOMAIN_PACKAGES

ROOMS = ("controllers", "pages")


def _handlers_in(module_name: str) -> list[Any]:
    if importlib.util.find_spec(module_name) is None:
        return []
    module = importlib.import_module(module_name)
    found = list(getattr(module, "CONTROLLERS", []))
    if hasattr(module, "__path__"):
        for info in sorted(pkgutil.iter_modules(module.__path__), key=lambda i: i.name):
            found.extend(_handlers_in(f"{module_name}.{info.name}"))
    return found


def domain_handlers() -> list[Any]:
    handlers: list[Any] = []
    for package in DOMAIN_PACKAGES:
        for room in ROOMS:
            handlers.extend(_handlers_in(f"{package}.{room}"))
    return handlers
