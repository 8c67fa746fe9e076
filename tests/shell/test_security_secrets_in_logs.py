"""Secrets stay out of logs and the mail log; var/ is private (pentest finding 9)."""

from __future__ import annotations

import asyncio
import logging
import stat
from pathlib import Path

import httpx
import pytest

from accounts.principal import Role
from accounts.services import password_reset
from grandrounds.db import write_transaction
from grandrounds.logs import redact_path
from grandrounds.settings import get_settings
from notifications.dispatcher import Dispatcher, new_worker_id
from notifications.outbox import SECRET_KEYS, enqueue_email
from notifications.transports import MailLogTransport
from tests.builders.accounts import queued_context
from tests.builders.cohorts import make_world
from tests.builders.people import make_actor

TOKEN = "Zx8_k2VbQm-4hT9rLw0pNc7Ys1dFgHjKq3"
VERIFY = "NToxNzk5OTk5OTk5.0f3c2a1b9e8d7c6b5a4f3e2d1c0b9a8f"


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        (f"/feeds/{TOKEN}.ics", "/feeds/[redacted].ics"),
        (f"/password/reset/{TOKEN}", "/password/reset/[redacted]"),
        ("/password/reset/short", "/password/reset/[redacted]"),
        (f"/speaking/respond/{TOKEN}", "/speaking/respond/[redacted]"),
        (f"/account/verify/{VERIFY}", "/account/verify/[redacted]"),
        (f"/invitations/{TOKEN}", "/invitations/[redacted]"),
        (f"/organizations/invitations/{TOKEN}", "/organizations/invitations/[redacted]"),
        ("/account/verify/resend", "/account/verify/resend"),
        ("/api/v1/enrollments/invitations/accept", "/api/v1/enrollments/invitations/accept"),
        ("/api/v1/organizations/invitations/accept", "/api/v1/organizations/invitations/accept"),
        ("/api/v1/organizations/4/invitations", "/api/v1/organizations/4/invitations"),
    ],
)
def test_every_secret_link_is_redacted(path: str, expected: str) -> None:
    assert redact_path(path) == expected


async def test_the_error_log_redacts_the_path_of_a_failing_request(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    async def broken(token: str) -> None:
        raise RuntimeError("the database went away")

    monkeypatch.setattr(password_reset, "check_link", broken)
    with caplog.at_level(logging.ERROR, logger="grandrounds"):
        page = await client.get(f"/password/reset/{TOKEN}")
    assert page.status_code == 500
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "/password/reset/[redacted]" in logged
    assert TOKEN not in logged and TOKEN not in caplog.text


async def _mail_log_after_dispatch(path: Path) -> str:
    settings = get_settings()
    await Dispatcher(MailLogTransport(path), settings, new_worker_id()).run_once()
    return await asyncio.to_thread(path.read_text)


async def test_the_mail_log_keeps_no_working_reset_link(client: httpx.AsyncClient, tmp_path: Path) -> None:
    me = await make_actor(Role.MEMBER)
    from tests.builders.accounts import reset_token

    token = await reset_token(client, me.email)
    logged = await _mail_log_after_dispatch(tmp_path / "mail.log")
    assert f"To: {me.email}" in logged
    assert token not in logged and "/password/reset/" not in logged
    assert "[redacted]" in logged


async def test_verification_cohort_and_organization_links_are_secret(client: httpx.AsyncClient) -> None:
    signed_up = await client.post(
        "/api/v1/auth/signup",
        json={"email": "grace@example.org", "password": "a sturdy passphrase", "name": "Grace"},
    )
    assert signed_up.status_code == 201
    assert "verify_url" in (await queued_context("welcome", "grace@example.org"))[SECRET_KEYS]

    world = await make_world(client, residents=0)
    invited = await world.api(
        "POST", f"/api/v1/cohorts/{world.cohort_id}/invitations", json={"email": "r@example.org"}
    )
    assert invited.status_code == 201, invited.text
    assert "accept_url" in (await queued_context("cohort_invitation", "r@example.org"))[SECRET_KEYS]

    admin, leader = await make_actor(Role.ADMIN), await make_actor(Role.GUEST)
    org = await client.post(
        "/api/v1/organizations/", json={"name": "Org", "leader_id": leader.id}, headers=admin.headers
    )
    await client.post(
        f"/api/v1/organizations/{org.json()['id']}/invitations",
        json={"email": "o@example.org"},
        headers=leader.headers,
    )
    assert "accept_url" in (await queued_context("organization_invitation", "o@example.org"))[SECRET_KEYS]


async def test_the_mail_log_page_blanks_links_written_before(client: httpx.AsyncClient) -> None:
    admin = await make_actor(Role.ADMIN)
    settings = get_settings()
    settings.mail_log.parent.mkdir(parents=True, exist_ok=True)
    old = (
        "From: x\nTo: old@example.org\nSubject: Reset\nContent-Type: text/plain\n\n"
        f"Choose a new password: {settings.base_url}/password/reset/{TOKEN}\n"
        f"Or answer: {settings.base_url}/speaking/respond/{TOKEN}\n"
    )
    with settings.mail_log.open("a", encoding="utf-8") as handle:
        handle.write(old + MailLogTransport.SEPARATOR)
    try:
        page = await client.get("/staff/mail", headers=admin.headers)
        assert page.status_code == 200 and "old@example.org" in page.text
        assert TOKEN not in page.text
        assert "/password/reset/[redacted]" in page.text
    finally:
        settings.mail_log.unlink()


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


async def test_var_and_its_files_are_private(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from dataclasses import replace

    from grandrounds.db import build_engine
    from grandrounds.settings import load_settings

    var = tmp_path / "var"
    monkeypatch.setenv("GRANDROUNDS_VAR_DIR", str(var))
    monkeypatch.delenv("GRANDROUNDS_SECRET_KEY", raising=False)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    settings = load_settings()
    assert _mode(var) == 0o700
    assert _mode(var / "secret_key") == 0o600

    build_engine(settings)
    assert _mode(settings.sqlite_path) == 0o600

    # A var/ someone made by hand with the umask's modes is tightened too.
    var.chmod(0o755)
    build_engine(replace(settings, database_url=f"sqlite:///{var / 'other.sqlite3'}"))
    assert _mode(var) == 0o700 and _mode(var / "other.sqlite3") == 0o600

    async with write_transaction():
        await enqueue_email(
            "welcome", "log@example.org", {"name": "Log", "account_url": "u", "verify_url": "v"}
        )
    log = tmp_path / "fresh" / "mail.log"
    await _mail_log_after_dispatch(log)
    assert _mode(log) == 0o600 and _mode(log.parent) == 0o700
