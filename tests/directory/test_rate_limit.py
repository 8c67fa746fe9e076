"""Anonymous submissions are limited per address and per email; a refused one stores nothing."""

from __future__ import annotations

from datetime import timedelta

import httpx

from accounts.principal import Role
from directory.services.submissions import PER_EMAIL_PER_HOUR, PER_IP_PER_HOUR, ip_hash
from directory.tables import Submission
from grandrounds.db import now
from tests.builders.directory import API, org
from tests.builders.people import make_actor


async def test_one_email_may_send_only_so_many_per_hour(client: httpx.AsyncClient) -> None:
    for _ in range(PER_EMAIL_PER_HOUR):
        assert (await client.post(f"{API}/submissions", json=org())).status_code == 201
    refused = await client.post(
        f"{API}/submissions", json=org(contact_email="NORA@lakeside-childrens.example.org")
    )
    assert refused.status_code == 429 and refused.json()["code"] == "directory.too_many_submissions"
    assert await Submission.count() == PER_EMAIL_PER_HOUR

    # An hour later the slots are free again.
    await Submission.update({Submission.created_at: now() - timedelta(minutes=61)}).where(Submission.id > 0)
    assert (await client.post(f"{API}/submissions", json=org())).status_code == 201


async def test_one_address_may_send_only_so_many_per_hour(client: httpx.AsyncClient) -> None:
    for i in range(PER_IP_PER_HOUR):
        response = await client.post(f"{API}/submissions", json=org(contact_email=f"p{i}@example.org"))
        assert response.status_code == 201
    refused = await client.post(f"{API}/submissions", json=org(contact_email="fresh@example.org"))
    assert refused.status_code == 429
    assert await Submission.count() == PER_IP_PER_HOUR
    stored = await Submission.select(Submission.ip_hash).first()
    assert (
        stored is not None
        and stored["ip_hash"] == ip_hash("127.0.0.1")
        and "127.0.0.1" not in stored["ip_hash"]
    )


async def test_signed_in_people_are_not_held_to_the_anonymous_limits(client: httpx.AsyncClient) -> None:
    person = await make_actor(Role.MEMBER)
    for _ in range(PER_IP_PER_HOUR + 1):
        response = await client.post(f"{API}/submissions", json=org(contact_email=""), headers=person.headers)
        assert response.status_code == 201
    rows = await Submission.select(Submission.submitter_email, Submission.person)
    assert {(r["submitter_email"], r["person"]) for r in rows} == {(person.email, person.id)}
