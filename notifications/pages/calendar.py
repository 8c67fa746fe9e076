"""The account page's calendar section: make or reset the private feed URL."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.response import Template

from grandrounds.web.auth import current_principal, signed_in
from notifications import feeds
from notifications.controllers.feeds import feed_urls


class CalendarPages(Controller):
    include_in_schema = False
    guards = [signed_in]

    @get("/account/calendar")
    async def show(self, request: Request[Any, Any, Any]) -> Template:
        exists = await feeds.has_feed(current_principal(request).person_id)
        return Template("messages/calendar.html", context={"exists": exists, "urls": None})

    @post("/account/calendar/reset")
    async def reset(self, request: Request[Any, Any, Any]) -> Template:
        token = await feeds.reset_token(current_principal(request).person_id)
        return Template("messages/calendar.html", context={"exists": True, "urls": feed_urls(token)})


CONTROLLERS = [CalendarPages]
