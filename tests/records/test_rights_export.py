"""Download everything held about me: every section, nothing secret, one audit row per download."""

from __future__ import annotations

import json
import re

from accounts.principal import Role
from accounts.services.password_reset import deliver_requested_links
from accounts.tables import ApiToken, Person, SignInSession
from notifications.tables import FeedToken, OutboxMessage
from records.services.export import SECTIONS
from tests.builders.audit import audit_rows
from tests.builders.clients import sign_in
from tests.builders.people import make_actor
from tests.builders.queries import counting_queries
from tests.builders.rights import FEE, PRICE, paid_registration, someone_with_everything


async def _secrets(person_id: int) -> list[str]:
    """Every stored secret of the person: hashes, ticket codes, the reset link still in the outbox."""
    person = await Person.select(Person.password_hash).where(Person.id == person_id).first()
    assert person is not None
    found = [person["password_hash"]]
    for table in (ApiToken, SignInSession, FeedToken):
        found += [
            r["token_hash"] for r in await table.select(table.token_hash).where(table.person == person_id)
        ]
    for row in await OutboxMessage.select(OutboxMessage.context).where(OutboxMessage.person == person_id):
        context = json.loads(row["context"]) if isinstance(row["context"], str) else row["context"]
        found += [str(context[key]) for key in context.get("_secret_keys", [])]
    return [s for s in found if s]


async def test_the_export_holds_places_payments_and_credits_and_no_secret(client) -> None:
    someone = await someone_with_everything(client, paid=2)
    me = someone.actor
    reset = await client.post("/api/v1/auth/password-reset", json={"email": me.email})
    assert reset.status_code == 202
    assert await deliver_requested_links() == 1, "the chore queues the link (a secret) in the outbox"
    feed = await client.post("/api/v1/me/feed/reset", headers=me.headers)
    assert feed.status_code == 200, feed.text
    feed_address = feed.json()["url"]

    response = await client.get("/api/v1/me/export", headers=me.headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/json")
    assert response.headers["content-disposition"].startswith("attachment;")
    assert "no-store" in response.headers["cache-control"]
    document = response.json()
    sections = document["sections"]
    assert list(sections) == list(SECTIONS) and all(s["about"] for s in sections.values())
    assert document["about"] and document["person_id"] == me.id

    [account] = sections["account"]["rows"]
    assert account["email"] == me.email and "password_hash" not in account
    registrations = {r["id"]: r for r in sections["registrations"]["rows"]}
    assert set(registrations) == set(someone.registrations)
    free = registrations[someone.registrations[0]]
    assert [h["to_status"] for h in free["history"]] == ["confirmed"]
    assert all("ticket_code" not in r for r in registrations.values())
    lines = sections["payments"]["rows"]
    assert sorted((line["registration_id"], line["kind"], line["amount"]) for line in lines) == sorted(
        [(r, "charge", PRICE) for r in someone.paid] + [(r, "fee", FEE) for r in someone.paid]
    )
    credits = sections["credits"]
    assert credits["total_credits"] == "3.00" and len(credits["rows"]) == 3
    assert {a["session_id"] for a in sections["attendance"]["rows"]} == set(someone.cohort_sessions)
    assert [c["code"] for c in sections["certificates"]["rows"]] == [someone.certificate_code]
    assert [e["status"] for e in sections["cohort_enrollments"]["rows"]] == ["active"]
    assert {"admin", "member"} & {r["role"] for r in sections["roles"]["rows"]} == {"member"}
    messages = sections["messages"]["rows"]
    assert "password_reset" in {m["template"] for m in messages}
    assert all("context" not in m and m["subject"] for m in messages)
    assert [t["name"] for t in sections["api_tokens"]["rows"]] == ["tests"]

    body = response.text
    leaked = [secret for secret in await _secrets(me.id) if secret in body]
    assert leaked == []
    assert not re.search(r"TKT\d{6}SECRET", body), "ticket codes check a person in: they stay out"
    assert "token_hash" not in body and "password" not in json.dumps(account)
    assert feed_address.rsplit("/", 1)[-1].removesuffix(".ics") not in body
    assert len(sections["calendar_feed"]["rows"]) == 1

    [row] = await audit_rows("export.person_data")
    assert (row["actor_id"], row["subject_id"], row["object_id"]) == (me.id, me.id, str(me.id))
    assert row["changes"]["rows"] > len(someone.registrations) + len(lines)


async def test_each_person_downloads_only_their_own(client) -> None:
    me, other = await make_actor(Role.MEMBER), await make_actor(Role.MEMBER)
    await paid_registration(other)
    mine = (await client.get("/api/v1/me/export", headers=me.headers)).json()["sections"]
    assert mine["registrations"]["rows"] == [] and mine["payments"]["rows"] == []
    assert (await client.get("/api/v1/me/export")).status_code == 401
    assert await audit_rows("export.person_data", subject_id=other.id) == []


async def test_the_account_page_downloads_without_javascript(client) -> None:
    me = await make_actor(Role.MEMBER)
    await sign_in(client, me)
    page = await client.get("/account")
    assert page.status_code == 200
    assert re.search(r'<a [^>]*href="/api/v1/me/export"[^>]*>Download my data</a>', page.text)
    download = await client.get("/api/v1/me/export")
    assert download.status_code == 200 and download.json()["person_id"] == me.id
    assert len(await audit_rows("export.person_data")) == 1


async def test_the_export_costs_the_same_queries_for_few_and_many_registrations(client) -> None:
    async def queries(places: int) -> int:
        person = await make_actor(Role.MEMBER)
        for n in range(places):
            await paid_registration(person, title=f"Talk {n}")
        with counting_queries() as log:
            assert (await client.get("/api/v1/me/export", headers=person.headers)).status_code == 200
        return log.count

    assert await queries(2) == await queries(8)
