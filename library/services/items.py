"""Staff write the library: create, edit, publish and unpublish items; everyone reads through here.

An item's tags are rows of their own (filtering by tag is then an indexed
exact match); an edit replaces them in the same transaction as the item, so
a failed edit leaves both as they were. Checks that need no database run
before the transaction opens; links to an event or an author are checked
inside it.

Every create, edit, publish and unpublish leaves one audit row in its own
transaction, with the fields it changed (tags included) before and after.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import msgspec

from accounts.audit import trail as audit
from accounts.principal import Principal
from accounts.tables import Person
from events.tables import Event
from grandrounds.db import now, write_transaction
from library import errors
from library.schemas import ItemCreate, ItemOut, ItemUpdate
from library.services import access
from library.services.rules import ItemFields, check, is_id
from library.tables import LibraryItem, LibraryItemTag

FIELD_NAMES = tuple(ItemFields.__dataclass_fields__)


async def tags_of(item_ids: Iterable[int]) -> dict[int, list[str]]:
    ids = list(item_ids)
    found: dict[int, list[str]] = {i: [] for i in ids}
    if not ids:
        return found
    rows = (
        await LibraryItemTag.select(LibraryItemTag.item, LibraryItemTag.tag)
        .where(LibraryItemTag.item.is_in(ids))
        .order_by(LibraryItemTag.id)
    )
    for row in rows:
        found.setdefault(row["item"], []).append(row["tag"])
    return found


def item_out(row: Mapping[str, Any], tags: list[str], principal: Principal | None) -> ItemOut:
    """The item as ``principal`` may see it: content only when they may read it in full."""
    full = access.reads_in_full(principal, row)
    return ItemOut(
        id=row["id"],
        kind=row["kind"],
        title=row["title"],
        summary=row["summary"],
        audience=row["audience"],
        status=row["status"],
        tags=tags,
        author_name=row["author_name"],
        locked=not full,
        published_at=row["published_at"],
        updated_at=row["updated_at"],
        event_id=row["event"],
        author_id=row["author"],
        body=row["body"] if full else None,
        link_url=row["link_url"] if full else None,
        recording_url=row["recording_url"] if full else None,
        slides_url=row["slides_url"] if full else None,
        join_url=None if full else access.JOIN_PATH,
    )


async def item_row(item_id: int) -> dict[str, Any]:
    if not is_id(item_id):
        raise errors.item_not_found()
    row = await LibraryItem.select().where(LibraryItem.id == item_id).first()
    if row is None:
        raise errors.item_not_found()
    return row


async def visible_item(principal: Principal | None, item_id: int) -> dict[str, Any]:
    """The item if it exists for the caller; a draft is "not found" to all but staff."""
    row = await item_row(item_id)
    if not access.sees(principal, row):
        raise errors.item_not_found()
    return row


async def read_item(principal: Principal | None, item_id: int) -> ItemOut:
    row = await visible_item(principal, item_id)
    return item_out(row, (await tags_of([item_id]))[item_id], principal)


def _fields_of(row: Mapping[str, Any], tags: list[str]) -> dict[str, Any]:
    """An item row's editable fields under their ItemFields names: what an edit merges into and
    what the audit trail compares."""
    return {
        "kind": row["kind"],
        "title": row["title"],
        "summary": row["summary"],
        "audience": row["audience"],
        "body": row["body"],
        "link_url": row["link_url"],
        "recording_url": row["recording_url"],
        "slides_url": row["slides_url"],
        "event_id": row["event"],
        "tags": tags,
        "author_name": row["author_name"],
        "author_id": row["author"],
    }


def _require_staff(principal: Principal) -> None:
    if not access.manages_library(principal):
        raise errors.not_staff()


async def _check_links(fields: ItemFields) -> None:
    if fields.event_id is not None and not await Event.exists().where(Event.id == fields.event_id):
        raise errors.event_not_found()
    if fields.author_id is not None and not await Person.exists().where(Person.id == fields.author_id):
        raise errors.author_not_found()


def _as_dict(fields: ItemFields) -> dict[str, Any]:
    return {name: getattr(fields, name) for name in FIELD_NAMES}


def _columns(fields: ItemFields) -> dict[Any, Any]:
    return {
        LibraryItem.kind: fields.kind,
        LibraryItem.title: fields.title,
        LibraryItem.summary: fields.summary,
        LibraryItem.audience: fields.audience,
        LibraryItem.body: fields.body,
        LibraryItem.link_url: fields.link_url,
        LibraryItem.recording_url: fields.recording_url,
        LibraryItem.slides_url: fields.slides_url,
        LibraryItem.event: fields.event_id,
        LibraryItem.author_name: fields.author_name,
        LibraryItem.author: fields.author_id,
    }


async def _replace_tags(item_id: int, tags: list[str]) -> None:
    await LibraryItemTag.delete().where(LibraryItemTag.item == item_id)
    if tags:
        await LibraryItemTag.insert(*[LibraryItemTag(item=item_id, tag=tag) for tag in tags])


async def create_item(principal: Principal, data: ItemCreate) -> ItemOut:
    """A new draft; nobody but staff sees it until it is published."""
    _require_staff(principal)
    fields = check(ItemFields(**msgspec.structs.asdict(data)))
    async with write_transaction():
        await _check_links(fields)
        stamp = now()
        inserted = await LibraryItem.insert(
            LibraryItem(
                **{column._meta.name: value for column, value in _columns(fields).items()},
                status="draft",
                created_by=principal.person_id,
                created_at=stamp,
                updated_by=principal.person_id,
                updated_at=stamp,
            )
        ).returning(LibraryItem.id)
        item_id = int(inserted[0]["id"])
        await _replace_tags(item_id, fields.tags)
        await audit.record(
            "library_item.create",
            "library_item",
            item_id,
            # What it was made with: the fields left empty are not news.
            after={**{k: v for k, v in _as_dict(fields).items() if v not in ("", [])}, "status": "draft"},
        )
    return await read_item(principal, item_id)


async def update_item(principal: Principal, item_id: int, data: ItemUpdate) -> ItemOut:
    """Change the given fields; the whole item is checked again, so a kind change stays consistent."""
    _require_staff(principal)
    current = await item_row(item_id)
    merged = _fields_of(current, (await tags_of([item_id]))[item_id])
    for name in FIELD_NAMES:
        value = getattr(data, name)
        if value is not msgspec.UNSET:
            merged[name] = value
    fields = check(ItemFields(**merged))
    async with write_transaction():
        # Read again inside the transaction: the trail's "before" is what this edit replaced.
        stored = await LibraryItem.select().where(LibraryItem.id == item_id).first()
        if stored is None:
            raise errors.item_not_found()
        await _check_links(fields)
        before = _fields_of(stored, (await tags_of([item_id]))[item_id])
        await LibraryItem.update(
            {**_columns(fields), LibraryItem.updated_by: principal.person_id, LibraryItem.updated_at: now()}
        ).where(LibraryItem.id == item_id)
        await _replace_tags(item_id, fields.tags)
        await audit.record(
            "library_item.update", "library_item", item_id, before=before, after=_as_dict(fields)
        )
    return await read_item(principal, item_id)


async def set_status(principal: Principal, item_id: int, status: str) -> ItemOut:
    """Publish or unpublish. Publishing again keeps the first publication date; it is idempotent."""
    _require_staff(principal)
    if status not in ("draft", "published"):
        raise errors.status_unknown()
    await item_row(item_id)
    async with write_transaction():
        row = (
            await LibraryItem.select(LibraryItem.status, LibraryItem.published_at)
            .where(LibraryItem.id == item_id)
            .first()
        )
        if row is None:
            raise errors.item_not_found()
        before = {"status": row["status"], "published_at": row["published_at"]}
        after = dict(before)
        if row["status"] != status:
            values: dict[Any, Any] = {
                LibraryItem.status: status,
                LibraryItem.updated_by: principal.person_id,
                LibraryItem.updated_at: now(),
            }
            if status == "published" and row["published_at"] is None:
                after["published_at"] = values[LibraryItem.published_at] = now()
            await LibraryItem.update(values).where(LibraryItem.id == item_id)
            after["status"] = status
        # Publishing what is already published changes nothing, but the request was made: its row
        # says so with no changes.
        action = "library_item.publish" if status == "published" else "library_item.unpublish"
        await audit.record(action, "library_item", item_id, before=before, after=after)
    return await read_item(principal, item_id)
