"""The OpenAPI document tells the truth about what each operation can answer.

grandrounds.server.openapi completes Litestar's document in one place; these tests hold
every operation to what its guards, parameters and body imply, whoever adds the next route.
tests/shell/test_openapi_fuzz.py then checks the answers against the document.
"""

from __future__ import annotations

import re
from typing import Any

from litestar import Litestar
from litestar.routes import HTTPRoute

from grandrounds.server.openapi import document, guarded
from grandrounds.web.auth import CREDENTIAL_PATHS
from grandrounds.web.request_context import role_guards
from tests.builders.events import make_event

ERROR_REF = {"$ref": "#/components/schemas/Error"}
WRITES = {"POST", "PUT", "PATCH", "DELETE"}


def _operations(app: Litestar) -> list[tuple[HTTPRoute, Any, str, dict[str, Any]]]:
    paths = document(app)["paths"]
    found = []
    for route in app.routes:
        if isinstance(route, HTTPRoute) and route.path_format in paths:
            for method, (handler, _) in route.route_handler_map.items():
                operation = paths[route.path_format].get(method.lower())
                if operation is not None:
                    found.append((route, handler, method, operation))
    return found


def test_the_error_body_and_the_credentials_are_components(app: Litestar) -> None:
    components = document(app)["components"]
    error = components["schemas"]["Error"]
    assert error["required"] == ["code", "message", "details"]
    assert set(error["properties"]) == {"code", "message", "details"}
    schemes = components["securitySchemes"]
    assert schemes["bearer"] == schemes["bearer"] | {"type": "http", "scheme": "bearer"}
    assert schemes["session"] == schemes["session"] | {"type": "apiKey", "in": "cookie", "name": "gr_session"}


def test_every_operation_documents_what_its_guards_and_inputs_imply(app: Litestar) -> None:
    wrong = []
    operations = _operations(app)
    assert len(operations) > 150
    for route, handler, method, operation in operations:
        documented = {int(status) for status in operation["responses"] if status[0] in "45"}
        expected = {401}  # an unknown API token is refused on any route
        if operation.get("parameters") or operation.get("requestBody") or method in WRITES:
            expected.add(400)
        if role_guards(handler):
            expected.add(403)
        if method in WRITES and route.path.startswith("/api/") and route.path not in CREDENTIAL_PATHS:
            expected.add(403)  # CSRF on cookie-authenticated writes
        if re.search(r"{\w+", route.path):
            expected.add(404)
        if method in WRITES:
            expected.add(413)
        body = operation.get("requestBody", {}).get("content", {})
        if "application/json" in body:
            expected.add(415)
        if expected - documented:
            wrong.append(f"{method} {route.path_format}: missing {sorted(expected - documented)}")
        if guarded(handler) != bool(operation.get("security")):
            wrong.append(f"{method} {route.path_format}: security {operation.get('security')}")
        for status in documented:
            if operation["responses"][str(status)]["content"]["application/json"]["schema"] != ERROR_REF:
                wrong.append(f"{method} {route.path_format}: {status} is not the Error body")
    assert not wrong, "\n".join(wrong)


def test_statuses_the_services_raise_are_documented(app: Litestar) -> None:
    """Read from the code: a few routes whose services are known to answer 409, 422 and 429."""
    responses = {(m, r.path_format): set(op["responses"]) for r, _, m, op in _operations(app)}
    assert "409" in responses[("POST", "/api/v1/auth/signup")]  # account.email_taken
    assert "429" in responses[("POST", "/api/v1/auth/signin")]  # auth.too_many_attempts
    assert "429" in responses[("POST", "/api/v1/directory/submissions")]  # the anonymous limit
    assert "429" in responses[("POST", "/api/v1/sessions/{session_id}/self-checkin")]
    assert "422" in responses[("POST", "/api/v1/cohorts/{cohort_id}/sessions/{session_id}/imports")]
    assert "502" in responses[("POST", "/api/v1/registrations/{registration_id}/checkout")]
    assert "409" not in responses[("GET", "/api/v1/events")]


def test_files_are_documented_with_their_real_content_types(app: Litestar) -> None:
    paths = document(app)["paths"]

    def success(path: str) -> set[str]:
        return set(paths[path]["get"]["responses"]["200"]["content"])

    assert success("/events/{event_id}/calendar.ics") == {"text/calendar"}
    assert success("/sessions/{session_id}/calendar.ics") == {"text/calendar"}
    assert success("/api/v1/cohorts/{cohort_id}/roster.csv") == {"text/csv"}
    for chooses in ("/api/v1/events/{event_id}/registrations", "/api/v1/finance/ledger"):
        assert success(chooses) == {"application/json", "text/csv"}
    ledger = paths["/api/v1/finance/ledger"]["get"]["responses"]["200"]["content"]["application/json"]
    assert ledger["schema"] == {"$ref": "#/components/schemas/LedgerPage"}
    assert "content" not in paths["/api/v1/auth/signout"]["post"]["responses"]["204"]


async def test_an_undocumented_method_is_405_with_the_error_body(client) -> None:
    response = await client.put("/api/v1/events")
    assert response.status_code == 405
    assert response.json()["code"] == "request.method_not_allowed"
    assert set(response.json()) == {"code", "message", "details"}


async def test_files_answer_the_documented_type_with_one_charset(app: Litestar, client) -> None:
    """Litestar appends ``; charset=utf-8`` to text/* itself: a handler that names it too doubles it."""
    event_id, staff = await make_event(client)
    paths = document(app)["paths"]
    answers = {
        "/events/{event_id}/calendar.ics": await client.get(f"/events/{event_id}/calendar.ics"),
        "/api/v1/events/{event_id}/registrations": await client.get(
            f"/api/v1/events/{event_id}/registrations", params={"format": "csv"}, headers=staff.headers
        ),
        "/api/v1/directory/listings": await client.get(
            "/api/v1/directory/listings", params={"format": "csv"}
        ),
    }
    for path, response in answers.items():
        assert response.status_code == 200, (path, response.text)
        media_type, _, parameters = response.headers["content-type"].partition(";")
        assert media_type in paths[path]["get"]["responses"]["200"]["content"], path
        assert parameters.strip() == "charset=utf-8", (path, response.headers["content-type"])
