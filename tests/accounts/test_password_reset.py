"""Forgotten passwords: a one-time link, the same answer for unknown addresses, everyone signed out.

Links are made by the dispatcher's chore (``deliver_requested_links``), off the request path.
"""

from __future__ import annotations

import json
from datetime import timedelta

from accounts.principal import Role
from accounts.services.password_reset import deliver_requested_links
from accounts.tables import PasswordReset
from grandrounds.db import now
from notifications.tables import OutboxMessage
from tests.builders.clients import csrf_from
from tests.builders.people import PASSWORD, make_actor

NEW_PASSWORD = "a brand new passphrase"


async def _link_token(email: str) -> str:
    await deliver_requested_links()
    row = (
        await OutboxMessage.select(OutboxMessage.context)
        .where((OutboxMessage.template == "password_reset") & (OutboxMessage.recipient == email))
        .order_by(OutboxMessage.id, ascending=False)
        .first()
    )
    context = json.loads(row["context"]) if isinstance(row["context"], str) else row["context"]
    return str(context["reset_url"]).rsplit("/", 1)[1]


async def test_the_answer_does_not_reveal_who_has_an_account(client) -> None:
    me = await make_actor(Role.MEMBER)
    known = await client.post("/api/v1/auth/password-reset", json={"email": me.email.upper()})
    unknown = await client.post("/api/v1/auth/password-reset", json={"email": "nobody@example.org"})
    assert known.status_code == unknown.status_code == 202
    assert known.json() == unknown.json()
    await deliver_requested_links()
    assert await OutboxMessage.count().where(OutboxMessage.template == "password_reset") == 1
    bad = await client.post("/api/v1/auth/password-reset", json={"email": 12})
    assert bad.status_code == 400


async def test_a_link_sets_the_password_once_and_signs_out_everywhere(client) -> None:
    me = await make_actor(Role.MEMBER)
    signed_in = await client.post("/api/v1/auth/signin", json={"email": me.email, "password": PASSWORD})
    assert signed_in.status_code == 200
    await client.post("/api/v1/auth/password-reset", json={"email": me.email})
    token = await _link_token(me.email)
    weak = await client.post(
        "/api/v1/auth/password-reset/confirm", json={"token": token, "password": "short"}
    )
    assert weak.status_code == 400 and weak.json()["code"] == "account.password_weak"
    done = await client.post(
        "/api/v1/auth/password-reset/confirm", json={"token": token, "password": NEW_PASSWORD}
    )
    assert done.status_code == 204
    assert (await client.get("/api/v1/me")).status_code == 401, "the old session cookie is dead"
    again = await client.post(
        "/api/v1/auth/password-reset/confirm", json={"token": token, "password": NEW_PASSWORD}
    )
    assert again.status_code == 400 and again.json()["code"] == "password_reset.link_invalid"
    old = await client.post("/api/v1/auth/signin", json={"email": me.email, "password": PASSWORD})
    assert old.status_code == 401
    new = await client.post("/api/v1/auth/signin", json={"email": me.email, "password": NEW_PASSWORD})
    assert new.status_code == 200


async def test_expired_and_unknown_links_are_refused(client) -> None:
    me = await make_actor(Role.MEMBER)
    await client.post("/api/v1/auth/password-reset", json={"email": me.email})
    token = await _link_token(me.email)
    await PasswordReset.update({PasswordReset.expires_at: now() - timedelta(minutes=1)}).where(
        PasswordReset.id > 0
    )
    expired = await client.post(
        "/api/v1/auth/password-reset/confirm", json={"token": token, "password": NEW_PASSWORD}
    )
    assert expired.status_code == 400 and expired.json()["code"] == "password_reset.link_invalid"
    page = await client.get(f"/password/reset/{token}")
    assert page.status_code == 400 and "Ask for a new link" in page.text
    assert (await client.get("/password/reset/nonsense")).status_code == 400


async def test_links_are_rate_limited_per_account(client) -> None:
    me = await make_actor(Role.MEMBER)
    for _ in range(6):
        assert (await client.post("/api/v1/auth/password-reset", json={"email": me.email})).status_code == 202
    await deliver_requested_links()
    assert await PasswordReset.count() == 3
    stored = await PasswordReset.select(PasswordReset.token_hash)
    token = await _link_token(me.email)
    assert token not in {r["token_hash"] for r in stored}, "only the hash is kept"


async def test_the_pages_work_without_javascript(client) -> None:
    me = await make_actor(Role.MEMBER)
    form = await client.get("/password/forgot")
    sent = await client.post(
        "/password/forgot", data={"email": me.email, "_csrf_token": csrf_from(form.text)}
    )
    assert sent.status_code == 200 and "on its way" in sent.text
    token = await _link_token(me.email)
    page = await client.get(f"/password/reset/{token}")
    assert page.status_code == 200
    done = await client.post(
        f"/password/reset/{token}", data={"password": NEW_PASSWORD, "_csrf_token": csrf_from(page.text)}
    )
    assert done.status_code in (302, 303) and done.headers["location"].startswith("/signin?reset=1")
