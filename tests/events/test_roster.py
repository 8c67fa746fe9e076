"""The roster: personal data for the staff of the event's program and admins only, as JSON, page or CSV."""

from __future__ import annotations

import csv
import io

import pytest

from accounts.principal import Role
from accounts.tables import Person
from events.tables import CheckIn, Registration, Session
from grandrounds.spreadsheets import safe_cell
from tests.builders.clients import sign_in
from tests.builders.events import create_event
from tests.builders.pages import register_api
from tests.builders.people import Actor, make_actor, make_staff


async def _event_with_people(client) -> tuple[Actor, int, list[Actor]]:
    """A program's staff, their event (capacity 2) and three registrants: 2 confirmed, 1 waitlisted."""
    staff = await make_staff()
    event_id = await create_event(client, staff, capacity=2)
    people = [
        await make_actor(Role.MEMBER, email="ada.lovelace@example.org"),
        await make_actor(Role.MEMBER, email="grace@example.org"),
        await make_actor(Role.GUEST, email="alan@example.org"),
    ]
    await Person.update({Person.name: "Ada Lovelace", Person.degree: "MD"}).where(Person.id == people[0].id)
    for person in people:
        await register_api(client, person, event_id)
    return staff, event_id, people


async def _who(client, role: str, staff: Actor) -> Actor | None:
    if role == "anonymous":
        return None
    if role == "member":
        return await make_actor(Role.MEMBER)
    if role == "other_staff":
        return await make_staff()
    if role == "admin":
        return await make_actor(Role.ADMIN)
    return staff


MATRIX = [("anonymous", 401), ("member", 403), ("other_staff", 403), ("staff", 200), ("admin", 200)]


@pytest.mark.parametrize(("role", "expected"), MATRIX)
@pytest.mark.parametrize("fmt", ["json", "csv"])
async def test_api_roster_access_matrix(client, role: str, expected: int, fmt: str) -> None:
    staff, event_id, _ = await _event_with_people(client)
    who = await _who(client, role, staff)
    response = await client.get(
        f"/api/v1/events/{event_id}/registrations",
        params={"format": fmt},
        headers=who.headers if who else {},
    )
    assert response.status_code == expected, response.text
    if expected == 200:
        body = response.text if fmt == "csv" else str(response.json())
        assert "ada.lovelace@example.org" in body
    else:
        assert "ada.lovelace" not in response.text
        assert response.json()["code"] in ("auth.required", "event.not_your_program", "auth.forbidden")


@pytest.mark.parametrize(("role", "expected"), MATRIX)
@pytest.mark.parametrize("path", ["/staff/events/{id}/roster", "/staff/events/{id}/roster.csv"])
async def test_roster_page_access_matrix(client, role: str, expected: int, path: str) -> None:
    staff, event_id, _ = await _event_with_people(client)
    who = await _who(client, role, staff)
    client.cookies.clear()
    if who:
        await sign_in(client, who)
    response = await client.get(path.format(id=event_id))
    if expected == 401:
        assert response.status_code in (302, 303)
        assert response.headers["location"].startswith("/signin?next=/staff/events/")
    else:
        assert response.status_code == expected
    assert ("ada.lovelace@example.org" in response.text) is (expected == 200)


async def test_unknown_event_is_404(client) -> None:
    admin = await make_actor(Role.ADMIN)
    response = await client.get("/api/v1/events/424242/registrations", headers=admin.headers)
    assert response.status_code == 404 and response.json()["code"] == "event.not_found"


async def test_filters_by_status_and_searches_name_or_email(client) -> None:
    staff, event_id, people = await _event_with_people(client)
    url = f"/api/v1/events/{event_id}/registrations"

    async def emails(**params: str) -> list[str]:
        response = await client.get(url, params=params, headers=staff.headers)
        assert response.status_code == 200, response.text
        return [item["email"] for item in response.json()["items"]]

    assert await emails() == [p.email for p in people]  # oldest first
    assert await emails(status="waitlisted") == ["alan@example.org"]
    assert await emails(status="confirmed") == ["ada.lovelace@example.org", "grace@example.org"]
    assert await emails(q="LOVELACE") == ["ada.lovelace@example.org"]  # name or email, any case
    assert await emails(q="ada md") == []  # every word must match (degree is not searched)
    assert await emails(q="grace@") == ["grace@example.org"]
    assert await emails(q="%") == []
    page = (await client.get(url, params={"limit": 1, "offset": 1}, headers=staff.headers)).json()
    assert page["total"] == 3 and [i["email"] for i in page["items"]] == ["grace@example.org"]
    first = (await client.get(url, headers=staff.headers)).json()["items"][0]
    assert first["name"] == "Ada Lovelace" and first["degree"] == "MD" and first["checked_in"] is False


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"status": "vip"}, "roster.status_unknown"),
        ({"q": "x" * 201}, "roster.query_too_long"),
        ({"limit": "0"}, "request.invalid"),
        ({"limit": "501"}, "request.invalid"),
        ({"offset": "-1"}, "request.invalid"),
        ({"format": "xlsx"}, "request.invalid"),
    ],
)
async def test_bad_roster_queries_are_coded_400s(client, params: dict[str, str], code: str) -> None:
    staff, event_id, _ = await _event_with_people(client)
    url = f"/api/v1/events/{event_id}/registrations"
    response = await client.get(url, params=params, headers=staff.headers)
    assert response.status_code == 400 and response.json()["code"] == code


async def test_csv_has_every_match_and_marks_check_ins(client) -> None:
    staff, event_id, people = await _event_with_people(client)
    session = await Session.select(Session.id).where(Session.event == event_id).first()
    reg = await Registration.select(Registration.id).where(Registration.person == people[0].id).first()
    assert session and reg
    await CheckIn.insert(
        CheckIn(session=session["id"], registration=reg["id"], person=people[0].id, method="search")
    )
    response = await client.get(
        f"/api/v1/events/{event_id}/registrations",
        params={"format": "csv", "limit": 1},
        headers=staff.headers,
    )
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [r["email"] for r in rows] == [p.email for p in people]  # limit does not apply
    assert rows[0]["name"] == "Ada Lovelace"
    assert [r["checked_in"] for r in rows] == ["yes", "no", "no"]
    assert [r["status"] for r in rows] == ["confirmed", "confirmed", "waitlisted"]


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ('=HYPERLINK("http://evil.example","x")', '\'=HYPERLINK("http://evil.example","x")'),
        ("+1-555-0100", "'+1-555-0100"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tTab", "'\tTab"),
        ("Ada Lovelace", "Ada Lovelace"),
        ("O'Neil = chair", "O'Neil = chair"),
        ("", ""),
    ],
)
def test_formula_like_cells_are_escaped(value: str, cell: str) -> None:
    assert safe_cell(value) == cell


async def test_csv_export_escapes_a_hostile_name(client) -> None:
    staff, event_id, people = await _event_with_people(client)
    await Person.update({Person.name: "=cmd|' /C calc'!A0"}).where(Person.id == people[1].id)
    await sign_in(client, staff)
    response = await client.get(f"/staff/events/{event_id}/roster.csv")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[2][1] == "'=cmd|' /C calc'!A0"
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)


async def test_roster_page_filters_and_keeps_them_in_the_csv_link(client) -> None:
    staff, event_id, _ = await _event_with_people(client)
    await sign_in(client, staff)
    page = await client.get(f"/staff/events/{event_id}/roster", params={"status": "confirmed", "q": "ada"})
    assert page.status_code == 200
    assert "ada.lovelace@example.org" in page.text and "grace@example.org" not in page.text
    assert "alan@example.org" not in page.text
    assert f'href="/staff/events/{event_id}/roster.csv?status=confirmed&amp;q=ada"' in page.text
    bad = await client.get(f"/staff/events/{event_id}/roster", params={"status": "vip"})
    assert bad.status_code == 400 and 'role="alert"' in bad.text and "Status must be one of" in bad.text
