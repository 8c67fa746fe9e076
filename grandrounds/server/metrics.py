"""``GET /metrics``: the Prometheus text of every process, plus the outbox's state read at the scrape.

Who may read it: with ``GRANDROUNDS_METRICS_TOKEN`` set, whoever sends
``Authorization: Bearer <token>`` (401 otherwise, loopback included); without
it, only a loopback client (the address as uvicorn resolved it through
``FORWARDED_ALLOW_IPS``), and anyone else gets the 404 of a route that is not
there. The token is this route's own credential, so the principal middleware
(which would read any Bearer value as an API token) steps aside for it.
"""

from __future__ import annotations

import hmac
import ipaddress
import logging
from typing import Any

from litestar import Request, Response, get
from litestar.exceptions import NotFoundException
from litestar.handlers import HTTPRouteHandler
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.metrics_core import Metric

from grandrounds.db import now
from grandrounds.metrics import CONTENT_TYPE, exposition
from grandrounds.settings import Settings
from grandrounds.web.auth import OWN_CREDENTIALS
from grandrounds.web.dependencies import ClientAddress
from notifications.outbox import depth

log = logging.getLogger("grandrounds.metrics")


def _loopback(address: str) -> bool:
    try:
        return ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False


def _bearer(request: Request[Any, Any, Any]) -> str:
    authorization = request.headers.get("authorization", "")
    return authorization[7:].strip() if authorization[:7].lower() == "bearer " else ""


def refusal(settings: Settings, request: Request[Any, Any, Any], client_address: str) -> Response[Any] | None:
    """None when the caller may read the metrics (see the module's docstring), else the answer.

    A wrong token answers 401 in the API's error shape even though the path is not under /api
    (a scraper is no browser to send to the sign-in page).
    """
    if settings.metrics_token:
        if hmac.compare_digest(_bearer(request).encode(), settings.metrics_token.encode()):
            return None
        return Response(
            {
                "code": "auth.token_invalid",
                "message": "The metrics token is missing or wrong.",
                "details": {},
            },
            status_code=401,
            headers={"WWW-Authenticate": "Bearer"},
        )
    if not _loopback(client_address):
        raise NotFoundException()  # answered as any path that does not exist
    return None


async def outbox_families() -> list[Metric]:
    """The outbox depth and the age of its oldest waiting message, read now (none if the database is away)."""
    try:
        pending, oldest = await depth()
    except Exception as exc:
        log.warning("metrics: the outbox could not be read: %s", exc)
        return []
    age = (now() - oldest).total_seconds() if oldest is not None else 0.0
    return [
        GaugeMetricFamily("grandrounds_outbox_pending", "Outbox messages pending (not yet sent).", pending),
        GaugeMetricFamily(
            "grandrounds_outbox_oldest_pending_age_seconds",
            "Seconds since the oldest message waiting to go out was queued (0 when none waits).",
            max(age, 0.0),
        ),
    ]


def metrics_route(settings: Settings) -> HTTPRouteHandler:
    @get("/metrics", include_in_schema=False, opt={OWN_CREDENTIALS: True})
    async def metrics(request: Request[Any, Any, Any], client_address: ClientAddress) -> Response[Any]:
        """Prometheus text format; summed over every process of ``grandrounds serve``."""
        refused = refusal(settings, request, client_address)
        if refused is not None:
            return refused
        body = exposition(await outbox_families())
        return Response(body, media_type=CONTENT_TYPE)

    return metrics
