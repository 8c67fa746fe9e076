"""Confirming an address: nothing is matched to a person by email until they prove the mailbox."""

from __future__ import annotations

import json
import time

import pytest

from accounts.services.email_verification import confirm, make_token
from accounts.tables import Person
from notifications.tables import OutboxMessage
from tests.builders.clients import csrf_headers
from tests.builders.speakers import invite, webinar


async def _verify_url(email: str) -> str:
    row = (
        await OutboxMessage.select(OutboxMessage.context)
        .where((OutboxMessage.recipient == email) & OutboxMessage.template.is_in(["welcome", "verify_email"]))
        .order_by(OutboxMessage.id, ascending=False)
        .first()
    )
    context = json.loads(row["context"]) if isinstance(row["context"], str) else row["context"]
    return "/" + str(context["verify_url"]).split("/", 3)[3]


async def _sign_up(client, email: str) -> dict:
    response = await client.post(
        "/api/v1/auth/signup", json={"email": email, "password": "a sturdy passphrase", "name": "Pat"}
    )
    assert response.status_code == 201
    return dict(response.json())


async def test_sign_up_is_unconfirmed_until_the_link_is_followed(client) -> None:
    person = await _sign_up(client, "pat@example.org")
    assert person["email_verified"] is False
    url = await _verify_url("pat@example.org")
    page = await client.get(url)
    assert page.status_code == 200 and "confirmed" in page.text
    assert (await client.get("/api/v1/me")).json()["email_verified"] is True
    assert (await client.get(url)).status_code == 200, "following the link twice is harmless"


async def test_forged_and_stale_links_are_refused(client) -> None:
    person = await _sign_up(client, "sam@example.org")
    good = make_token(person["id"], "sam@example.org")
    forged = good[:-1] + ("0" if good[-1] != "0" else "1")
    for token in (forged, "garbage", "a.b", make_token(person["id"], "other@example.org")):
        response = await client.post("/api/v1/auth/verify-email", json={"token": token})
        assert response.status_code == 400 and response.json()["code"] == "account.verification_link_invalid"
    stale = make_token(person["id"], "sam@example.org", at=time.time() - 8 * 24 * 3600)
    with pytest.raises(Exception, match="not valid"):
        await confirm(stale)
    row = await Person.select(Person.email_verified_at).where(Person.id == person["id"]).first()
    assert row["email_verified_at"] is None


async def test_the_link_can_be_sent_again_but_not_in_a_flood(client) -> None:
    await _sign_up(client, "lee@example.org")
    csrf = await csrf_headers(client)  # a cookie-authenticated API write echoes the CSRF cookie
    first = await client.post("/api/v1/me/verify-email/resend", headers=csrf)
    second = await client.post("/api/v1/me/verify-email/resend", headers=csrf)
    assert first.json() == {"queued": True} and second.json() == {"queued": False}
    assert await OutboxMessage.count().where(OutboxMessage.template == "verify_email") == 1


async def test_someone_signing_up_with_a_speakers_address_does_not_see_the_invitation(client) -> None:
    _, session, staff = await webinar(client)
    await invite(client, session["id"], staff, "priya@example.org", "Dr. Priya")
    await _sign_up(client, "priya@example.org")  # anyone can type any address at sign-up
    assert (await client.get("/api/v1/me/speaking")).json() == []
    await client.get(await _verify_url("priya@example.org"))
    mine = (await client.get("/api/v1/me/speaking")).json()
    assert [s["session_id"] for s in mine] == [session["id"]]
