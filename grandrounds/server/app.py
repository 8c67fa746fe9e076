"""The application factory: routes, middleware, templates, error mapping, lifespan."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from litestar import Litestar, get
from litestar.config.csrf import CSRFConfig
from litestar.datastructures import State
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import OpenAPIRenderPlugin
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.response import Template
from litestar.template import TemplateConfig

from billing.stripe_client import STATE_KEY as STRIPE_STATE_KEY
from billing.stripe_client import stripe_lifespan
from grandrounds import storage
from grandrounds.db import close_pool, start_pool
from grandrounds.logs import configure_structlog
from grandrounds.resources import page_templates
from grandrounds.server.background import default_dispatcher
from grandrounds.server.health import healthz, readyz
from grandrounds.server.metrics import metrics_route
from grandrounds.server.openapi import CompletedJson, CompletedScalar, CompletedSwagger
from grandrounds.server.routing import domain_handlers
from grandrounds.server.tracing import tracing_plugins
from grandrounds.server.wiring import wire_all
from grandrounds.settings import Settings, get_settings
from grandrounds.web.access_log import AccessLog
from grandrounds.web.auth import CSRF_COOKIE, CSRF_HEADER, SECOND_FACTOR_KEY, PrincipalMiddleware
from grandrounds.web.dependencies import DEPENDENCIES
from grandrounds.web.http_errors import EXCEPTION_HANDLERS
from grandrounds.web.payments import initial_state as payments_state
from grandrounds.web.request_context import RequestContextMiddleware
from grandrounds.web.request_guard import RequestGuardMiddleware
from grandrounds.web.security_headers import security_headers

log = logging.getLogger("grandrounds")

# How long shutdown waits for the in-server dispatcher to finish the message it is sending (SMTP's timeout).
DISPATCHER_STOP_SECONDS = 30


@get("/", include_in_schema=False)
async def home() -> Template:
    return Template("home.html")


def _schema_renderers(settings: Settings) -> list[OpenAPIRenderPlugin]:
    """Only the JSON document by default: the browsers run CDN scripts the site's CSP would refuse.

    Each completes the generated document first (grandrounds.server.openapi).
    """
    if settings.api_browsers:
        return [CompletedScalar(), CompletedSwagger(), CompletedJson()]
    return [CompletedJson()]


def create_app(settings: Settings | None = None) -> Litestar:
    settings = settings or get_settings()
    # The file store its settings name; one it cannot work with stops the start, not the first upload.
    storage.install(storage.storage_for(settings))
    wire_all()
    configure_structlog()

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        await start_pool(settings)
        dispatcher, dispatcher_task = None, None
        if settings.run_dispatcher_in_server:
            # The embedded default: no separate worker process to remember to start.
            # It shares the app's Stripe account (opened by stripe_lifespan, which runs first).
            dispatcher = default_dispatcher(settings, stripe_account=app.state.get(STRIPE_STATE_KEY))
            dispatcher_task = asyncio.create_task(dispatcher.run_forever())
        try:
            yield
        finally:
            if dispatcher is not None and dispatcher_task is not None:
                # Let the message being sent finish and be marked, so it is not sent again after a restart.
                dispatcher.stop()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(asyncio.shield(dispatcher_task), timeout=DISPATCHER_STOP_SECONDS)
                dispatcher_task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await dispatcher_task
            await close_pool()

    route_handlers: list[Any] = [
        home,
        healthz,
        readyz,
        metrics_route(settings),
        *domain_handlers(),
    ]
    app = Litestar(
        route_handlers=route_handlers,
        # The body guard runs inside the error handlers, so its refusals get the usual error shape.
        # The request context (id, actor, role used) opens once the principal is known.
        middleware=[
            PrincipalMiddleware(csrf_secret=settings.secret_key),
            RequestContextMiddleware(),
            RequestGuardMiddleware(public_url=settings.base_url),
        ],
        # On every message, including 404s and errors raised outside any route.
        before_send=[security_headers(settings)],
        # ``principal`` and ``viewer``, injected into any handler that names them.
        dependencies=DEPENDENCIES,
        # Whether paid places can be held here (grandrounds.web.payments): events ask, importing no billing.
        state=State({**payments_state(settings), SECOND_FACTOR_KEY: settings.require_2fa_for_staff}),
        csrf_config=CSRFConfig(
            secret=settings.secret_key,
            cookie_name=CSRF_COOKIE,
            header_name=CSRF_HEADER,
            cookie_secure=settings.cookie_secure,
            cookie_samesite="lax",
            # The JSON API is protected by PrincipalMiddleware instead: bearer
            # tokens are not ambient, cookie calls must echo the CSRF cookie.
            exclude=["/api/"],
        ),
        template_config=TemplateConfig(directory=page_templates(), engine=JinjaTemplateEngine),
        openapi_config=OpenAPIConfig(
            title="grandrounds", version="1", path="/schema", render_plugins=_schema_renderers(settings)
        ),
        exception_handlers=EXCEPTION_HANDLERS,
        # Stripe's async client is made inside the lifespan (its HTTP client binds to the running loop).
        # First in, last out: the dispatcher (in ``lifespan``) stops before the Stripe client closes.
        lifespan=[stripe_lifespan(settings), lifespan],
        request_max_body_size=2 * 1024 * 1024,
        # Logging is the process's (grandrounds.logs: structlog, JSON or console), not Litestar's own.
        logging_config=None,
        # OpenTelemetry spans when GRANDROUNDS_OTEL_ENABLED is set (grandrounds.server.tracing).
        plugins=tracing_plugins(settings),
    )
    # Outermost, around routing and the error handlers: one access line and metrics observation for
    # every request (an unknown path's 404 too), and the request id bound for every line logged.
    app.asgi_handler = AccessLog(app.asgi_handler)
    return app
