"""Liveness and readiness probes for load balancers and orchestrators."""

from __future__ import annotations

import logging

from litestar import Response, get

from grandrounds.db import ping

log = logging.getLogger("grandrounds")


@get("/healthz", include_in_schema=False, sync_to_thread=False)
def healthz() -> dict[str, str]:
    """The process is up and serving requests."""
    return {"status": "ok"}


@get("/readyz", include_in_schema=False)
async def readyz() -> Response[dict[str, str]]:
    """The process can reach its database; take it out of rotation otherwise."""
    try:
        await ping()
    except Exception as exc:
        log.warning("readiness check failed: %s", exc)
        return Response({"status": "unavailable", "code": "database.unreachable"}, status_code=503)
    return Response({"status": "ok"}, status_code=200)
