"""Hostile request bodies get a 400 ``request.invalid`` and write nothing.

Findings of a penetration test: a deeply nested JSON body answered 500; NUL and
text-direction overrides were accepted in e-mails, names, titles and directory
listings, API and pages alike.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from accounts.tables import Person
from directory.tables import Submission
from events.tables import Event
from tests.builders.clients import csrf_from
from tests.builders.directory import org
from tests.builders.events import event_body
from tests.builders.people import PASSWORD, make_staff

DEEP = b"[" * 100_000 + b"]" * 100_000


def _refused(response: httpx.Response, field: str | None = None) -> dict[str, Any]:
    assert response.status_code == 400, response.text
    error = response.json()
    assert error["code"] == "request.invalid"
    if field is not None:
        assert error["details"]["field"] == field
    return dict(error)


async def test_a_deeply_nested_body_to_sign_in_is_a_400(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/api/v1/auth/signin", content=DEEP, headers={"content-type": "application/json"}
    )
    assert "nested too deeply" in _refused(response)["message"]


async def test_a_deeply_nested_body_to_an_authenticated_create_is_a_400_and_writes_nothing(
    client: httpx.AsyncClient,
) -> None:
    staff = await make_staff()
    before = await Event.count()
    nested = b'{"title": ' + DEEP + b"}"
    response = await client.post(
        "/api/v1/events/", content=nested, headers={**staff.headers, "content-type": "application/json"}
    )
    _refused(response)
    assert await Event.count() == before


async def test_invalid_utf8_is_a_400(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/api/v1/auth/signin", content=b'{"email": "\xff\xfe"}', headers={"content-type": "application/json"}
    )
    _refused(response)


@pytest.mark.parametrize(
    ("field", "value"),
    [("email", "nul\x00@example.org"), ("name", "Nora \u202eesruN")],
)
async def test_sign_up_refuses_control_and_bidi_characters(
    client: httpx.AsyncClient, field: str, value: str
) -> None:
    body = {"email": "clean@example.org", "password": PASSWORD, "name": "Nora Nurse", field: value}
    before = await Person.count()
    _refused(await client.post("/api/v1/auth/signup", json=body), field)
    assert await Person.count() == before


async def test_the_sign_up_page_refuses_a_nul_in_the_email(client: httpx.AsyncClient) -> None:
    form = await client.get("/signup")
    before = await Person.count()
    response = await client.post(
        "/signup",
        data={
            "email": "nul\x00@example.org",
            "password": PASSWORD,
            "name": "Nora Nurse",
            "_csrf_token": csrf_from(form.text),
        },
    )
    assert response.status_code == 400
    assert "control or text-direction character" in response.text
    assert await Person.count() == before


async def test_a_directory_submission_with_a_bidi_override_in_the_name_is_refused(
    client: httpx.AsyncClient,
) -> None:
    before = await Submission.count()
    response = await client.post(
        "/api/v1/directory/submissions", json=org(name="Lakeside \u202eKids\u202c Hospital")
    )
    _refused(response, "name")
    assert await Submission.count() == before


async def test_an_event_title_with_a_nul_is_refused(client: httpx.AsyncClient) -> None:
    staff = await make_staff()
    before = await Event.count()
    response = await client.post(
        "/api/v1/events/",
        json=event_body(program_id=staff.program_id, title="Grand\x00 rounds"),
        headers=staff.headers,
    )
    _refused(response, "title")
    assert await Event.count() == before


async def test_line_breaks_and_tabs_stay_allowed_in_multi_line_text(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/api/v1/directory/submissions", json=org(description="Line one.\r\n\tLine two.")
    )
    assert response.status_code == 201, response.text


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", None])
async def test_json_sent_under_another_content_type_is_a_415_and_signs_nobody_in(
    client: httpx.AsyncClient, content_type: str | None
) -> None:
    """A page elsewhere can post text/plain or a form without a CORS preflight; the sign-in route
    takes no CSRF header, so reading such a body as JSON would sign a visitor in as someone else."""
    staff = await make_staff()
    body = f'{{"email": "{staff.email}", "password": "{PASSWORD}"}}'.encode()
    headers = {"content-type": content_type} if content_type else {}
    response = await client.post("/api/v1/auth/signin", content=body, headers=headers)
    assert response.status_code == 415, response.text
    assert response.json()["code"] == "request.unsupported_media_type"
    assert "gr_session" not in response.cookies
    created = await client.post(
        "/api/v1/events/", content=b'{"title": "x"}', headers={**staff.headers, "content-type": "text/plain"}
    )
    assert created.status_code == 415
    assert await Event.count() == 0
