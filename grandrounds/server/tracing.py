"""OpenTelemetry tracing, optional: ``GRANDROUNDS_OTEL_ENABLED=1`` with the ``otel`` extra installed.

Litestar's OpenTelemetry plugin wraps the application in the ASGI
instrumentation: one server span per request, named by its route template.
Spans go out in batches over OTLP/HTTP to ``OTEL_EXPORTER_OTLP_ENDPOINT``
(and the other standard ``OTEL_*`` variables, which the exporter reads
itself), or, with ``OTEL_TRACES_EXPORTER=console``, to standard output as they
end; the service is named by ``OTEL_SERVICE_NAME`` (default grandrounds).
The packages are not in the default install (``pip install 'grandrounds[otel]'``);
turned on without them, the process refuses to start with a message saying so.
Probes and scrapes make no spans. Spans start before routing, so they are
named by the path; a secret in it (a password link, a feed) or in the query
would reach the trace store, so every span's name and URL attributes go
through ``redact_path`` (as log lines do): names as each span starts, the URL
attributes once the instrumentation has set them (the server request hook).
"""

from __future__ import annotations

import os
from typing import Any

from grandrounds.logs import redact_links, redact_path
from grandrounds.settings import Settings, SettingsError

UNTRACED = ["/healthz", "/readyz", "/metrics"]
# Attributes the ASGI instrumentation fills from the request line (old and new semantic conventions).
URL_ATTRIBUTES = ("http.target", "http.url", "url.path", "url.query", "url.full")


def redact_span(span: Any) -> None:
    """Blank secrets in a span's name and URL attributes (called as the span starts)."""
    method, _, rest = span.name.partition(" ")
    path, space, suffix = rest.partition(" ")  # "GET /path" or "GET /path http send"
    if path.startswith("/"):
        span.update_name(f"{method} {redact_path(path)}{space}{suffix}")
    for key in URL_ATTRIBUTES:
        raw = (span.attributes or {}).get(key)
        if not isinstance(raw, str):
            continue
        if key == "url.query":
            span.set_attribute(key, "[redacted]")
        else:
            span.set_attribute(key, redact_links(raw) if "://" in raw else redact_path(raw))


def span_details(scope: Any) -> tuple[str, dict[str, str]]:
    """A span's name and ``http.route`` from the request, its path redacted (routing has not run yet)."""
    name = f"{scope.get('method', '').upper()} {redact_path(str(scope.get('path', '')))}".strip()
    return name, {"http.route": name}


def tracing_plugins(settings: Settings) -> list[Any]:
    """The app's tracing plugin when tracing is on, else none."""
    if not settings.otel_enabled:
        return []
    try:
        from litestar.plugins.opentelemetry import OpenTelemetryConfig, OpenTelemetryPlugin
        from opentelemetry.sdk.resources import Resource
        from opentelemetry.sdk.trace import SpanProcessor, TracerProvider
        from opentelemetry.sdk.trace.export import (
            BatchSpanProcessor,
            ConsoleSpanExporter,
            SimpleSpanProcessor,
        )
    except ImportError as exc:
        raise SettingsError(
            "GRANDROUNDS_OTEL_ENABLED=1 needs the OpenTelemetry packages: install grandrounds[otel] "
            "(pip install 'grandrounds[otel]'), or unset it."
        ) from exc
    resource = Resource.create({"service.name": os.environ.get("OTEL_SERVICE_NAME", "grandrounds")})

    class RedactingSpans(SpanProcessor):
        def on_start(self, span: Any, parent_context: Any = None) -> None:
            redact_span(span)

    provider = TracerProvider(resource=resource)
    provider.add_span_processor(RedactingSpans())
    if os.environ.get("OTEL_TRACES_EXPORTER", "otlp").strip().lower() == "console":
        provider.add_span_processor(SimpleSpanProcessor(ConsoleSpanExporter()))
    else:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    config = OpenTelemetryConfig(
        tracer_provider=provider,
        exclude=UNTRACED,
        scope_span_details_extractor=span_details,
        server_request_hook_handler=lambda span, scope: redact_span(span),
    )
    return [OpenTelemetryPlugin(config)]
