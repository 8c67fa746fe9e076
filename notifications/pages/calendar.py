"""The account page's calendar section: make or reset the private feed URL."""

from __future__ import annotations

from litestar import Controller, get, post
from litestar.response import Template

from grandrounds.web.auth import signed_in
from grandrounds.web.dependencies import CurrentPrincipal
from grandrounds.web.security_headers import SHOWN_ONCE
from notifications import feeds
from notifications.controllers.feeds import feed_urls


class CalendarPages(Controller):
    include_in_schema = False
    guards = [signed_in]

    @get("/account/calendar")
    async def show(self, principal: CurrentPrincipal) -> Template:
        exists = await feeds.has_feed(principal.person_id)
        return Template("messages/calendar.html", context={"exists": exists, "urls": None})

    @post("/account/calendar/reset", cache_control=SHOWN_ONCE)
    async def reset(self, principal: CurrentPrincipal) -> Template:
        token = await feeds.reset_token(principal.person_id)
        return Template("messages/calendar.html", context={"exists": True, "urls": feed_urls(token)})


CONTROLLERS = [CalendarPages]
