"""What the programs pages share: form parsing and the redirect-with-a-message pattern."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from litestar.params import URLEncodedBody
from litestar.response import Redirect

Form = URLEncodedBody[dict[str, str]]

STATE_WORDS = {"complete": "Complete", "in_progress": "In progress", "cannot_complete": "Cannot complete"}


def back(path: str, notice: str = "", error: str = "") -> Redirect:
    """Post/redirect/get: the message rides in the query so a reload does not resubmit."""
    if notice:
        return Redirect(path=f"{path}?notice={quote(notice)}")
    if error:
        return Redirect(path=f"{path}?error={quote(error)}")
    return Redirect(path=path)


def messages(request: Any) -> dict[str, str]:
    return {
        "notice": request.query_params.get("notice", "")[:300],
        "error": request.query_params.get("error", "")[:300],
    }


def local_time(zone: str) -> Callable[[datetime], datetime]:
    """For templates: show a stored UTC time in the cohort's own zone."""
    tz = ZoneInfo(zone)
    return lambda moment: moment.astimezone(tz)


def as_int(value: str | None) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except ValueError:
        return None
