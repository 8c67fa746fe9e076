"""Blanking what an outbox message was rendered from, and finding the messages that name someone.

The outbox row stays as the record that something was sent (to whom, which
template, when, with what outcome); its ``context`` is what the text and HTML
were rendered from, so blanking it blanks the body. The blank context marks its
one value as a blanked secret, so notifications' retry refuses to send an empty
message again (``message.link_gone``).
"""

from __future__ import annotations

import json
from typing import Any

from piccolo.columns.combination import WhereRaw

from grandrounds.db import literal_like
from notifications.outbox import REDACTED, SECRET_KEYS

BODY_KEY = "_body"


def blanked_context() -> dict[str, Any]:
    return {BODY_KEY: REDACTED, SECRET_KEYS: [BODY_KEY]}


def _as_text(column: str = "context") -> str:
    return f"CAST({column} AS TEXT)"


def not_blanked() -> WhereRaw:
    """Rows whose context has not been blanked yet (the marker key is absent)."""
    return WhereRaw(f"{_as_text()} NOT LIKE {{}} ESCAPE '\\'", f"%{literal_like(json.dumps(BODY_KEY))}%")


def mentions(values: list[str]) -> WhereRaw | None:
    """Rows whose context holds one of ``values`` as a whole JSON string (a name, an address)."""
    patterns: list[str] = []
    for value in values:
        if not value.strip():
            continue
        for encoded in {json.dumps(value), json.dumps(value, ensure_ascii=False)}:
            patterns.append(f"%{literal_like(encoded)}%")
    if not patterns:
        return None
    sql = " OR ".join(f"{_as_text()} LIKE {{}} ESCAPE '\\'" for _ in patterns)
    return WhereRaw(f"({sql})", *patterns)
