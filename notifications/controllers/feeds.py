"""Private calendar feeds: the subscription URL itself, and resetting it."""

from __future__ import annotations

import msgspec
from litestar import Controller, Response, get, post
from litestar.params import FromPath
from litestar.status_codes import HTTP_200_OK

from grandrounds.settings import get_settings
from grandrounds.web.auth import signed_in
from grandrounds.web.dependencies import CurrentPrincipal
from grandrounds.web.security_headers import SHOWN_ONCE
from notifications import errors, feeds

# Litestar appends "; charset=utf-8" to every text/* media type itself
# (litestar.response.base.ASGIResponse), so the type is named bare here.
CALENDAR = "text/calendar"


class FeedUrls(msgspec.Struct):
    """Shown once, when made: only a hash of the token is kept."""

    url: str
    webcal_url: str


class FeedState(msgspec.Struct):
    exists: bool


def feed_urls(token: str) -> FeedUrls:
    url = f"{get_settings().base_url}/feeds/{token}.ics"
    return FeedUrls(url=url, webcal_url="webcal://" + url.split("://", 1)[1])


def calendar_response(body: str, filename: str) -> Response[str]:
    return Response(
        body,
        media_type=CALENDAR,
        headers={
            "Content-Disposition": f'inline; filename="{filename}"',
            "Cache-Control": "private, max-age=300",
            "Referrer-Policy": "no-referrer",
        },
    )


class PersonalFeed(Controller):
    include_in_schema = False

    @get("/feeds/{name:str}")
    async def feed(self, name: FromPath[str]) -> Response[str]:
        person_id = await feeds.person_for(name.removesuffix(".ics"))
        if person_id is None:
            raise errors.feed_not_found()
        entries = await feeds.entries_for(person_id)
        name = await feeds.feed_name(person_id)
        return calendar_response(feeds.build_feed(name, entries, get_settings().base_url), "grandrounds.ics")


class FeedController(Controller):
    path = "/api/v1/me/feed"
    tags = ["calendar"]
    guards = [signed_in]

    @get("/")
    async def state(self, principal: CurrentPrincipal) -> FeedState:
        return FeedState(exists=await feeds.has_feed(principal.person_id))

    @post("/reset", status_code=HTTP_200_OK, cache_control=SHOWN_ONCE)
    async def reset(self, principal: CurrentPrincipal) -> FeedUrls:
        return feed_urls(await feeds.reset_token(principal.person_id))


CONTROLLERS = [PersonalFeed, FeedController]
