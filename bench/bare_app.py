"""The ceiling of the server itself: a bare Litestar JSON endpoint shaped like registration.

bench/http_rush.py serves it with the same uvicorn settings and workers as
`grandrounds serve` and drives it with the same wrk script (a token per
request, a JSON body), so grandrounds' figure divided by this one is the share
of the server's own speed the app keeps. It touches no database.

    .venv/bin/python -m uvicorn bench.bare_app:app --workers 2
"""

from __future__ import annotations

import itertools
from typing import Any

from litestar import Litestar, Request, get, post
from litestar.status_codes import HTTP_201_CREATED

_ids = itertools.count(1)


@get("/healthz", sync_to_thread=False)
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@post("/api/v1/events/{event_id:int}/registrations", status_code=HTTP_201_CREATED)
async def register(request: Request[Any, Any, Any], event_id: int, data: dict[str, Any]) -> dict[str, Any]:
    """Read the bearer token and the body, answer a registration-shaped JSON object."""
    token = request.headers.get("authorization", "").removeprefix("Bearer ")
    return {"id": next(_ids), "event_id": event_id, "status": "confirmed", "token_prefix": token[:10], **data}


app = Litestar(route_handlers=[healthz, register])
