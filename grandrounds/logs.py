"""Structured logs that keep secrets out: no log line, and no copy of a mail, carries a token from a URL.

Some URLs must hold a secret (a calendar subscription, a speaker's
accept/decline link, a password link, an email confirmation, a cohort or
organization invitation). The access log, the error log and the mail log
would keep those for anyone who reads them, so :func:`redact_path` replaces
the secret segment of every such route, every other path segment that looks
like a token, and every query string, before the text is written.

Every line goes through structlog: our own loggers, the standard library's
(``logging.getLogger``, uvicorn's) through its ``ProcessorFormatter``, so one
process writes one format. ``GRANDROUNDS_LOG_FORMAT=json`` writes one JSON
object per line (timestamp in ISO UTC, level, logger, event, and whatever the
request bound: request_id, person_id); ``console`` (the default, for the demo)
the same fields readable by a person. The request id and the person are bound
per request with ``structlog.contextvars`` (grandrounds.web.access_log), so any
line logged while serving a request carries them.
"""

from __future__ import annotations

import logging
import re
import sys
from typing import IO, Any

import structlog
from structlog.typing import EventDict, Processor

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


LOG_FORMATS = ("console", "json")

# Keys no line may carry, whoever logs them: they hold credentials or whole requests.
FORBIDDEN_KEYS = frozenset(
    {"authorization", "cookie", "cookies", "headers", "password", "query", "query_string", "secret", "token"}
)


def _keep_secrets_out(logger: Any, method: str, event: EventDict) -> EventDict:
    """Drop credential-bearing keys, redact any ``path``, and blank secret links inside the message."""
    for key in FORBIDDEN_KEYS & event.keys():
        del event[key]
    if isinstance(event.get("path"), str):
        event["path"] = redact_path(event["path"])
    message = event.get("event")
    if isinstance(message, str) and "://" in message:
        event["event"] = redact_links(message)
    return event


def _shared_processors() -> list[Processor]:
    """What every line gets, from structlog's loggers and the standard library's alike."""
    return [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.stdlib.PositionalArgumentsFormatter(),
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        _keep_secrets_out,
    ]


def configure_structlog() -> None:
    """Send structlog's own loggers through the standard library, whose handler renders every line.

    Idempotent; the app factory and each uvicorn process call it. The renderer
    (JSON or console) lives in the handler's formatter, so this is the same for both.
    """
    structlog.configure(
        processors=[
            structlog.stdlib.filter_by_level,
            *_shared_processors(),
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )


def structured_formatter(log_format: str = "console", colors: bool | None = None) -> logging.Formatter:
    """A formatter rendering every record as JSON (``json``) or for a person (``console``).

    Usable from a ``logging.config.dictConfig`` (``"()": "grandrounds.logs.structured_formatter"``),
    which is how uvicorn configures each of its worker processes.
    """
    if log_format not in LOG_FORMATS:
        raise ValueError(f"log format {log_format!r} is not one of {', '.join(LOG_FORMATS)}")
    configure_structlog()
    renderer: Processor
    if log_format == "json":
        final: list[Processor] = [structlog.processors.format_exc_info, structlog.processors.JSONRenderer()]
    else:
        renderer = structlog.dev.ConsoleRenderer(colors=sys.stderr.isatty() if colors is None else colors)
        final = [renderer]
    return structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=_shared_processors(),
        processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, *final],
    )


def log_config(log_format: str = "console", level: str = "info") -> dict[str, Any]:
    """The ``dictConfig`` of every process: one handler on the root logger, in the chosen format.

    uvicorn's loggers propagate to it. Its access log stays off (``grandrounds serve``
    passes ``access_log=False``): grandrounds.web.access_log writes one line per request
    with the route, the duration and the person; if it is ever turned on, the filter
    still redacts its paths.
    """
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"redact_secrets": {"()": "grandrounds.logs.RedactSecrets"}},
        "formatters": {
            "structured": {"()": "grandrounds.logs.structured_formatter", "log_format": log_format}
        },
        "handlers": {
            "default": {
                "class": "logging.StreamHandler",
                "formatter": "structured",
                "stream": "ext://sys.stderr",
            },
            "access": {
                "class": "logging.StreamHandler",
                "formatter": "structured",
                "stream": "ext://sys.stderr",
                "filters": ["redact_secrets"],
            },
        },
        "root": {"handlers": ["default"], "level": level.upper()},
        "loggers": {
            "uvicorn": {"handlers": [], "propagate": True, "level": level.upper()},
            "uvicorn.error": {"handlers": [], "propagate": True, "level": level.upper()},
            "uvicorn.access": {"handlers": ["access"], "propagate": False, "level": level.upper()},
        },
    }


def uvicorn_log_config(log_format: str = "console", level: str = "info") -> dict[str, Any]:
    """What ``grandrounds serve`` hands uvicorn, which applies it in every worker process."""
    return log_config(log_format, level)


def configure_logging(
    log_format: str = "console", level: str = "info", stream: IO[str] | None = None
) -> None:
    """Configure this process's logging (the command line, the worker); ``stream`` for a test."""
    import logging.config

    config = log_config(log_format, level)
    if stream is not None:
        for handler in config["handlers"].values():
            handler["stream"] = stream
    logging.config.dictConfig(config)
