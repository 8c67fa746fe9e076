"""Public pages of the Health Care Social Media List: the list with filters, a listing, the change log, CSV.

Nothing here needs a sign-in, and nothing here reads a submission: only
approved listings are shown. The CSV link carries the page's own filters, and
both go through ``listings.parse_query``, so the export is the list on screen.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from litestar import Controller, Request, Response, get
from litestar.params import FromPath, FromQuery, QueryParameter
from litestar.response import Template

from directory.countries import COUNTRIES
from directory.platforms import PLATFORMS
from directory.proposals import KINDS, LABELS
from directory.review_status import ReviewStatus
from directory.services import claims, listings
from directory.services.moderation import may_moderate
from grandrounds.errors import DomainError
from grandrounds.web.dependencies import Viewer
from grandrounds.web.downloads import csv_response
from grandrounds.web.paging import Offset

PAGE_SIZE = 50
Kind = Annotated[str | None, QueryParameter(name="type")]


def field_labels(fields: list[str]) -> str:
    return ", ".join(LABELS.get(f, f).lower() if f not in PLATFORMS else LABELS[f] for f in fields)


async def _countries_listed() -> list[tuple[str, str]]:
    codes = sorted(set(await listings.countries_listed()), key=lambda c: COUNTRIES.get(c, c))
    return [(c, COUNTRIES.get(c, c)) for c in codes]


def _page_url(filters: dict[str, str], offset: int) -> str:
    params = {**filters, **({"offset": str(offset)} if offset else {})}
    return "/social-media-list" + (f"?{urlencode(params)}" if params else "")


class ListPages(Controller):
    include_in_schema = False
    path = "/social-media-list"

    @get("/")
    async def index(
        self,
        viewer: Viewer,
        country: FromQuery[str | None] = None,
        region: FromQuery[str | None] = None,
        kind: Kind = None,
        platform: FromQuery[str | None] = None,
        offset: Offset = 0,
    ) -> Template:
        raw = {
            "country": country or "",
            "region": region or "",
            "type": kind or "",
            "platform": platform or "",
        }
        context: dict[str, Any] = {
            "raw": raw,
            "kinds": KINDS,
            "platforms": PLATFORMS,
            "countries": await _countries_listed(),
            "all_countries": COUNTRIES,
            "moderator": (me := viewer) is not None and may_moderate(me),
        }
        try:
            query = listings.parse_query(country, region, kind, platform, PAGE_SIZE, offset)
        except DomainError as exc:
            context.update(error=exc.message, error_field=exc.details.get("field"), items=[], counts={})
            return Template("directory/list.html", context=context, status_code=exc.status_code)
        page = await listings.search(query)
        filters = query.filters()
        context.update(
            items=page.items,
            total=page.total,
            counts=page.platform_counts,
            filters=filters,
            first_shown=offset + 1,
            last_shown=offset + len(page.items),
            csv_url="/social-media-list/export.csv" + (f"?{urlencode(filters)}" if filters else ""),
            platform_url=lambda key: _page_url({**filters, "platform": key}, 0),
            prev_url=_page_url(filters, max(offset - PAGE_SIZE, 0)) if offset > 0 else None,
            next_url=_page_url(filters, offset + PAGE_SIZE) if offset + PAGE_SIZE < page.total else None,
        )
        return Template("directory/list.html", context=context)

    @get("/export.csv")
    async def export(
        self,
        country: FromQuery[str | None] = None,
        region: FromQuery[str | None] = None,
        kind: Kind = None,
        platform: FromQuery[str | None] = None,
    ) -> Response[str]:
        query = listings.parse_query(country, region, kind, platform)
        return csv_response(await listings.export_csv(query), "social-media-list.csv")

    @get("/changes")
    async def changes(self, offset: Offset = 0) -> Template:
        page = await listings.changes(None, PAGE_SIZE, offset)
        return Template(
            "directory/changes.html",
            context={
                "changes": page.items,
                "total": page.total,
                "describe": field_labels,
                "prev_url": f"/social-media-list/changes?offset={max(offset - PAGE_SIZE, 0)}"
                if offset
                else None,
                "next_url": f"/social-media-list/changes?offset={offset + PAGE_SIZE}"
                if offset + PAGE_SIZE < page.total
                else None,
            },
        )

    @get("/{listing_id:int}")
    async def detail(
        self, request: Request[Any, Any, Any], viewer: Viewer, listing_id: FromPath[int]
    ) -> Template:
        item = await listings.listing(listing_id)
        history = await listings.changes(listing_id, 50, 0)
        is_contact = False
        if viewer is not None and item.has_verified_contact:
            is_contact = await claims.is_contact(viewer.person_id, listing_id)
        claim_notices: dict[str, str] = {
            ReviewStatus.APPROVED: "You are now this listing's verified contact.",
            ReviewStatus.PENDING: "Your claim waits for a moderator.",
        }
        notice = claim_notices.get(request.query_params.get("claim", ""))
        return Template(
            "directory/detail.html",
            context={
                "item": item,
                "kind_label": KINDS.get(item.kind, item.kind),
                "history": history.items,
                "describe": field_labels,
                "is_contact": is_contact,
                "notice": notice,
            },
        )


CONTROLLERS = [ListPages]
