"""Stripe's form encoding: ``metadata[k]=v``, ``line_items[0][price_data][currency]=usd``, ``expand[0]=x``.

The SDK flattens nested params this way on every request (query string for
GET, body for POST); the fake server turns them back into dicts and lists.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qsl

_PART = re.compile(r"\[([^\]]*)\]")


def _path(key: str) -> list[str]:
    head, _, _rest = key.partition("[")
    return [head, *_PART.findall(key[len(head) :])]


def _listify(node: Any) -> Any:
    """Dicts keyed "0", "1", ... (and ``a[]=x`` lists) become lists, recursively."""
    if isinstance(node, dict):
        node = {k: _listify(v) for k, v in node.items()}
        if node and all(k.isdigit() for k in node):
            return [node[k] for k in sorted(node, key=int)]
        return node
    return node


def decode(encoded: str) -> dict[str, Any]:
    root: dict[str, Any] = {}
    for key, value in parse_qsl(encoded, keep_blank_values=True):
        parts = _path(key)
        node = root
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        last = parts[-1]
        if last == "":  # a[]=x
            last = str(len(node))
        node[last] = value
    decoded: dict[str, Any] = _listify(root)
    return decoded
