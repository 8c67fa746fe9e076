"""Structured logs: one JSON line per request with its id, route, status, duration and person; the
request id carried into the outbox and the dispatcher's lines; never a secret in any line."""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path

import httpx
import pytest

from accounts.principal import Role
from grandrounds.logs import configure_logging
from grandrounds.settings import SettingsError, get_settings, load_settings
from notifications.dispatcher import Dispatcher, new_worker_id
from notifications.tables import OutboxMessage
from notifications.transports import MailLogTransport
from tests.builders.accounts import reset_token
from tests.builders.clients import csrf_from, sign_in
from tests.builders.events import make_event
from tests.builders.observability import json_logs
from tests.builders.people import PASSWORD, make_actor

REGISTRATIONS = "/api/v1/events/{event_id}/registrations"


async def test_a_registration_writes_one_json_access_line_with_the_response_request_id(
    client: httpx.AsyncClient, tmp_path: Path
) -> None:
    event_id, _ = await make_event(client, capacity=5)
    member = await make_actor(Role.MEMBER)
    with json_logs() as logs:
        response = await client.post(f"/api/v1/events/{event_id}/registrations", headers=member.headers)
    assert response.status_code == 201, response.text
    request_id = response.headers["x-request-id"]

    [line] = logs.requests(REGISTRATIONS, "POST")
    assert line["request_id"] == request_id
    assert line["status"] == 201 and line["person_id"] == member.id
    assert isinstance(line["duration_ms"], float) and line["duration_ms"] >= 0
    assert line["level"] == "info" and line["logger"] == "grandrounds.access"
    assert datetime.fromisoformat(line["timestamp"]).utcoffset() is not None

    # What it queued (the confirmation, the calendar invite) keeps the request's id, and so do the
    # dispatcher's lines about each message.
    rows = await OutboxMessage.select().where(OutboxMessage.recipient == member.email)
    assert rows and {row["request_id"] for row in rows} == {request_id}
    with json_logs() as logs:
        sent = await Dispatcher(
            MailLogTransport(tmp_path / "mail.log"), get_settings(), new_worker_id()
        ).run_once()
    assert sent == len(rows)
    for row in rows:
        [delivered] = [r for r in logs.records if r.get("outbox_id") == row["id"]]
        assert delivered["request_id"] == request_id and delivered["logger"] == "grandrounds.dispatcher"


async def test_a_caller_request_id_is_kept_and_an_unknown_path_is_logged_redacted(
    client: httpx.AsyncClient,
) -> None:
    token = "Zx8_k2VbQm-4hT9rLw0pNc7Ys1dFgHjKq3"
    with json_logs() as logs:
        response = await client.get(f"/no/such/{token}?key={token}", headers={"x-request-id": "trace-42"})
        odd = await client.get("/healthz", headers={"x-request-id": "not sane\x7f"})
    assert response.status_code == 404 and response.headers["x-request-id"] == "trace-42"
    assert odd.headers["x-request-id"] != "not sane\x7f" and len(odd.headers["x-request-id"]) == 32
    [line] = [r for r in logs.records if r.get("request_id") == "trace-42" and r.get("event") == "request"]
    assert line["route"] == "<unmatched>" and line["status"] == 404
    assert line["path"] == "/no/such/[redacted]"
    assert token not in logs.text


async def test_no_line_of_sign_in_registration_and_password_reset_holds_a_secret(
    client: httpx.AsyncClient, tmp_path: Path
) -> None:
    event_id, _ = await make_event(client, capacity=5)
    member = await make_actor(Role.MEMBER)
    new_password = "an entirely new passphrase 7"
    with json_logs(logging.DEBUG) as logs:
        await sign_in(client, member)
        session = client.cookies["gr_session"]
        registered = await client.post(f"/api/v1/events/{event_id}/registrations", headers=member.headers)
        assert registered.status_code == 201
        token = await reset_token(client, member.email)
        form = await client.get(f"/password/reset/{token}")
        reset = await client.post(
            f"/password/reset/{token}", data={"password": new_password, "_csrf_token": csrf_from(form.text)}
        )
        assert reset.status_code < 400, reset.text
        await Dispatcher(MailLogTransport(tmp_path / "mail.log"), get_settings(), new_worker_id()).run_once()
    assert logs.records, "the flow wrote lines"
    assert logs.requests("/password/reset/{token}", "POST"), "the reset was logged (by its template)"
    for secret in (PASSWORD, new_password, member.token, session, token, client.cookies["csrftoken"]):
        assert secret not in logs.text


def test_the_console_format_is_readable_and_an_unknown_format_is_refused(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import io

    import structlog

    stream = io.StringIO()
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    try:
        configure_logging("console", "info", stream)
        with structlog.contextvars.bound_contextvars(request_id="r-1"):
            logging.getLogger("grandrounds").info("hello %s", "there")
    finally:
        root.handlers, root.level = handlers, level
    line = stream.getvalue()
    assert "hello there" in line and "request_id=r-1" in line and not line.startswith("{")

    monkeypatch.setenv("GRANDROUNDS_LOG_FORMAT", "xml")
    with pytest.raises(SettingsError, match="GRANDROUNDS_LOG_FORMAT"):
        load_settings()
