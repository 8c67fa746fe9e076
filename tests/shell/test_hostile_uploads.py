"""Hostile bytes where the API takes raw files: the Stripe webhook and the Zoom attendance import.

Both read a body no schema describes (a signed event, a CSV export), so the OpenAPI fuzz
(tests/shell/test_openapi_fuzz.py) cannot reach them well. Hypothesis sends them random
bytes, broken text and near-miss copies of the real thing: the answer is a 4xx with a
code, never a 5xx, and a refused request writes nothing.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from dataclasses import replace

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from billing.tables import LedgerEntry, StripeEvent
from grandrounds.server.app import create_app
from grandrounds.settings import get_settings
from programs.tables import AttendanceChange, AttendanceRecord, UnmatchedAttendee, WebinarImport
from tests.builders.looped import looped
from tests.builders.stripe import WEBHOOK_SECRET
from tests.builders.zoom import REPORT, upload_report, zoom_world

WEBHOOK = "/api/v1/billing/stripe/webhook"
FUZZ = settings(
    max_examples=60, deadline=None, database=None, derandomize=True, suppress_health_check=list(HealthCheck)
)


def stripe_signature(payload: bytes, secret: str = WEBHOOK_SECRET, at: int | None = None) -> str:
    """A ``Stripe-Signature`` header as Stripe computes it (HMAC-SHA256 of ``t.payload``)."""
    at = int(time.time()) if at is None else at
    mac = hmac.new(secret.encode(), f"{at}.".encode() + payload, hashlib.sha256).hexdigest()
    return f"t={at},v1={mac}"


def _app_with_webhook():  # type: ignore[no-untyped-def]
    """Stripe configured (a closed loopback port, so nothing leaves the machine), webhook secret set."""
    settings = replace(
        get_settings(),
        stripe_secret_key="sk_test_offline",
        stripe_api_base="http://127.0.0.1:9",
        stripe_webhook_secret=WEBHOOK_SECRET,
    )
    return create_app(settings)


async def _billing_rows() -> tuple[int, int]:
    return await StripeEvent.count(), await LedgerEntry.count()


def _bytes(text: str) -> bytes:
    """Text as UTF-8, lone surrogates included (they become bytes no decoder accepts: hostile too)."""
    return text.encode("utf-8", "surrogatepass")


# Event-shaped JSON that is not an event Stripe sends: wrong types, missing parts, junk.
_json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=12,
)
_not_events = st.one_of(
    st.binary(max_size=2048),
    st.text(max_size=500).map(_bytes),
    _json_values.map(lambda value: _bytes(json.dumps(value))),
    st.fixed_dictionaries({"id": _json_values, "type": _json_values, "data": _json_values}).map(
        lambda value: _bytes(json.dumps(value))
    ),
)
_signatures = st.one_of(
    st.none(),
    st.text(max_size=200),
    st.builds(lambda t, v: f"t={t},v1={v}", st.integers(), st.text("0123456789abcdef", max_size=64)),
)


def test_the_webhook_answers_random_bodies_and_signatures_400_and_writes_nothing() -> None:
    with looped(_app_with_webhook()) as app:

        @FUZZ
        @given(body=_not_events, signature=_signatures, signed=st.booleans())
        def deliver(body: bytes, signature: str | None, signed: bool) -> None:
            if signed:  # a true signature over a body that is no event: the parser must refuse it
                signature = stripe_signature(body)
            headers = {"content-type": "application/json"}
            if signature is not None:
                headers["stripe-signature"] = "".join(c for c in signature if c.isprintable() and c.isascii())
            response = app.run(app.client.post(WEBHOOK, content=body, headers=headers))
            assert response.status_code == 400, (response.status_code, response.text, body, signature)
            assert response.json()["code"].startswith("webhook."), response.text
            assert app.run(_billing_rows()) == (0, 0)

        deliver()


async def _attendance_rows() -> tuple[int, int, int, int]:
    return (
        await WebinarImport.count(),
        await AttendanceRecord.count(),
        await AttendanceChange.count(),
        await UnmatchedAttendee.count(),
    )


def _mangle(report: bytes, cut: int, insert: bytes, drop_line: int) -> bytes:
    """A near miss of a real report: a line dropped, bytes spliced in, the end cut off."""
    lines = report.split(b"\n")
    if lines:
        del lines[drop_line % len(lines)]
    mangled = b"\n".join(lines)
    at = cut % (len(mangled) + 1)
    return mangled[:at] + insert + mangled[at + len(insert) :]


_reports = st.one_of(
    st.binary(max_size=4096),
    st.text(max_size=1000).map(_bytes),
    st.lists(
        st.lists(st.text(st.characters(exclude_characters="\n\r"), max_size=30), max_size=10), max_size=20
    ).map(lambda rows: _bytes("\n".join(",".join(row) for row in rows))),
    st.builds(
        _mangle,
        st.just(REPORT.encode()),
        st.integers(min_value=0),
        st.binary(max_size=40),
        st.integers(min_value=0),
    ),
)


def test_the_zoom_import_refuses_malformed_files_with_a_code_and_writes_nothing(app) -> None:  # type: ignore[no-untyped-def]
    with looped(app) as served:
        world, session_id, *_ = served.run(zoom_world(served.client))
        rows = {"before": served.run(_attendance_rows())}

        @FUZZ
        @given(data=_reports)
        def upload(data: bytes) -> None:
            response = served.run(upload_report(world, session_id, data))
            assert response.status_code < 500, (response.status_code, response.text, data)
            if response.status_code == 201:  # a near miss can still be a report Zoom could have written
                rows["before"] = served.run(_attendance_rows())
                return
            # A malformed file is 422 import.report_invalid (or outside_session); no file is 400.
            assert response.status_code in (400, 422), (response.status_code, response.text, data)
            assert response.json()["code"].startswith(("import.", "request.")), response.text
            assert served.run(_attendance_rows()) == rows["before"]

        upload()
