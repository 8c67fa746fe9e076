"""Refuse hostile request bodies before any handler reads them.

Two findings of a penetration test are answered here, once for every route:

* a body that cannot be decoded (JSON nested past msgspec's recursion limit,
  invalid UTF-8, malformed JSON) is a 400 ``request.invalid``, never a 500;
* a body sent to a route that reads JSON under any other content type is a 415
  ``request.unsupported_media_type``: a page elsewhere can post ``text/plain``
  without asking first (no CORS preflight), so a JSON route that read such a
  body anyway could be driven cross-site (the sign-in route, which needs no
  CSRF header, would sign a visitor in to someone else's account);
* text carrying C0 control characters (NUL reached a mail header) or Unicode
  bidirectional overrides and isolates (they reversed a public listing name)
  is refused, in JSON, URL-encoded and multipart bodies alike. Tab, newline
  and carriage return stay allowed: multi-line fields need them, and single-line
  fields already refuse line breaks where it matters (e-mail addresses).

The body is read through Litestar's own ``Request``, which caches the bytes,
the decoded JSON and the parsed form in the scope, so the handler decodes
nothing twice.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from litestar import Request
from litestar.enums import RequestEncodingType, ScopeType
from litestar.exceptions import SerializationException
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Receive, Scope, Send

from grandrounds.errors import request_invalid, unsupported_media_type

# C0 controls except tab (09), line feed (0A) and carriage return (0D); DEL (7F) too.
# U+202A-U+202E: embeddings and overrides; U+2066-U+2069: isolates.
FORBIDDEN_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u202a-\u202e\u2066-\u2069]")

_BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def _reads_json(scope: Scope) -> bool:
    """Whether the route's handler takes a JSON body (``data``), as opposed to a form, or none."""
    handler = scope.get("route_handler")
    parsed = getattr(handler, "parsed_fn_signature", None)
    field = parsed.parameters.get("data") if parsed is not None else None
    if field is None:
        return False
    media_type = getattr(field.kwarg_definition, "media_type", RequestEncodingType.JSON)
    return bool(media_type == RequestEncodingType.JSON)


def _is_json(media_type: str) -> bool:
    return media_type == "application/json" or media_type.endswith("+json")


def forbidden_character(text: str) -> str | None:
    """The first refused character of ``text`` as ``U+XXXX``, or None when the text is clean."""
    found = FORBIDDEN_CHARACTERS.search(text)
    return None if found is None else f"U+{ord(found.group()):04X}"


def _strings(value: Any, path: str) -> Iterator[tuple[str, str]]:
    """Every string in a decoded body with the dotted path of its field (keys are text too)."""
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            field = f"{path}.{key}" if path else str(key)
            if isinstance(key, str):
                yield field, key
            yield from _strings(item, field)
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            yield from _strings(item, f"{path}[{index}]")


def check_text(value: Any) -> None:
    """Raise ``request.invalid`` naming the first field that carries a refused character."""
    for field, text in _strings(value, ""):
        character = forbidden_character(text)
        if character is not None:
            raise request_invalid(
                f"The field {field or 'body'!r} contains a control or text-direction character"
                f" ({character}); remove it and send again.",
                {"field": field, "character": character},
            )


async def _decoded_json(request: Request[Any, Any, Any]) -> Any:
    try:
        return await request.json()
    except RecursionError as exc:
        raise request_invalid("The JSON body is nested too deeply.", {"reason": "nesting too deep"}) from exc
    except (SerializationException, UnicodeDecodeError, ValueError) as exc:
        raise request_invalid("The body is not valid UTF-8 JSON.", {"reason": str(exc)}) from exc


async def _form_values(request: Request[Any, Any, Any]) -> dict[str, Any]:
    form = await request.form()
    return {key: [v for v in values if isinstance(v, str)] for key, values in form.dict().items()}


class RequestGuardMiddleware(ASGIMiddleware):
    """Decode and inspect the body of every request that sends one; refuse what is hostile."""

    scopes = (ScopeType.HTTP,)
    # Stripe's signed events are verified byte for byte and must never be refused for their content.
    exclude_path_pattern = ("^/api/v1/billing/stripe/webhook$",)

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        if scope.get("method") in _BODY_METHODS:
            request: Request[Any, Any, Any] = Request(scope, receive)
            media_type, _ = request.content_type
            if not _is_json(media_type) and _reads_json(scope) and await request.body():
                raise unsupported_media_type(media_type)
            if _is_json(media_type):
                if await request.body():
                    check_text(await _decoded_json(request))
            elif media_type in (RequestEncodingType.URL_ENCODED, RequestEncodingType.MULTI_PART):
                check_text(await _form_values(request))
        await next_app(scope, receive, send)
