"""Finding items: the public library (published only) and the staff list (drafts too).

Filters are kind, tag, audience and words. Each word must match somewhere,
case-insensitively, through ``grandrounds.db.contains_any``. A word is looked
for in the body only of items the caller may read in full: otherwise a guest
could learn what a members-only text says by searching for words and watching
which titles come back.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from piccolo.columns.combination import WhereRaw

from accounts.principal import Principal
from grandrounds.db import contains_any, literal_like
from grandrounds.errors import request_invalid
from library import errors
from library.services import access
from library.services.rules import AUDIENCES, KINDS, OPEN_AUDIENCES, STATUSES, TAG_MAX
from library.tables import LibraryItem, LibraryItemTag

MAX_LIMIT = 200
MAX_WORDS = 8
QUERY_MAX = 200


@dataclass(frozen=True, slots=True)
class LibraryQuery:
    """Validated filters; build one with :func:`parse_query` from what a person typed."""

    kind: str | None = None
    tag: str | None = None
    audience: str | None = None
    status: str | None = None  # staff list only
    q: str = ""
    limit: int = 20
    offset: int = 0


@dataclass(frozen=True, slots=True)
class LibraryResult:
    rows: list[dict[str, Any]]  # full item rows, newest first
    total: int


def parse_query(
    *,
    kind: str | None = None,
    tag: str | None = None,
    audience: str | None = None,
    status: str | None = None,
    q: str | None = None,
    limit: int = 20,
    offset: int = 0,
) -> LibraryQuery:
    """Check raw filters (query-string text) and normalise them; blank means "any"."""
    kind = (kind or "").strip().lower() or None
    if kind is not None and kind not in KINDS:
        raise errors.kind_unknown()
    audience = (audience or "").strip().lower() or None
    if audience is not None and audience not in AUDIENCES:
        raise errors.audience_unknown()
    status = (status or "").strip().lower() or None
    if status is not None and status not in STATUSES:
        raise errors.status_unknown()
    tag = " ".join((tag or "").lower().split()) or None
    if tag is not None and len(tag) > TAG_MAX:
        raise errors.query_too_long("tag", TAG_MAX)
    words = " ".join((q or "").split())
    if len(words) > QUERY_MAX:
        raise errors.query_too_long("q", QUERY_MAX)
    if not 1 <= limit <= MAX_LIMIT or offset < 0:
        raise request_invalid(f"limit must be 1 to {MAX_LIMIT} and offset at least 0.", {"field": "limit"})
    return LibraryQuery(kind, tag, audience, status, words, limit, offset)


def _condition(principal: Principal | None, query: LibraryQuery, *, staff_list: bool) -> Any:
    condition: Any = LibraryItem.id > 0
    if not staff_list:
        condition = LibraryItem.status == "published"
    elif query.status:
        condition = LibraryItem.status == query.status
    if query.kind:
        condition &= LibraryItem.kind == query.kind
    if query.audience:
        condition &= LibraryItem.audience == query.audience
    if query.tag:
        condition &= WhereRaw("id IN (SELECT item FROM library_item_tag WHERE tag = {})", query.tag)
    full_text = access.reads_members_only(principal)
    for word in query.q.split()[:MAX_WORDS]:
        anywhere: Any = contains_any(("title", "summary", "author_name"), word)
        anywhere |= WhereRaw(
            "id IN (SELECT item FROM library_item_tag WHERE tag LIKE {} ESCAPE '\\')",
            f"%{literal_like(word.lower())}%",
        )
        in_body: Any = contains_any(("body",), word)
        if not full_text:
            in_body &= LibraryItem.audience.is_in(list(OPEN_AUDIENCES))
        condition &= anywhere | in_body
    return condition


async def search(
    principal: Principal | None, query: LibraryQuery, *, staff_list: bool = False
) -> LibraryResult:
    """Published items (or, for ``staff_list``, every item) matching ``query``, newest first."""
    if staff_list and not access.manages_library(principal):
        raise errors.not_staff()
    condition = _condition(principal, query, staff_list=staff_list)
    # Drafts have no publication date (and engines sort nulls differently): staff see latest edits first.
    newest = LibraryItem.updated_at if staff_list else LibraryItem.published_at
    rows = (
        await LibraryItem.select()
        .where(condition)
        .order_by(newest, ascending=False)
        .order_by(LibraryItem.id, ascending=False)
        .limit(query.limit)
        .offset(query.offset)
    )
    return LibraryResult(rows=rows, total=await LibraryItem.count().where(condition))


async def tags_in_use() -> list[str]:
    """Tags of published items, for the filter's choices."""
    rows = (
        await LibraryItemTag.select(LibraryItemTag.tag)
        .distinct()
        .where(LibraryItemTag.item.status == "published")
    )
    return sorted(r["tag"] for r in rows)
