"""What a library item may contain, checked without the database.

Every text field is plain text rendered through Jinja's autoescape, so a
``<script>`` typed anywhere is shown, never run. Where markup makes no sense
at all (a title, a summary, an author's name, a tag) it is refused outright,
so nobody is surprised by angle-bracket soup on a public page. The body may
legitimately quote HTML (a policy template about embedding posts), so it is
only escaped. Addresses must be absolute http(s) URLs with a host: no
``javascript:``, ``data:`` or credentials in the URL.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from library import errors

KINDS: dict[str, str] = {
    "white_paper": "White paper",
    "guide": "Best-practice guide",
    "policy_template": "Policy template",
    "recorded_webinar": "Recorded webinar",
    "video": "Video",
}
AUDIENCES: dict[str, str] = {
    "public": "Public",
    "guest_sample": "Guest sample",
    "members_only": "Members only",
}
STATUSES = ("draft", "published")
# Audiences anyone may read in full; members_only needs a member or staff.
OPEN_AUDIENCES = ("public", "guest_sample")

TITLE_MAX = 200
SUMMARY_MAX = 1_000
BODY_MAX = 50_000
AUTHOR_MAX = 200
URL_MAX = 500
TAG_MAX = 40
TAGS_PER_ITEM = 12
# Ids are 32-bit serials: a larger number names nothing (and PostgreSQL would refuse the comparison).
MAX_ID = 2_147_483_647

_TAG = re.compile(r"^[a-z0-9][a-z0-9 -]*$")
# An opening or closing tag, a comment or a doctype: what a browser would treat as markup.
_MARKUP = re.compile(r"<\s*[a-zA-Z/!?]")
_SCRIPT_SCHEME = re.compile(r"javascript\s*:", re.IGNORECASE)


@dataclass(slots=True)
class ItemFields:
    """An item's editable fields after checking: trimmed, normalised, consistent with its kind."""

    kind: str
    title: str
    summary: str
    audience: str
    body: str = ""
    link_url: str = ""
    recording_url: str = ""
    slides_url: str = ""
    event_id: int | None = None
    tags: list[str] = field(default_factory=list)
    author_name: str = ""
    author_id: int | None = None


def is_id(value: int) -> bool:
    return 0 < value <= MAX_ID


def plain_line(raw: str, field_name: str, limit: int) -> str:
    """One line of plain text: whitespace collapsed, no markup, within ``limit``."""
    text = " ".join(raw.split())
    if len(text) > limit:
        raise errors.too_long(field_name, limit)
    if _MARKUP.search(text) or _SCRIPT_SCHEME.search(text):
        raise errors.markup_not_allowed(field_name)
    return text


def plain_text(raw: str, field_name: str, limit: int, *, markup_allowed: bool) -> str:
    """Paragraphs of plain text: line breaks kept, ends trimmed, within ``limit``."""
    text = raw.replace("\r\n", "\n").replace("\r", "\n").strip()
    if len(text) > limit:
        raise errors.too_long(field_name, limit)
    if not markup_allowed and (_MARKUP.search(text) or _SCRIPT_SCHEME.search(text)):
        raise errors.markup_not_allowed(field_name)
    return text


def web_address(raw: str, field_name: str) -> str:
    """An absolute http(s) address with a host, or "" when blank."""
    text = raw.strip()
    if not text:
        return ""
    if len(text) > URL_MAX:
        raise errors.too_long(field_name, URL_MAX)
    if any(ch.isspace() or ord(ch) < 32 or ch in "<>\"'`\\" for ch in text):
        raise errors.url_invalid(field_name)
    try:
        parts = urlsplit(text)
        # Reading the port raises on a malformed or out-of-range one.
        bad_port = parts.port == 0
    except ValueError:
        raise errors.url_invalid(field_name) from None
    if bad_port or parts.scheme.lower() not in ("http", "https") or not parts.hostname or "@" in parts.netloc:
        raise errors.url_invalid(field_name)
    return text


def tags(raw: list[str]) -> list[str]:
    """Lower-cased, de-duplicated tags in the order given."""
    seen: list[str] = []
    for entry in raw:
        tag = " ".join(str(entry).lower().split())
        if not tag:
            continue
        if len(tag) > TAG_MAX or not _TAG.match(tag):
            raise errors.tag_invalid(tag)
        if tag not in seen:
            seen.append(tag)
    if len(seen) > TAGS_PER_ITEM:
        raise errors.tag_invalid(seen[TAGS_PER_ITEM])
    return seen


def split_tags(raw: str) -> list[str]:
    """Tags typed in one form field, separated by commas."""
    return [part for part in raw.split(",") if part.strip()]


def check(fields: ItemFields) -> ItemFields:
    """The fields as stored, or the first thing wrong with them (with the field it concerns)."""
    if fields.kind not in KINDS:
        raise errors.kind_unknown()
    if fields.audience not in AUDIENCES:
        raise errors.audience_unknown()
    title = plain_line(fields.title, "title", TITLE_MAX)
    if not title:
        raise errors.required("title", "a title")
    summary = plain_text(fields.summary, "summary", SUMMARY_MAX, markup_allowed=False)
    if not summary:
        raise errors.required("summary", "a summary (everyone sees it, members or not)")
    checked = ItemFields(
        kind=fields.kind,
        title=title,
        summary=summary,
        audience=fields.audience,
        body=plain_text(fields.body, "body", BODY_MAX, markup_allowed=True),
        link_url=web_address(fields.link_url, "link_url"),
        recording_url=web_address(fields.recording_url, "recording_url"),
        slides_url=web_address(fields.slides_url, "slides_url"),
        event_id=fields.event_id,
        tags=tags(fields.tags),
        author_name=plain_line(fields.author_name, "author_name", AUTHOR_MAX),
        author_id=fields.author_id,
    )
    if checked.event_id is not None and not is_id(checked.event_id):
        raise errors.event_not_found()
    if checked.author_id is not None and not is_id(checked.author_id):
        raise errors.author_not_found()
    if checked.kind == "recorded_webinar":
        if not checked.recording_url:
            raise errors.content_missing(checked.kind)
    else:
        for name in ("recording_url", "slides_url", "event_id"):
            if getattr(checked, name):
                raise errors.not_for_kind(name, checked.kind)
        if checked.kind == "video" and not checked.link_url:
            raise errors.content_missing(checked.kind)
        if not checked.body and not checked.link_url:
            raise errors.content_missing(checked.kind)
    return checked
