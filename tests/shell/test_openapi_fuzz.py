"""Hostile input against the whole API: schemathesis fuzzes every operation of the served document.

The document (``/schema/openapi.json``, completed by grandrounds.server.openapi) is
the contract: each operation is called with generated input, valid and invalid,
once anonymously and once with an admin's API token, and every answer must be no
5xx, a status the operation documents, a content type it documents, and a body
that matches the documented schema (errors included, ``{code, message, details}``).

Bounded so it stays a test: a fixed seed (the same cases on every run), a few
examples per operation and mode, the schema's own examples plus generation, no
coverage or stateful phases. Each operation is its own test, so the autouse
fixture of tests/conftest.py empties the database before it: no operation sees
what another one wrote, and the order they run in changes nothing.

The Stripe webhook is left out (it needs a signature): tests/shell/test_hostile_uploads.py
fuzzes it, and the Zoom attendance import, with Hypothesis directly.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any

import httpx
import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, settings
from litestar import Litestar
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from accounts.principal import Role
from grandrounds.server.app import create_app
from grandrounds.server.openapi import document
from grandrounds.settings import get_settings
from tests.builders.looped import BASE_URL, LoopedApp, looped
from tests.builders.people import make_actor

SEED = 20260601
EXAMPLES = 6  # per operation, caller and generation mode (valid and invalid input)
WEBHOOK = "/api/v1/billing/stripe/webhook"


@schemathesis.check
def one_charset(
    ctx: schemathesis.CheckContext, response: schemathesis.Response, case: schemathesis.Case
) -> None:
    """A text type names its charset once (Litestar appends one to text/* itself; a second is a bug)."""
    for value in response.headers.get("content-type", []):
        assert value.lower().count("charset") <= 1, f"Content-Type {value!r} names its charset twice"


CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    one_charset,
]

# The app under test is built here, at collection, because the operations are the parameters.
# It has no Stripe keys: routes that would call Stripe answer 409 billing.not_configured, where an
# unreachable Stripe would be a 502 (documented, but a 5xx all the same) and a real one the network.
APP: Litestar = create_app(replace(get_settings(), stripe_secret_key=""))
CONFIG = schemathesis.Config.from_dict(
    {
        "seed": SEED,
        "phases": {
            "examples": {"enabled": True},
            "fuzzing": {"enabled": True},
            "coverage": {"enabled": False},
            "stateful": {"enabled": False},
        },
        "generation": {"mode": "all", "max-examples": EXAMPLES, "database": "none"},
        "warnings": False,
    }
)
SCHEMA = schemathesis.openapi.from_dict(document(APP), config=CONFIG).exclude(path=WEBHOOK)


@dataclass
class Fuzzing:
    """The app in its own loop, and how many requests the run sent (for the record)."""

    app: LoopedApp
    sent: int = 0

    def send(self, case: schemathesis.Case, headers: dict[str, str]) -> httpx.Response:
        # schemathesis serializes a case for ``requests``; preparing it gives the exact bytes to send.
        kwargs = case.as_transport_kwargs(base_url=BASE_URL)
        kwargs["headers"] = {**kwargs.get("headers", {}), **headers}
        prepared = requests.Request(**kwargs).prepare()
        body = prepared.body.encode() if isinstance(prepared.body, str) else prepared.body
        request = self.app.client.request(
            str(prepared.method), str(prepared.url), headers=dict(prepared.headers), content=body
        )
        self.sent += 1
        return self.app.run(request)


@pytest.fixture(scope="module")
def live() -> Iterator[Fuzzing]:
    """One lifespan for the module: the database is emptied per test, the pool can stay open."""
    with looped(APP) as app:
        fuzzing = Fuzzing(app)
        yield fuzzing
        # Shown with -s: the size of the run, for the record.
        print(f"\nopenapi fuzz: {len(list(SCHEMA.get_all_operations()))} operations, {fuzzing.sent} requests")


@pytest.fixture(params=["anonymous", "admin"])
def caller(request: pytest.FixtureRequest, live: Fuzzing) -> dict[str, str]:
    """The headers each case is sent with: none, or a fresh admin's token (the database is new)."""
    if request.param == "anonymous":
        return {}
    admin = live.app.run(make_actor(Role.ADMIN))
    return admin.headers


@SCHEMA.parametrize()
@settings(
    deadline=None,
    database=None,
    derandomize=True,
    phases=[Phase.explicit, Phase.generate, Phase.shrink],
    suppress_health_check=list(HealthCheck),
)
def test_every_operation_answers_as_documented(case: Any, live: Fuzzing, caller: dict[str, str]) -> None:
    response = live.send(case, caller)
    case.validate_response(response, checks=CHECKS)


def test_the_served_document_is_the_fuzzed_one(live: Fuzzing) -> None:
    """The fuzz reads the same document a client downloads."""
    served = live.app.run(live.app.client.get("/schema/openapi.json"))
    assert served.status_code == 200
    assert served.json() == document(APP)
