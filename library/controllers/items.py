"""The library API: anyone browses and reads (as far as their access goes); staff write."""

from __future__ import annotations

from litestar import Controller, get, patch, post
from litestar.params import FromPath, FromQuery, JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from accounts.principal import Principal, Role
from grandrounds.web.auth import requires
from grandrounds.web.dependencies import CurrentPrincipal, Viewer
from grandrounds.web.paging import Limit, Offset
from library.schemas import ItemCreate, ItemOut, ItemPage, ItemUpdate
from library.services import catalogue, items


async def _page(viewer: Principal | None, found: catalogue.LibraryResult) -> ItemPage:
    tags = await items.tags_of(row["id"] for row in found.rows)
    return ItemPage(
        items=[items.item_out(row, tags[row["id"]], viewer) for row in found.rows], total=found.total
    )


class LibraryController(Controller):
    path = "/api/v1/library"
    tags = ["library"]

    @get("/items")
    async def list_items(
        self,
        viewer: Viewer,
        limit: Limit = 50,
        offset: Offset = 0,
        kind: FromQuery[str | None] = None,
        tag: FromQuery[str | None] = None,
        audience: FromQuery[str | None] = None,
        q: FromQuery[str | None] = None,
    ) -> ItemPage:
        """Published items, newest first; members-only ones are title and summary unless you are a member."""
        query = catalogue.parse_query(kind=kind, tag=tag, audience=audience, q=q, limit=limit, offset=offset)
        return await _page(viewer, await catalogue.search(viewer, query))

    @get("/items/{item_id:int}")
    async def get_item(self, viewer: Viewer, item_id: FromPath[int]) -> ItemOut:
        return await items.read_item(viewer, item_id)

    @get("/manage/items", guards=[requires(Role.PROGRAM_STAFF)])
    async def manage_items(
        self,
        viewer: Viewer,
        limit: Limit = 50,
        offset: Offset = 0,
        status: FromQuery[str | None] = None,
        kind: FromQuery[str | None] = None,
        tag: FromQuery[str | None] = None,
        audience: FromQuery[str | None] = None,
        q: FromQuery[str | None] = None,
    ) -> ItemPage:
        """Every item, drafts included, latest edits first (staff)."""
        query = catalogue.parse_query(
            kind=kind, tag=tag, audience=audience, status=status, q=q, limit=limit, offset=offset
        )
        return await _page(viewer, await catalogue.search(viewer, query, staff_list=True))

    @post(
        "/items",
        status_code=HTTP_201_CREATED,
        guards=[requires(Role.PROGRAM_STAFF)],
        opt={"audit": "library_item.create"},
    )
    async def create_item(self, principal: CurrentPrincipal, data: JSONBody[ItemCreate]) -> ItemOut:
        """A new draft."""
        return await items.create_item(principal, data)

    @patch(
        "/items/{item_id:int}", guards=[requires(Role.PROGRAM_STAFF)], opt={"audit": "library_item.update"}
    )
    async def update_item(
        self, principal: CurrentPrincipal, item_id: FromPath[int], data: JSONBody[ItemUpdate]
    ) -> ItemOut:
        return await items.update_item(principal, item_id, data)

    @post(
        "/items/{item_id:int}/publish",
        status_code=HTTP_200_OK,
        guards=[requires(Role.PROGRAM_STAFF)],
        opt={"audit": "library_item.publish"},
    )
    async def publish(self, principal: CurrentPrincipal, item_id: FromPath[int]) -> ItemOut:
        return await items.set_status(principal, item_id, "published")

    @post(
        "/items/{item_id:int}/unpublish",
        status_code=HTTP_200_OK,
        guards=[requires(Role.PROGRAM_STAFF)],
        opt={"audit": "library_item.unpublish"},
    )
    async def unpublish(self, principal: CurrentPrincipal, item_id: FromPath[int]) -> ItemOut:
        return await items.set_status(principal, item_id, "draft")


CONTROLLERS = [LibraryController]
