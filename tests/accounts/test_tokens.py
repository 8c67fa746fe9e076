"""Personal API tokens: shown once, hashed at rest, revocable at once, private to their owner."""

from __future__ import annotations

from accounts.principal import Role
from accounts.tables import ApiToken
from tests.builders.people import make_actor


async def test_token_is_shown_once_and_stored_hashed(client) -> None:
    me = await make_actor(Role.MEMBER)
    created = await client.post("/api/v1/me/tokens", json={"name": "reports"}, headers=me.headers)
    assert created.status_code == 201
    secret = created.json()["token"]
    assert secret.startswith("grt_") and len(secret) > 40
    listing = await client.get("/api/v1/me/tokens", headers=me.headers)
    assert secret not in listing.text
    assert {t["name"] for t in listing.json()} == {"tests", "reports"}
    rows = await ApiToken.select(ApiToken.token_hash, ApiToken.prefix).run()
    assert all(secret != r["token_hash"] and secret not in r["token_hash"] for r in rows)
    works = await client.get("/api/v1/me/", headers={"Authorization": f"Bearer {secret}"})
    assert works.status_code == 200 and works.json()["id"] == me.id


async def test_revoked_token_stops_working_at_once(client) -> None:
    me = await make_actor(Role.MEMBER)
    created = (await client.post("/api/v1/me/tokens", json={"name": "temp"}, headers=me.headers)).json()
    bearer = {"Authorization": f"Bearer {created['token']}"}
    assert (await client.get("/api/v1/me/", headers=bearer)).status_code == 200
    revoked = await client.delete(f"/api/v1/me/tokens/{created['id']}", headers=me.headers)
    assert revoked.status_code == 204
    after = await client.get("/api/v1/me/", headers=bearer)
    assert after.status_code == 401
    assert after.json()["code"] == "auth.token_invalid"


async def test_someone_elses_token_cannot_be_revoked(client) -> None:
    me, other = await make_actor(Role.MEMBER), await make_actor(Role.MEMBER)
    theirs = (await client.get("/api/v1/me/tokens", headers=other.headers)).json()[0]
    response = await client.delete(f"/api/v1/me/tokens/{theirs['id']}", headers=me.headers)
    assert response.status_code == 404
    assert (await client.get("/api/v1/me/", headers=other.headers)).status_code == 200


async def test_garbage_bearer_is_refused_not_treated_as_anonymous(client) -> None:
    for value in ("Bearer nonsense", "Bearer grt_doesnotexist", "bearer "):
        response = await client.get("/api/v1/me/", headers={"Authorization": value})
        assert response.status_code == 401
