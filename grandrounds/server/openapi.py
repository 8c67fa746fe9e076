"""The OpenAPI document, told true: what Litestar generates, completed once, here.

Litestar documents each operation's parameters, body and success response. What
it cannot know is filled in from the route and the code behind it, so no
handler has to repeat it:

* the error body every error response really has, ``{code, message, details}``,
  as the ``Error`` component (Litestar's own 400 shape is never sent);
* every status an operation can answer: 400 where it takes parameters or a body
  (and on any write, whose body the request guard reads), 401 everywhere (an
  unknown API token is refused before routing) and 403 behind a role guard or
  on cookie-authenticated API writes (CSRF), 404 with path parameters, 413 and
  415 for bodies, and the statuses the services it calls can raise (409, 422,
  429, ...), read from the code (grandrounds.server.raises);
* the two credentials (``Authorization: Bearer grt_...`` and the ``gr_session``
  cookie) as security schemes, required on guarded operations;
* the real content types: ``text/calendar`` for calendar files, ``text/csv``
  where a route exports CSV, the stored file's types for uploads.

Litestar 2 has no hook after it generates the document, so the completion runs
in the render plugins: the first time the document is served, the dictionary
Litestar caches is completed in place, and every later request (and every
renderer, which all share that dictionary) gets the completed one.
:func:`document` gives the same for code and tests that hold the app.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from litestar import Litestar, Request
from litestar.enums import RequestEncodingType
from litestar.openapi.plugins import JsonRenderPlugin, ScalarRenderPlugin, SwaggerRenderPlugin
from litestar.routes import HTTPRoute

from grandrounds.server.raises import reach
from grandrounds.web.auth import CREDENTIAL_PATHS, SESSION_COOKIE, signed_in
from grandrounds.web.request_context import role_guards

ERROR_REF = {"$ref": "#/components/schemas/Error"}

ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "Every error answer. Branch on `code` (listed in the README), never on `message`.",
    "required": ["code", "message", "details"],
    "properties": {
        "code": {"type": "string", "description": "Stable, `package.reason`.", "examples": ["not_found"]},
        "message": {"type": "string", "description": "For people; may change."},
        "details": {
            "type": "object",
            "additionalProperties": True,
            "description": "Facts about the refusal, e.g. `field` for the field at fault.",
        },
    },
}

SECURITY_SCHEMES: dict[str, Any] = {
    "bearer": {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "grt_...",
        "description": "A personal API token (account page or POST /api/v1/me/tokens): "
        "`Authorization: Bearer grt_...`. An unknown or revoked token is answered 401 on any route.",
    },
    "session": {
        "type": "apiKey",
        "in": "cookie",
        "name": SESSION_COOKIE,
        "description": "The sign-in session of the site's pages. API writes made with it must echo "
        "the `csrftoken` cookie in an `x-csrftoken` header (else 403 `auth.csrf`).",
    },
}
SIGNED_IN: list[dict[str, list[str]]] = [{"bearer": []}, {"session": []}]

DESCRIPTIONS = {
    400: "The request is malformed (`request.invalid`, `details.field` names the field) "
    "or a rule of the domain refused it.",
    401: "No valid credentials: sign in or send a personal API token (`auth.required`), "
    "or the token sent is unknown or revoked (`auth.token_invalid`).",
    403: "The caller may not do this (`auth.forbidden`, `auth.two_factor_setup_required`, "
    "`auth.csrf`, or a rule on this object).",
    404: "No such record (or one the caller may not know of).",
    409: "The request conflicts with the record's state (a duplicate, something already done or closed).",
    413: "The request body is too large (`request.too_large`).",
    415: "The body is not sent as `application/json` (`request.unsupported_media_type`).",
    422: "The request is well formed but its content cannot be processed.",
    429: "Too many attempts; wait before trying again.",
    502: "The payment provider could not be reached (`billing.stripe_unavailable`); try again shortly.",
}

WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# What a handler that reaches one of these helpers answers on success, instead of JSON.
CONTENT_OF = {
    "grandrounds.web.downloads.csv_response": ("text/csv",),
    "notifications.controllers.feeds.calendar_response": ("text/calendar",),
    "programs.controllers.records.file_response": (
        "application/pdf",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
}
_PATH_PARAMETER = re.compile(r"{(\w+)")


def expected_statuses(route: HTTPRoute, handler: Any, method: str, operation: dict[str, Any]) -> set[int]:
    """The error statuses an operation can answer, from its route, guards, inputs and code."""
    statuses = {401}  # an unknown bearer token, on any route
    role_guarded = bool(role_guards(handler))
    writes = method in WRITES
    body = operation.get("requestBody")
    if operation.get("parameters") or body or writes:
        statuses.add(400)
    if role_guarded:
        statuses.add(403)
    if writes and route.path.startswith("/api/") and route.path not in CREDENTIAL_PATHS:
        statuses.add(403)  # a cookie-authenticated write without the CSRF header
    if _PATH_PARAMETER.search(route.path):
        statuses.add(404)
    if writes:
        statuses.add(413)
    if body and any(_is_json(media) for media in body.get("content", {})):
        statuses.add(415)
    statuses |= reach(handler.fn).statuses
    return statuses


def guarded(handler: Any) -> bool:
    """Whether the route turns away anonymous callers (a guard, or a handler that needs the principal)."""
    guards = [guard for layer in handler.ownership_layers for guard in (getattr(layer, "guards", None) or [])]
    return (
        signed_in in guards
        or bool(role_guards(handler))
        or "principal" in handler.parsed_fn_signature.parameters
    )


def _is_json(media_type: str) -> bool:
    return media_type == RequestEncodingType.JSON or media_type.endswith("+json")


def _error_response(status: int, api: bool) -> dict[str, Any]:
    content: dict[str, Any] = {"application/json": {"schema": ERROR_REF}}
    if not api:
        content["text/html"] = {"schema": {"type": "string"}}  # pages answer an error page
    description = DESCRIPTIONS.get(status, "A rule of the domain refused the request.")
    return {"description": description, "content": content}


def _success_content(operation: dict[str, Any], media_types: Iterable[str]) -> None:
    """Document the non-JSON bodies a route answers with: beside JSON when a ``format`` parameter
    chooses, instead of it otherwise."""
    chooses = any(p.get("name") == "format" for p in operation.get("parameters", []))
    for status, response in operation.get("responses", {}).items():
        if not status.startswith("2") or "content" not in response:
            continue
        content = response["content"] if chooses else {}
        for media_type in media_types:
            schema: dict[str, Any] = {"type": "string"}
            if not media_type.startswith("text/"):
                schema["contentMediaType"] = media_type
            content[media_type] = {"schema": schema}
        response["content"] = content


def _true_success(responses: dict[str, Any]) -> None:
    """A 204 has no body (Litestar gives one to handlers that return a Response), and a union with a
    ``Response`` branch documents that branch as ``{}``, which matches anything and so makes the
    ``oneOf`` fail for every real body: the other content types document that branch instead."""
    responses.get("204", {}).pop("content", None)
    for status, response in responses.items():
        json_body = response.get("content", {}).get("application/json", {}) if status.startswith("2") else {}
        branches = json_body.get("schema", {}).get("oneOf")
        if branches and {} in branches:
            kept = [branch for branch in branches if branch != {}]
            json_body["schema"] = kept[0] if len(kept) == 1 else {"oneOf": kept}


def _complete_operation(route: HTTPRoute, handler: Any, method: str, operation: dict[str, Any]) -> None:
    api = route.path.startswith("/api/")
    responses = operation.setdefault("responses", {})
    _true_success(responses)
    for status in sorted(expected_statuses(route, handler, method, operation)):
        responses[str(status)] = _error_response(status, api)
    if guarded(handler):
        operation["security"] = SIGNED_IN
    calls = reach(handler.fn).calls
    media_types = [media for helper, types in CONTENT_OF.items() if helper in calls for media in types]
    if media_types:
        _success_content(operation, media_types)


def complete(schema: dict[str, Any], app: Litestar) -> dict[str, Any]:
    """Complete Litestar's generated document in place (once; a second call changes nothing)."""
    components = schema.setdefault("components", {})
    if "securitySchemes" in components:
        return schema
    components.setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    paths = schema.get("paths", {})
    for route in app.routes:
        if not isinstance(route, HTTPRoute) or route.path_format not in paths:
            continue
        item = paths[route.path_format]
        for method, (handler, _) in route.route_handler_map.items():
            operation = item.get(method.lower())
            if isinstance(operation, dict):
                _complete_operation(route, handler, method, operation)
    components["securitySchemes"] = SECURITY_SCHEMES
    return schema


def document(app: Litestar) -> dict[str, Any]:
    """The completed document of ``app``, as ``/schema/openapi.json`` serves it."""
    return complete(app.openapi_schema.to_schema(), app)


# Each renderer completes the shared, cached document before its first render.


class CompletedJson(JsonRenderPlugin):
    def render(self, request: Request[Any, Any, Any], openapi_schema: dict[str, Any]) -> bytes:
        return super().render(request, complete(openapi_schema, request.app))


class CompletedScalar(ScalarRenderPlugin):
    def render(self, request: Request[Any, Any, Any], openapi_schema: dict[str, Any]) -> bytes:
        return super().render(request, complete(openapi_schema, request.app))


class CompletedSwagger(SwaggerRenderPlugin):
    def render(self, request: Request[Any, Any, Any], openapi_schema: dict[str, Any]) -> bytes:
        return super().render(request, complete(openapi_schema, request.app))
