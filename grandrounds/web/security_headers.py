"""Security headers on every response the application sends, errors and redirects included.

Added by a ``before_send`` hook, so they reach responses made outside any
route (404s, 405s, the OpenAPI document) as well as routed ones. A header a
handler set itself wins: the secret-link pages keep ``Referrer-Policy:
no-referrer`` and the one-time-secret pages keep ``Cache-Control: no-store``.

The pages run no script at all, so ``script-src 'self'`` is enough and no
nonce is needed. Styles are inline ``<style>`` blocks and a few ``style=``
attributes (and the e-mail preview renders e-mail HTML, which is inline-styled
by nature), so ``style-src`` allows ``'unsafe-inline'``: CSS cannot run code,
and that is the honest price of keeping the templates self-contained.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from litestar.datastructures import CacheControlHeader, MutableScopeHeaders
from litestar.types import Message, Scope

from grandrounds.settings import Settings

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    ]
)

# The interactive API browsers load their scripts from a CDN and run inline script.
API_BROWSER_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net",
        "style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net",
        "font-src 'self' https://cdn.jsdelivr.net",
        "img-src 'self' data: https://cdn.jsdelivr.net",
        "connect-src 'self'",
        "object-src 'none'",
        "frame-ancestors 'none'",
    ]
)

# A handler showing a secret once (a new API token, the feed address) declares
# ``cache_control=SHOWN_ONCE``: no browser or proxy cache keeps a copy of it.
SHOWN_ONCE = CacheControlHeader(no_store=True)

HSTS = "max-age=31536000; includeSubDomains"

SecurityHeadersHook = Callable[[Message, Scope], Coroutine[Any, Any, None]]


def security_headers(settings: Settings) -> SecurityHeadersHook:
    """The ``before_send`` hook for these settings (HSTS only when the site is served over https)."""
    fixed = {
        "X-Frame-Options": "DENY",
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "same-origin",
    }
    if settings.base_url.startswith("https://"):
        fixed["Strict-Transport-Security"] = HSTS

    async def add_security_headers(message: Message, scope: Scope) -> None:
        if message["type"] != "http.response.start":
            return
        headers = MutableScopeHeaders.from_message(message)
        browsing_schema = settings.api_browsers and scope.get("path", "").startswith("/schema")
        policy = API_BROWSER_POLICY if browsing_schema else CONTENT_SECURITY_POLICY
        for name, value in {"Content-Security-Policy": policy, **fixed}.items():
            if name not in headers:
                headers[name] = value

    return add_security_headers
