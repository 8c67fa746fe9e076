"""Staff pages of the library: every item with its state, a form to create or edit, publish and unpublish.

Program staff and admins run the library (it is not tied to one program).
A form with a mistake comes back with what was typed and the message next to
the field; nothing is stored until the whole item is valid.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, URLEncodedBody
from litestar.response import Redirect, Template

from accounts.principal import Role
from events.services import catalogue as event_catalogue
from grandrounds.errors import DomainError
from grandrounds.web.auth import requires
from grandrounds.web.dependencies import CurrentPrincipal
from library.errors import form_invalid
from library.pages.library import card
from library.schemas import ItemCreate, ItemUpdate
from library.services import catalogue, items
from library.services.rules import AUDIENCES, KINDS, STATUSES, split_tags

Form = URLEncodedBody[dict[str, str]]
PAGE_SIZE = 50
ITEM_FIELDS = (
    "kind", "title", "summary", "audience", "body", "link_url", "recording_url", "slides_url",
    "event_id", "tags", "author_name",
)  # fmt: skip
FIELD_CAP = 60_000  # beyond any limit of the rules: the rules give the message


def _event_id(raw: str) -> int | None:
    text = raw.strip()
    if not text:
        return None
    if not text.isdigit() or len(text) > 12:
        raise form_invalid("event_id", "Choose one of the events listed.")
    return int(text)


def item_from_form(form: Mapping[str, str]) -> ItemCreate:
    return ItemCreate(
        kind=form.get("kind", ""),
        title=form.get("title", ""),
        summary=form.get("summary", ""),
        audience=form.get("audience", ""),
        body=form.get("body", ""),
        link_url=form.get("link_url", ""),
        recording_url=form.get("recording_url", ""),
        slides_url=form.get("slides_url", ""),
        event_id=_event_id(form.get("event_id", "")),
        tags=split_tags(form.get("tags", "")),
        author_name=form.get("author_name", ""),
    )


def _update_from(create: ItemCreate) -> ItemUpdate:
    """A form sends every field, so an edit from it replaces them all (the author link stays)."""
    return ItemUpdate(
        kind=create.kind,
        title=create.title,
        summary=create.summary,
        audience=create.audience,
        body=create.body,
        link_url=create.link_url,
        recording_url=create.recording_url,
        slides_url=create.slides_url,
        event_id=create.event_id,
        tags=create.tags,
        author_name=create.author_name,
    )


async def _form_page(
    request: Request[Any, Any, Any],
    *,
    item_id: int | None,
    form: Mapping[str, str],
    error: DomainError | None = None,
    status: str = "draft",
) -> Template:
    return Template(
        "library/form.html",
        context={
            "item_id": item_id,
            "status": status,
            "form": dict(form),
            "kinds": KINDS,
            "audiences": AUDIENCES,
            "events": await event_catalogue.linkable_events(),
            "error": error.message if error else None,
            "error_field": error.details.get("field") if error else None,
            "saved": request.query_params.get("saved") == "1",
        },
        status_code=error.status_code if error else 200,
    )


def _form_of(data: Mapping[str, str]) -> dict[str, str]:
    return {k: v[:FIELD_CAP] for k, v in data.items() if k in ITEM_FIELDS}


class LibraryStaffPages(Controller):
    include_in_schema = False
    guards = [requires(Role.PROGRAM_STAFF)]

    @get("/staff/library")
    async def staff_list(self, request: Request[Any, Any, Any], principal: CurrentPrincipal) -> Template:
        params = request.query_params
        filters = {key: (params.get(key) or "")[:300] for key in ("status", "kind", "audience", "q")}
        error: DomainError | None = None
        found = catalogue.LibraryResult(rows=[], total=0)
        try:
            query = catalogue.parse_query(
                kind=filters["kind"],
                audience=filters["audience"],
                status=filters["status"],
                q=filters["q"],
                limit=PAGE_SIZE,
            )
            found = await catalogue.search(principal, query, staff_list=True)
        except DomainError as exc:
            error = exc
        tags = await items.tags_of(row["id"] for row in found.rows)
        return Template(
            "library/staff_list.html",
            context={
                "items": [
                    card(row, tags[row["id"]], True) | {"updated_at": row["updated_at"]} for row in found.rows
                ],
                "total": found.total,
                "filters": filters,
                "kinds": KINDS,
                "audiences": AUDIENCES,
                "statuses": STATUSES,
                "changed": (params.get("changed") or "")[:20],
                "error": error.message if error else None,
            },
            status_code=error.status_code if error else 200,
        )

    @get("/staff/library/new")
    async def new_form(self, request: Request[Any, Any, Any]) -> Template:
        return await _form_page(request, item_id=None, form={"kind": "guide", "audience": "members_only"})

    @post("/staff/library/new", opt={"audit": "library_item.create"})
    async def create(
        self, request: Request[Any, Any, Any], principal: CurrentPrincipal, data: Form
    ) -> Response[Any]:
        form = _form_of(data)
        try:
            created = await items.create_item(principal, item_from_form(form))
        except DomainError as exc:
            return await _form_page(request, item_id=None, form=form, error=exc)
        return Redirect(path=f"/staff/library/{created.id}/edit?saved=1", status_code=303)

    @get("/staff/library/{item_id:int}/edit")
    async def edit_form(self, request: Request[Any, Any, Any], item_id: FromPath[int]) -> Template:
        row = await items.item_row(item_id)
        form = {name: str(row[name]) for name in ITEM_FIELDS if name in row}
        form["event_id"] = str(row["event"] or "")
        form["tags"] = ", ".join((await items.tags_of([item_id]))[item_id])
        return await _form_page(request, item_id=item_id, form=form, status=row["status"])

    @post("/staff/library/{item_id:int}/edit", opt={"audit": "library_item.update"})
    async def edit(
        self, request: Request[Any, Any, Any], principal: CurrentPrincipal, item_id: FromPath[int], data: Form
    ) -> Response[Any]:
        row = await items.item_row(item_id)
        form = _form_of(data)
        try:
            await items.update_item(principal, item_id, _update_from(item_from_form(form)))
        except DomainError as exc:
            return await _form_page(request, item_id=item_id, form=form, error=exc, status=row["status"])
        return Redirect(path=f"/staff/library/{item_id}/edit?saved=1", status_code=303)

    @post("/staff/library/{item_id:int}/publish", opt={"audit": "library_item.publish"})
    async def publish(self, principal: CurrentPrincipal, item_id: FromPath[int]) -> Redirect:
        await items.set_status(principal, item_id, "published")
        return Redirect(path="/staff/library?" + urlencode({"changed": "published"}), status_code=303)

    @post("/staff/library/{item_id:int}/unpublish", opt={"audit": "library_item.unpublish"})
    async def unpublish(self, principal: CurrentPrincipal, item_id: FromPath[int]) -> Redirect:
        await items.set_status(principal, item_id, "draft")
        return Redirect(path="/staff/library?" + urlencode({"changed": "unpublished"}), status_code=303)


CONTROLLERS = [LibraryStaffPages]
