"""Refuse hostile request bodies before any handler reads them.

Findings of penetration tests are answered here, once for every route:

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

* login CSRF: a cross-site page posted a ``text/plain`` or form body to
  ``/api/v1/auth/signin``, it was read as JSON, and the browser came back
  signed in as the attacker. The JSON API takes JSON bodies only (a 415
  ``request.unsupported_media_type`` otherwise; a route that declares a
  multipart upload takes that), and the credential routes refuse a request
  whose ``Sec-Fetch-Site`` says cross-site or whose ``Origin`` is another
  site (403 ``auth.cross_site``). Requests without those headers (curl,
  scripts) are not browsers acting for someone else and pass.

The body is read through Litestar's own ``Request``, which caches the bytes,
the decoded JSON and the parsed form in the scope, so the handler decodes
nothing twice.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

from litestar import Request
from litestar.enums import RequestEncodingType, ScopeType
from litestar.exceptions import SerializationException
from litestar.handlers.base import BaseRouteHandler
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Receive, Scope, Send

from grandrounds.errors import cross_site, request_invalid, unsupported_media_type
from grandrounds.web.auth import CREDENTIAL_PATHS

# C0 controls except tab (09), line feed (0A) and carriage return (0D); DEL (7F) too.
# U+202A-U+202E: embeddings and overrides; U+2066-U+2069: isolates.
FORBIDDEN_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u202a-\u202e\u2066-\u2069]")

_BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


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


def _is_json(media_type: str) -> bool:
    return media_type == RequestEncodingType.JSON.value or media_type.endswith("+json")


def declared_media_type(handler: BaseRouteHandler | None) -> str:
    """The body a route takes: JSON unless its ``data`` parameter says otherwise (a multipart upload)."""
    if handler is None:
        return RequestEncodingType.JSON.value
    data = handler.parsed_fn_signature.parameters.get("data")
    media_type = getattr(getattr(data, "kwarg_definition", None), "media_type", None)
    return str(getattr(media_type, "value", media_type) or RequestEncodingType.JSON.value)


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


class RequestGuardMiddleware(ASGIMiddleware):
    """Decode and inspect the body of every request that sends one; refuse what is hostile."""

    scopes = (ScopeType.HTTP,)
    # Stripe's signed events are verified byte for byte and must never be refused for their content.
    exclude_path_pattern = ("^/api/v1/billing/stripe/webhook$",)

    def __init__(self, public_url: str = "") -> None:
        # The site's public address (GRANDROUNDS_BASE_URL): behind a proxy the request's own
        # Host may be an internal name, so a form of the public site counts as this site too.
        self.public_origin = _origin(public_url) if public_url else ""

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        if scope.get("method") in _BODY_METHODS:
            request: Request[Any, Any, Any] = Request(scope, receive)
            media_type, _ = request.content_type
            path = scope["path"]
            if path.startswith("/api/"):
                if path in CREDENTIAL_PATHS and self._cross_site(request):
                    raise cross_site()
                await self._json_only(request, media_type, scope.get("route_handler"))
            if _is_json(media_type):
                if await request.body():
                    check_text(await _decoded_json(request))
            elif media_type in (RequestEncodingType.URL_ENCODED, RequestEncodingType.MULTI_PART):
                check_text(await _form_values(request))
        await next_app(scope, receive, send)

    def _cross_site(self, request: Request[Any, Any, Any]) -> bool:
        """True when a browser says the request comes from another site (fetch metadata or Origin)."""
        if request.headers.get("sec-fetch-site", "").lower() == "cross-site":
            return True
        origin = request.headers.get("origin")
        if origin is None:
            return (
                False  # not a browser's cross-origin POST (curl, a script, an old browser's same-origin form)
            )
        own = {_origin(str(request.base_url)), self.public_origin} - {""}
        return origin.strip().rstrip("/").lower() not in own

    @staticmethod
    async def _json_only(
        request: Request[Any, Any, Any], media_type: str, handler: BaseRouteHandler | None
    ) -> None:
        """The JSON API reads JSON only: a form or text body is what a cross-site page can send."""
        if _is_json(media_type):
            return
        declared = declared_media_type(handler)
        if media_type and media_type == declared:
            return  # a declared upload (multipart/form-data)
        if not media_type and not await request.body():
            return  # no body at all
        sent = media_type or "an untyped body"
        raise unsupported_media_type(f"This address takes {declared} (Content-Type: {declared}), not {sent}.")
