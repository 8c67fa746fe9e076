"""Logging that keeps secrets out: no log line, and no copy of a mail, carries a token from a URL.

Some URLs must hold a secret (a calendar subscription, a speaker's
accept/decline link, a password link, an email confirmation, a cohort or
organization invitation). The access log, the error log and the mail log
would keep those for anyone who reads them, so :func:`redact_path` replaces
the secret segment of every such route, every other path segment that looks
like a token, and every query string, before the text is written.
"""

from __future__ import annotations

import copy
import logging
import re
from typing import Any

REDACTED = "[redacted]"

TOKENISH = re.compile(r"(?<=/)[A-Za-z0-9_\-]{20,}(?=\.ics\b|/|$)")

# The routes whose next segment is a secret, whatever its shape (an email confirmation
# token has a dot; an old or hand-typed one may be short). The words after them that are
# routes of their own (resend, accept) are not secrets.
SECRET_ROUTES = re.compile(
    r"(/(?:password/reset|speaking/respond|account/verify|invitations)/)"
    r"(?!(?:resend|accept)(?:[/?#]|$))[^/?#\s]+"
)

URL = re.compile(r"https?://[^\s\"'<>]+")


def redact_path(path: str) -> str:
    bare, _, query = path.partition("?")
    bare = SECRET_ROUTES.sub(rf"\1{REDACTED}", bare)
    bare = TOKENISH.sub(REDACTED, bare)
    return f"{bare}?{REDACTED}" if query else bare


def redact_links(text: str) -> str:
    """``text`` with every http(s) link's path redacted as a log line's would be."""

    def one(match: re.Match[str]) -> str:
        url = match.group()
        scheme, _, rest = url.partition("://")
        host, slash, path = rest.partition("/")
        return f"{scheme}://{host}{redact_path(slash + path)}" if slash else url

    return URL.sub(one, text)


class RedactSecrets(logging.Filter):
    """For uvicorn's access logger, whose record args are (client, method, path, version, status)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple) and len(record.args) >= 3:
            args = list(record.args)
            path = args[2]
            if isinstance(path, str):
                args[2] = redact_path(path)
                record.args = tuple(args)
        return True


def uvicorn_log_config() -> dict[str, Any]:
    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    config.setdefault("filters", {})["redact_secrets"] = {"()": "grandrounds.logs.RedactSecrets"}
    config["handlers"]["access"]["filters"] = ["redact_secrets"]
    return config
