"""The audit trail for admins (API, page, CSV) and for the person it speaks of."""

from __future__ import annotations

import csv
import io
import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from accounts.audit.tables import AuditEntry
from accounts.principal import Role
from accounts.tables import Person
from tests.builders.audit import audit_rows
from tests.builders.clients import sign_in
from tests.builders.people import Actor, make_actor, make_staff

ZONE = "America/New_York"


async def _named(actor: Actor, name: str, zone: str = "UTC") -> Actor:
    await Person.update({Person.name: name, Person.time_zone: zone}).where(Person.id == actor.id)
    return actor


async def _history(client) -> tuple[Actor, Actor, int]:
    """An admin (in New York) grants and revokes a member's role and creates a program: three rows."""
    admin = await _named(await make_actor(Role.ADMIN), "Ada Admin", ZONE)
    member = await _named(await make_actor(Role.MEMBER), "Max Member")
    granted = await client.post(
        f"/api/v1/people/{member.id}/roles", json={"role": "finance"}, headers=admin.headers
    )
    assert granted.status_code == 200, granted.text
    revoked = await client.delete(f"/api/v1/people/{member.id}/roles/finance", headers=admin.headers)
    assert revoked.status_code == 200, revoked.text
    program = await client.post(
        "/api/v1/programs/",
        json={"slug": "audit-2027", "name": "Audit", "kind": "residency"},
        headers=admin.headers,
    )
    assert program.status_code == 201, program.text
    return admin, member, int(program.json()["id"])


async def _audit(client, admin: Actor, **params: object):  # type: ignore[no-untyped-def]
    return await client.get("/api/v1/audit", params=params, headers=admin.headers)


async def test_the_filters_narrow_the_trail(client) -> None:
    admin, member, program_id = await _history(client)
    everything = await _audit(client, admin)
    assert everything.status_code == 200, everything.text
    body = everything.json()
    assert body["total"] == 3
    assert [r["action"] for r in body["items"]] == ["program.create", "role.revoke", "role.grant"]
    grant = body["items"][2]
    assert (grant["actor_name"], grant["role"], grant["action_words"]) == (
        "Ada Admin",
        "admin",
        "Granted a role",
    )
    assert (grant["subject_id"], grant["subject_name"]) == (member.id, "Max Member")
    assert grant["changes"] == {"role": [None, "finance"]} and grant["request_id"]

    async def actions(**params: object) -> list[str]:
        answer = await _audit(client, admin, **params)
        assert answer.status_code == 200, answer.text
        return [r["action"] for r in answer.json()["items"]]

    assert await actions(action="role.grant") == ["role.grant"]
    assert await actions(actor=admin.email.upper()) == ["program.create", "role.revoke", "role.grant"]
    assert await actions(actor=str(admin.id), action="role.revoke") == ["role.revoke"]
    assert await actions(actor=str(member.id)) == []
    assert await actions(subject=str(member.id)) == ["role.revoke", "role.grant"]
    assert await actions(object_kind="program", object_id=str(program_id)) == ["program.create"]
    assert await actions(object_kind="person") == ["role.revoke", "role.grant"]
    today = datetime.now(ZoneInfo(ZONE)).date()
    assert len(await actions(**{"from": today.isoformat(), "to": today.isoformat()})) == 3
    assert await actions(**{"from": (today + timedelta(days=1)).isoformat()}) == []
    assert await actions(to=(today - timedelta(days=1)).isoformat()) == []
    page = (await _audit(client, admin, limit=1, offset=1)).json()
    assert (page["total"], [r["action"] for r in page["items"]]) == (3, ["role.revoke"])


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"action": "role.explode"}, "audit.action_unknown"),
        ({"from": "2027-03-10", "to": "2027-03-01"}, "audit.range_reversed"),
        ({"from": "2027-3-1"}, "audit.date_invalid"),
        ({"to": "2027-02-30"}, "audit.date_invalid"),
        ({"actor": "nobody@example.org"}, "audit.actor_unknown"),
        ({"object_id": "5"}, "audit.filter_invalid"),
        ({"subject": "Max"}, "audit.filter_invalid"),
    ],
)
async def test_a_filter_that_cannot_mean_anything_is_refused_and_writes_nothing(client, params, code) -> None:
    admin, _, _ = await _history(client)
    before = await AuditEntry.count()
    api = await _audit(client, admin, **params)
    assert (api.status_code, api.json()["code"]) == (400, code)
    await sign_in(client, admin)
    page = await client.get("/admin/audit", params=params)
    assert page.status_code == 400 and "audit-error" in page.text
    download = await client.get("/admin/audit.csv", params=params)
    assert download.status_code == 400
    assert await AuditEntry.count() == before
    assert await audit_rows("export.audit_csv") == []


async def test_only_admins_read_the_trail(client) -> None:
    admin, member, _ = await _history(client)
    staff = await make_staff()
    for who in (member, staff):
        assert (await _audit(client, who)).status_code == 403
        await sign_in(client, who)
        for path in ("/admin/audit", "/admin/audit.csv", f"/admin/people/{admin.id}", "/admin/erasures"):
            assert (await client.get(path)).status_code == 403, path
    client.cookies.clear()
    assert (await client.get("/api/v1/audit")).status_code == 401
    assert await audit_rows("person.view") == [] and await audit_rows("export.audit_csv") == []


async def test_the_csv_download_is_formula_safe_and_records_itself(client) -> None:
    admin, member, _ = await _history(client)
    await _named(admin, '=HYPERLINK("https://evil.example")', ZONE)
    await sign_in(client, admin)
    download = await client.get("/admin/audit.csv", params={"subject": str(member.id)})
    assert download.status_code == 200, download.text
    assert download.headers["content-disposition"].startswith("attachment;")
    assert "no-store" in download.headers["cache-control"]
    rows = list(csv.DictReader(io.StringIO(download.text.lstrip("\ufeff"))))
    assert [r["action"] for r in rows] == ["role.revoke", "role.grant"]
    assert {r["actor_name"] for r in rows} == {'\'=HYPERLINK("https://evil.example")'}
    assert rows[1]["changes"] == '{"role": [null, "finance"]}' and rows[1]["subject_id"] == str(member.id)
    [export] = await audit_rows("export.audit_csv")
    assert export["actor_id"] == admin.id and export["role"] == "admin" and export["subject_id"] == member.id
    assert export["changes"]["rows"] == 2 and export["changes"]["filter"] == {"subject_id": member.id}


async def test_the_page_shows_names_words_and_the_admins_own_clock(client) -> None:
    admin, _, _ = await _history(client)
    await sign_in(client, admin)
    page = await client.get("/admin/audit", params={"action": "role.grant"})
    assert page.status_code == 200, page.text
    assert "Ada Admin" in page.text and "Granted a role" in page.text and "Max Member" in page.text
    assert re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d E[SD]T", page.text), "times on the admin's clock"
    assert 'href="/admin/audit.csv?action=role.grant"' in page.text
    assert "Revoked a role" not in page.text.split('id="audit-rows"')[1]
    assert 'href="/admin/audit"' in (await client.get("/account")).text, "admins find the trail"


async def test_looking_at_a_person_is_recorded_and_shown_to_them(client) -> None:
    admin, member, _ = await _history(client)
    await sign_in(client, admin)
    assert (await client.get("/admin/people/999999")).status_code == 404
    assert await audit_rows("person.view") == []
    page = await client.get(f"/admin/people/{member.id}")
    assert page.status_code == 200, page.text
    roles = page.text.split('id="roles-history"')[1].split("</table>")[0]
    assert "finance" in roles and "by Ada Admin" in roles and "member" in roles
    [view] = await audit_rows("person.view")
    assert (view["actor_id"], view["subject_id"], view["role"]) == (admin.id, member.id, "admin")

    await sign_in(client, member)
    account = await client.get("/account")
    seen = account.text.split("Who has seen or changed your data")[1]
    assert "Ada Admin" in seen and "Looked at a person&#39;s record" in seen and "Granted a role" in seen
    assert "(admin)" in seen and 'href="/admin/audit"' not in account.text
    api = await client.get(f"/api/v1/audit?subject={member.id}", headers=member.headers)
    assert api.status_code == 403
