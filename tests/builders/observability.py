"""Observability: the JSON log lines a block of work wrote, and /metrics read as Prometheus reads it."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
from prometheus_client.parser import text_string_to_metric_families

from grandrounds.logs import structured_formatter


@dataclass
class LogLines:
    """Every line written while the block ran, as text and parsed (each must be one JSON object)."""

    stream: io.StringIO = field(default_factory=io.StringIO)

    @property
    def text(self) -> str:
        return self.stream.getvalue()

    @property
    def records(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.text.splitlines() if line.strip()]

    def requests(self, route: str, method: str) -> list[dict[str, Any]]:
        """The access lines of one route template and method."""
        return [
            r
            for r in self.records
            if r.get("event") == "request" and r["route"] == route and r["method"] == method
        ]


@contextmanager
def json_logs(level: int = logging.INFO) -> Iterator[LogLines]:
    """Capture what every logger writes, rendered by the production JSON formatter."""
    lines = LogLines()
    handler = logging.StreamHandler(lines.stream)
    handler.setFormatter(structured_formatter("json"))
    root = logging.getLogger()
    previous = root.level
    root.addHandler(handler)
    root.setLevel(level)
    try:
        yield lines
    finally:
        root.removeHandler(handler)
        root.setLevel(previous)


def samples(text: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    """Every sample of a Prometheus text, by (name, labels); parsing fails on a malformed text."""
    found: dict[tuple[str, frozenset[tuple[str, str]]], float] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found[(sample.name, frozenset(sample.labels.items()))] = sample.value
    return found


def value(found: dict[tuple[str, frozenset[tuple[str, str]]], float], name: str, **labels: str) -> float:
    """One sample's value; 0 when the series does not exist yet (a counter never incremented)."""
    return found.get((name, frozenset(labels.items())), 0.0)


async def scrape(
    client: httpx.AsyncClient, **headers: str
) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    response = await client.get("/metrics", headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain; version=0.0.4")
    return samples(response.text)
