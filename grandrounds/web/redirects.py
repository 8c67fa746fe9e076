"""Where a form may send the browser next: only paths of this site."""

from __future__ import annotations


def safe_next(target: str | None, default: str = "/account") -> str:
    """``target`` when it is a same-site path; never let ?next= send someone to another site."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return default
