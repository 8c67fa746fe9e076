"""The file store's one error code: it could not be reached, so nothing was stored or read."""

from __future__ import annotations

from grandrounds.errors import ServiceUnavailable

# Seconds a client should wait before trying again: a store's brief outage or a throttled burst.
RETRY_AFTER_SECONDS = 5


def storage_unavailable() -> ServiceUnavailable:
    return ServiceUnavailable(
        "storage.unavailable",
        "The file store cannot be reached just now; nothing was changed. Try again shortly.",
        {"retry_after": RETRY_AFTER_SECONDS},
        retry_after=RETRY_AFTER_SECONDS,
    )
