"""Programs scope program staff: they run only the programs they are assigned to."""

from __future__ import annotations

from accounts.principal import Role
from events.tables import Event
from tests.builders.events import event_body
from tests.builders.people import make_actor, make_staff


async def test_only_admins_create_programs_and_assign_staff(client) -> None:
    admin, staff, member = await make_actor(Role.ADMIN), await make_staff(), await make_actor(Role.MEMBER)
    body = {"slug": "residency-2027", "name": "Residency 2027", "kind": "residency"}
    assert (await client.post("/api/v1/programs/", json=body)).status_code == 401
    for denied in (staff, member):
        assert (await client.post("/api/v1/programs/", json=body, headers=denied.headers)).status_code == 403
    created = await client.post("/api/v1/programs/", json=body, headers=admin.headers)
    assert created.status_code == 201, created.text
    again = await client.post("/api/v1/programs/", json=body, headers=admin.headers)
    assert again.status_code == 409 and again.json()["code"] == "program.slug_taken"
    bad = await client.post("/api/v1/programs/", json={**body, "slug": "Has Spaces"}, headers=admin.headers)
    assert bad.status_code == 400 and bad.json()["code"] == "program.slug_invalid"
    program_id = created.json()["id"]
    not_staff = await client.post(
        f"/api/v1/programs/{program_id}/staff", json={"person_id": member.id}, headers=admin.headers
    )
    assert not_staff.status_code == 400 and not_staff.json()["code"] == "program.not_staff"
    ok = await client.post(
        f"/api/v1/programs/{program_id}/staff", json={"person_id": staff.id}, headers=admin.headers
    )
    assert ok.status_code == 200 and staff.id in ok.json()["staff_ids"]


async def test_staff_of_one_program_cannot_run_another_programs_events(client) -> None:
    mine, theirs = await make_staff(), await make_staff()
    denied = await client.post(
        "/api/v1/events/", json=event_body(program_id=theirs.program_id), headers=mine.headers
    )
    assert denied.status_code == 403 and denied.json()["code"] == "event.not_your_program"
    no_program = await client.post("/api/v1/events/", json=event_body(), headers=mine.headers)
    assert no_program.status_code == 403
    assert await Event.count() == 0
    created = await client.post(
        "/api/v1/events/", json=event_body(program_id=theirs.program_id), headers=theirs.headers
    )
    event_id = created.json()["id"]
    publish = await client.post(f"/api/v1/events/{event_id}/publish", headers=mine.headers)
    assert publish.status_code == 403
    assert (await Event.select(Event.status).where(Event.id == event_id).first())["status"] == "draft"
    admin = await make_actor(Role.ADMIN)
    assert (await client.post(f"/api/v1/events/{event_id}/publish", headers=admin.headers)).status_code == 200
