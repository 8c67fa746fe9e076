"""Access logs never keep a secret that travelled in a URL."""

from __future__ import annotations

import logging
import logging.config

import pytest

from grandrounds.logs import RedactSecrets, redact_path, uvicorn_log_config

TOKEN = "Zx8_k2VbQm-4hT9rLw0pNc7Ys1dFgHjKq3"


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        (f"/feeds/{TOKEN}.ics", "/feeds/[redacted].ics"),
        (f"/speakers/respond/{TOKEN}", "/speakers/respond/[redacted]"),
        (f"/speakers/respond/{TOKEN}/accept", "/speakers/respond/[redacted]/accept"),
        ("/events/12/registrations", "/events/12/registrations"),
        ("/signin?next=/account", "/signin?[redacted]"),
        ("/staff/events/4/roster.csv", "/staff/events/4/roster.csv"),
    ],
)
def test_token_like_segments_and_queries_are_redacted(path: str, expected: str) -> None:
    assert redact_path(path) == expected


def test_the_access_log_filter_rewrites_the_path_argument() -> None:
    record = logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        __file__,
        1,
        '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5000", "GET", f"/feeds/{TOKEN}.ics", "1.1", 200),
        None,
    )
    assert RedactSecrets().filter(record)
    assert TOKEN not in record.getMessage()


def test_serve_installs_the_filter_on_the_access_log() -> None:
    config = uvicorn_log_config()
    assert config["handlers"]["access"]["filters"] == ["redact_secrets"]
    root, access = logging.getLogger(), logging.getLogger("uvicorn.access")
    kept = (list(root.handlers), root.level, list(access.handlers), access.propagate)
    try:
        logging.config.dictConfig(config)
        assert any(isinstance(f, RedactSecrets) for h in access.handlers for f in h.filters)
    finally:
        root.handlers, root.level, access.handlers, access.propagate = kept
