"""The session cookie: HttpOnly, SameSite=Lax, Secure whenever the site is served over HTTPS."""

from __future__ import annotations

from typing import Any

from litestar import Response
from litestar.datastructures import Cookie

from grandrounds.settings import get_settings
from grandrounds.web.auth import SESSION_COOKIE


def set_session_cookie(response: Response[Any], secret: str) -> None:
    settings = get_settings()
    response.set_cookie(
        Cookie(
            key=SESSION_COOKIE,
            value=secret,
            max_age=settings.session_ttl_hours * 3600,
            path="/",
            httponly=True,
            secure=settings.cookie_secure,
            samesite="lax",
        )
    )


def clear_session_cookie(response: Response[Any]) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/")
