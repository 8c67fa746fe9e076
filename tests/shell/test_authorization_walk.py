"""Every route, called as every kind of caller, answers as its access rule says.

The rules and what each caller may do under them are one table in README.md
(between the ``access-rules`` markers); each route's rule is in docs/access.md.
The walk reads both, so a route missing from docs/access.md fails, and so does a
route that lets through someone its rule keeps out (or keeps out someone it
lets in). Path parameters are program A's real objects (tests/builders/access.py),
so program staff of another program meet objects they must not reach.

A request with an empty body stops at validation (400) before a service looks
at whose object it is; for those the "staff of another program" cell cannot be
told apart and only the guard's answer is held. Every GET, DELETE and bodiless
POST reaches the check.
"""

from __future__ import annotations

import re
from pathlib import Path

import httpx
from litestar import Litestar

from tests.builders.access import ROLES, access_world

ROOT = Path(__file__).resolve().parents[2]
CHANGING = {"POST", "PUT", "PATCH", "DELETE"}
SIGN_IN_FORMS = {"/signin", "/signin/code"}
COLUMNS = {
    "anonymous": "anonymous",
    "guest": "guest",
    "member": "member",
    "speaker": "speaker",
    "finance": "finance",
    "program staff": "program_staff",
    "staff of another program": "other_staff",
    "admin": "admin",
}


def _table_rows(text: str) -> list[list[str]]:
    rows = []
    for line in text.splitlines():
        if line.startswith("|") and not line.startswith("|---"):
            rows.append([cell.strip().strip("`") for cell in line.strip().strip("|").split("|")])
    return rows


def access_rules() -> dict[str, dict[str, str]]:
    """README's rule table: rule -> caller -> yes / no / own."""
    readme = (ROOT / "README.md").read_text()
    block = readme.split("<!-- access-rules -->")[1].split("<!-- /access-rules -->")[0]
    header, *body = _table_rows(block)
    callers = [COLUMNS[name] for name in header[1:]]
    assert sorted(callers) == sorted(ROLES)
    return {row[0]: dict(zip(callers, row[1:], strict=True)) for row in body}


def route_rules() -> dict[tuple[str, str], str]:
    """docs/access.md: (method, path) -> rule."""
    rows = _table_rows((ROOT / "docs" / "access.md").read_text())
    return {(method, path): rule for method, path, rule in rows[1:]}


def app_routes(app: Litestar) -> list[tuple[str, str]]:
    found = set()
    for route in app.routes:
        for handler in getattr(route, "route_handlers", []):
            for method in handler.http_methods - {"OPTIONS", "HEAD"}:
                found.add((method, route.path))
    return sorted(found)


def _denied(response: httpx.Response) -> bool:
    if response.status_code in (401, 403):
        return True
    return response.status_code in (302, 303, 307) and _to_sign_in(response)


def _to_sign_in(response: httpx.Response) -> bool:
    """Sent to the sign-in form to sign in (not told there that every session just ended)."""
    location = response.headers.get("location", "")
    return location.startswith("/signin") and "signed_out=" not in location


def _stopped_at_validation(response: httpx.Response) -> bool:
    """A 400, or a form page sending the person back with the error (post/redirect/get)."""
    location = response.headers.get("location", "")
    return response.status_code == 400 or (response.status_code in (302, 303) and "error=" in location)


def verdict(cell: str, method: str, response: httpx.Response) -> bool:
    """Whether ``response`` is what a caller whose cell says ``cell`` should get."""
    if cell == "yes":
        return not _denied(response)
    if cell == "no":
        return _denied(response)
    if cell == "own":
        # Through the guard; the service decides per object (403/404 for someone else's).
        return response.status_code != 401 and not _to_sign_in(response)
    raise AssertionError(f"unknown cell {cell!r}")


def test_every_route_has_a_rule_and_every_rule_is_in_the_readme(app: Litestar) -> None:
    rules, known = route_rules(), access_rules()
    missing = [f"| {m} | `{p}` |" for m, p in app_routes(app) if (m, p) not in rules]
    assert not missing, "routes missing from docs/access.md:\n" + "\n".join(missing)
    gone = [f"{m} {p}" for m, p in rules if (m, p) not in set(app_routes(app))]
    assert not gone, f"docs/access.md lists routes the app no longer has: {gone}"
    assert set(rules.values()) <= set(known), set(rules.values()) - set(known)


async def test_every_route_answers_every_caller_as_its_rule_says(app: Litestar, client) -> None:
    rules, cells = route_rules(), access_rules()
    world = await access_world(client)
    await client.get("/signin")
    csrf = client.cookies.get("csrftoken", "")
    wrong: list[str] = []
    walked = 0
    # Signing out last: it ends the caller's session.
    for method, path in sorted(app_routes(app), key=lambda r: ("signout" in r[1], r)):
        rule = rules[(method, path)]
        url = world.fill(path)
        for role in ROLES:
            actor = world.callers[role]
            headers = {**(actor.headers if actor else {}), "x-csrftoken": csrf}
            body: dict[str, object] = {}
            if method in CHANGING:
                body = {"json": {}} if path.startswith("/api/") else {"data": {"_csrf_token": csrf}}
            response = await client.request(method, url, headers=headers, follow_redirects=False, **body)
            walked += 1
            cell = cells[rule][role]
            if role == "other_staff" and rule == "program object" and _stopped_at_validation(response):
                cell = "own"  # stopped at validation before the object check: only the guard is held
            if rule in ("public", "secret link") and response.status_code == 401:
                # Only the sign-in forms answer 401 here: wrong credentials, not a closed door.
                assert path in SIGN_IN_FORMS, (method, path)
                continue
            if cell == "no" and role == "other_staff" and response.status_code == 404:
                continue  # another program's object looks like no object at all
            if not verdict(cell, method, response):
                wrong.append(f"{method} {path} as {role} ({rule}: {cell}): {response.status_code}")
    assert walked >= len(rules) * len(ROLES)
    assert not wrong, "\n".join(wrong)


def test_the_rule_of_each_route_matches_its_guards(app: Litestar) -> None:
    """docs/access.md cannot call a route public that the code guards, nor the other way round."""
    from grandrounds.web.request_context import role_guards

    rules = route_rules()
    objects = {
        "event_id",
        "session_id",
        "registration_id",
        "track_id",
        "ticket_type_id",
        "program_id",
        "cohort_id",
        "enrollment_id",
        "speaker_id",
    }
    wrong = []
    for route in app.routes:
        for handler in getattr(route, "route_handlers", []):
            roles = {role.value for guard in role_guards(handler) for role in guard.roles}
            names = {
                g.__name__
                for layer in handler.ownership_layers
                for g in (getattr(layer, "guards", None) or [])
                if hasattr(g, "__name__")
            }
            params = set(re.findall(r"{(\w+):", route.path))
            if "admin" in roles:
                expected = {"admin"}
            elif "finance" in roles:
                expected = {"finance"}
            elif "program_staff" in roles:
                expected = {"program object"} if params & objects else {"program staff"}
            elif "signed_in" in names:
                expected = {"signed in"}
            else:
                expected = {"public", "secret link"}
            for method in handler.http_methods - {"OPTIONS", "HEAD"}:
                rule = rules.get((method, route.path))
                if rule is not None and rule not in expected:
                    wrong.append(f"{method} {route.path}: docs say {rule}, guards say {sorted(expected)}")
    assert not wrong, "\n".join(wrong)
