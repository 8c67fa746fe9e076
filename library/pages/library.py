"""Public library pages: the list with filters, and one item.

Anyone may browse. A members-only item shows its title and summary to a
non-member with an invitation to join; its body and links are not in the
page at all (not hidden by CSS), so nothing leaks to a crawler or a copy.
A draft is "not found" to everyone but staff.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from litestar import Controller, Request, get
from litestar.params import FromPath
from litestar.response import Template

from events.services import catalogue as event_catalogue
from grandrounds.errors import DomainError
from grandrounds.web.dependencies import Viewer
from library.services import access, catalogue, items
from library.services.rules import AUDIENCES, KINDS

PAGE_SIZE = 20
FILTERS = ("kind", "tag", "audience", "q")


def _page_number(raw: str | None) -> int:
    text = (raw or "").strip()
    return int(text) if text.isdigit() and 0 < len(text) < 7 and int(text) > 0 else 1


def card(row: Mapping[str, Any], tags: list[str], full: bool) -> dict[str, Any]:
    """What a list shows of an item; the content itself only on its own page."""
    return {
        "id": row["id"],
        "title": row["title"],
        "summary": row["summary"],
        "kind": KINDS.get(row["kind"], row["kind"]),
        "kind_value": row["kind"],
        "audience": row["audience"],
        "audience_label": AUDIENCES.get(row["audience"], row["audience"]),
        "status": row["status"],
        "author_name": row["author_name"],
        "tags": tags,
        "locked": not full,
        "published_at": row["published_at"],
    }


class LibraryPages(Controller):
    include_in_schema = False

    @get("/library")
    async def library(self, request: Request[Any, Any, Any], viewer: Viewer) -> Template:
        params = request.query_params
        filters = {key: (params.get(key) or "")[:300] for key in FILTERS}
        page = _page_number(params.get("page"))
        error: DomainError | None = None
        found = catalogue.LibraryResult(rows=[], total=0)
        try:
            query = catalogue.parse_query(
                kind=filters["kind"],
                tag=filters["tag"],
                audience=filters["audience"],
                q=filters["q"],
                limit=PAGE_SIZE,
                offset=(page - 1) * PAGE_SIZE,
            )
            found = await catalogue.search(viewer, query)
        except DomainError as exc:
            error = exc
        tags = await items.tags_of(row["id"] for row in found.rows)
        cards = [card(row, tags[row["id"]], access.reads_in_full(viewer, row)) for row in found.rows]
        kept = {k: v for k, v in filters.items() if v}

        def page_url(number: int) -> str:
            return "/library?" + urlencode({**kept, "page": number})

        last_page = max((found.total + PAGE_SIZE - 1) // PAGE_SIZE, 1)
        return Template(
            "library/list.html",
            context={
                "filters": filters,
                "kinds": KINDS,
                "audiences": AUDIENCES,
                "tags": await catalogue.tags_in_use(),
                "items": cards,
                "total": found.total,
                "page": page,
                "first_shown": (page - 1) * PAGE_SIZE + 1,
                "last_shown": (page - 1) * PAGE_SIZE + len(cards),
                "prev_url": page_url(page - 1) if page > 1 else None,
                "next_url": page_url(page + 1) if page < last_page else None,
                "is_member": access.reads_members_only(viewer),
                "is_staff": access.manages_library(viewer),
                "join_path": access.JOIN_PATH,
                "error": error.message if error else None,
                "error_field": error.details.get("field") if error else None,
            },
            status_code=error.status_code if error else 200,
        )

    @get("/library/{item_id:int}")
    async def item(self, viewer: Viewer, item_id: FromPath[int]) -> Template:
        row = await items.visible_item(viewer, item_id)
        full = access.reads_in_full(viewer, row)
        tags = (await items.tags_of([item_id]))[item_id]
        event_title = (await event_catalogue.openable_titles([row["event"]] if row["event"] else [])).get(
            row["event"]
        )
        shown = card(row, tags, full)
        if full:
            shown |= {
                "body": row["body"],
                "link_url": row["link_url"],
                "recording_url": row["recording_url"],
                "slides_url": row["slides_url"],
            }
        return Template(
            "library/detail.html",
            context={
                "item": shown,
                "paragraphs": [p for p in shown.get("body", "").split("\n\n") if p.strip()],
                "event": {"id": row["event"], "title": event_title} if event_title else None,
                "signed_in": viewer is not None,
                "is_staff": access.manages_library(viewer),
                "join_path": access.JOIN_PATH,
                "next_path": f"/library/{item_id}",
            },
        )


CONTROLLERS = [LibraryPages]
