"""Logging that keeps secrets out: access-log lines never carry tokens from URLs.

Some URLs must hold a secret (a calendar subscription, the accept/decline link
in a speaker's invitation). The access log would keep those for anyone who
reads the logs, so every path segment that looks like a token, and every
query string, is replaced before the line is written.
"""

from __future__ import annotations

import copy
import logging
import re
from typing import Any

TOKENISH = re.compile(r"(?<=/)[A-Za-z0-9_\-]{20,}(?=\.ics\b|/|$)")


def redact_path(path: str) -> str:
    bare, _, query = path.partition("?")
    bare = TOKENISH.sub("[redacted]", bare)
    return f"{bare}?[redacted]" if query else bare


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
