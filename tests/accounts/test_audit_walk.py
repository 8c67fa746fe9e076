"""Every route that changes state under a staff, finance or admin guard declares its audit action.

Walked from the app's route table, so a new route without an audit entry fails here.
The declaration is then held at run time (grandrounds.web.request_context): a request
to such a route that commits a change must write exactly one audit row of a declared
action, and every test fails on a miss (tests/conftest.py). Downloads of personal data
under a role guard (CSV exports) are held to the same rule.
"""

from __future__ import annotations

from litestar import Litestar

from accounts.audit.actions import ACTIONS
from grandrounds.web.request_context import declared_actions, role_guards

CHANGING = {"POST", "PUT", "PATCH", "DELETE"}


def _handlers(app: Litestar):  # type: ignore[no-untyped-def]
    for route in app.routes:
        for handler in getattr(route, "route_handlers", []):
            yield route.path, handler


def _must_audit(path: str, handler) -> bool:  # type: ignore[no-untyped-def]
    if not role_guards(handler):
        return False
    methods = set(handler.http_methods)
    name = handler.handler_name
    return bool(methods & CHANGING) or path.endswith(".csv") or name.endswith(("_export", "_csv"))


def test_every_guarded_change_and_export_declares_a_known_audit_action(app: Litestar) -> None:
    undeclared: list[str] = []
    unknown: list[str] = []
    walked = 0
    for path, handler in _handlers(app):
        if not _must_audit(path, handler):
            continue
        walked += 1
        where = f"{','.join(sorted(handler.http_methods))} {path}"
        declared = declared_actions(handler)
        if not declared:
            undeclared.append(where)
        unknown.extend(f"{where}: {code}" for code in declared if code not in ACTIONS)
    assert walked > 60, walked
    assert not undeclared, "routes without opt={'audit': ...}:\n" + "\n".join(sorted(undeclared))
    assert not unknown, "audit codes missing from accounts.audit.actions:\n" + "\n".join(unknown)


def test_only_guarded_routes_declare_audit(app: Litestar) -> None:
    """A declaration on a route nobody guards by role would audit nothing the walk can hold."""
    stray = [
        f"{path} {sorted(handler.http_methods)}"
        for path, handler in _handlers(app)
        if declared_actions(handler) and not role_guards(handler)
    ]
    assert not stray
