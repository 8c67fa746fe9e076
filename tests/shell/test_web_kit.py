"""The web kit's shared pieces, seen from outside: who is asking, CSV downloads, paging bounds."""

from __future__ import annotations

import httpx
import pytest
from litestar import Litestar

from accounts.principal import Role
from grandrounds.web.paging import OFFSET_MAX
from tests.builders.directory import org, publish
from tests.builders.people import make_actor, make_staff


async def test_principal_is_injected_for_the_signed_in(client: httpx.AsyncClient) -> None:
    person = await make_actor(Role.MEMBER)
    me = await client.get("/api/v1/me", headers=person.headers)
    assert me.status_code == 200
    assert me.json()["email"] == person.email


async def test_anonymous_callers_still_get_the_guards_401(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/me")
    assert response.status_code == 401
    assert response.json()["code"] == "auth.required"


async def test_viewer_lets_anonymous_visitors_through(client: httpx.AsyncClient) -> None:
    assert (await client.get("/events")).status_code == 200
    assert (await client.get("/api/v1/library/items")).status_code == 200


async def test_csv_download_names_its_charset_once(client: httpx.AsyncClient) -> None:
    staff = await make_staff()
    await publish(
        client,
        staff,
        {
            **org(name="Lakeside Clinic", kind="clinic", country="US", region="Minnesota"),
            "contact_email": "sender@example.org",
        },
    )
    response = await client.get("/api/v1/directory/listings", params={"format": "csv"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["content-disposition"] == 'attachment; filename="social-media-list.csv"'
    assert response.content.startswith("\ufeff".encode())
    assert "Lakeside Clinic" in response.content.decode("utf-8-sig")


@pytest.mark.parametrize(
    "path",
    ["/api/v1/events", "/api/v1/directory/listings", "/api/v1/library/items", "/social-media-list"],
)
@pytest.mark.parametrize("offset", [OFFSET_MAX + 1, 10**20])
async def test_an_offset_past_the_bound_is_a_400(client: httpx.AsyncClient, path: str, offset: int) -> None:
    response = await client.get(path, params={"offset": offset}, headers={"accept": "application/json"})
    assert response.status_code == 400
    assert response.json()["code"] == "request.invalid"


async def test_the_largest_offset_allowed_answers_an_empty_page(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/events", params={"offset": OFFSET_MAX})
    assert response.status_code == 200
    assert response.json()["items"] == []


def test_injected_names_are_not_query_parameters_in_the_openapi_document(app: Litestar) -> None:
    schema = app.openapi_schema.to_schema()
    names = {
        parameter["name"]
        for path in schema["paths"].values()
        for operation in path.values()
        if isinstance(operation, dict)
        for parameter in operation.get("parameters", [])
    }
    assert "limit" in names and "offset" in names  # the document does list ordinary parameters
    assert not names & {"principal", "viewer", "client_address", "request"}
