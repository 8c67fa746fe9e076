"""OpenTelemetry tracing is off by default, and on only with the otel extra installed."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from grandrounds.server.app import create_app
from grandrounds.server.tracing import tracing_plugins
from grandrounds.settings import SettingsError, get_settings
from tests.builders.clients import client_for

try:
    import opentelemetry.sdk  # noqa: F401

    INSTALLED = True
except ImportError:
    INSTALLED = False


def test_tracing_is_off_unless_asked_for() -> None:
    assert tracing_plugins(get_settings()) == []


@pytest.mark.skipif(INSTALLED, reason="the otel extra is installed here")
def test_asking_for_tracing_without_the_extra_refuses_to_start() -> None:
    with pytest.raises(SettingsError, match=r"grandrounds\[otel\]"):
        create_app(replace(get_settings(), otel_enabled=True))


@pytest.mark.skipif(not INSTALLED, reason="the otel extra is not installed")
async def test_with_the_extra_each_request_is_a_span_named_by_its_route(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("OTEL_TRACES_EXPORTER", "console")
    app = create_app(replace(get_settings(), otel_enabled=True))
    capsys.readouterr()
    token = "Zx8_k2VbQm-4hT9rLw0pNc7Ys1dFgHjKq3"
    async with client_for(app) as client:
        assert (await client.get("/events/987654")).status_code == 404
        assert (await client.get(f"/password/reset/{token}?again={token}")).status_code == 400
        assert (await client.get("/healthz")).status_code == 200
    printed = capsys.readouterr().out
    spans = [json.loads(chunk) for chunk in printed.replace("}\n{", "}\x00{").split("\x00") if chunk.strip()]
    names = {span["name"] for span in spans}
    assert {"GET /events/987654", "GET /password/reset/[redacted]"} <= names, names
    assert not any("healthz" in name for name in names), "probes make no spans"
    assert token not in printed, "no secret from a URL reaches the trace store"
