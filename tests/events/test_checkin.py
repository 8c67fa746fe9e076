"""Staff check-in: who may, whom, idempotent even under simultaneous scans, undo kept on record."""

from __future__ import annotations

import asyncio
import logging

import pytest

from accounts.principal import Role
from events.tables import CheckIn, CheckInRemoval, Event, Registration, Session
from tests.builders.checkin import World, register, ticket_code_of, webinar
from tests.builders.people import make_actor, make_staff


def checkins_path(world: World) -> str:
    return f"/api/v1/sessions/{world.session_id}/checkins"


# --- who may -------------------------------------------------------------------------------------

ENDPOINTS = ["list", "check_in", "undo", "code", "search"]
DENIED = [("anonymous", 401, "auth.required"), ("member", 403, None), ("other_staff", 403, None)]


async def _call(client, world: World, endpoint: str, headers: dict[str, str], reg_id: int):
    base = checkins_path(world)
    if endpoint == "list":
        return await client.get(base, headers=headers)
    if endpoint == "check_in":
        return await client.post(base, json={"registration_id": reg_id}, headers=headers)
    if endpoint == "undo":
        return await client.delete(f"{base}/{reg_id}", headers=headers)
    if endpoint == "code":
        return await client.get(f"/api/v1/sessions/{world.session_id}/checkin-code", headers=headers)
    return await client.get(f"/api/v1/sessions/{world.session_id}/attendees?q=a", headers=headers)


@pytest.mark.parametrize("endpoint", ENDPOINTS)
@pytest.mark.parametrize(("who", "status", "code"), DENIED)
async def test_staff_endpoints_refuse_everyone_but_the_events_staff(
    client, endpoint, who, status, code
) -> None:
    world = await webinar(client)
    _, reg_id, _ = await register(client, world.event_id)
    await client.post(checkins_path(world), json={"registration_id": reg_id}, headers=world.staff.headers)
    headers = {
        "anonymous": {},
        "member": (await make_actor(Role.MEMBER)).headers,
        "other_staff": (await make_staff()).headers,
    }[who]
    response = await _call(client, world, endpoint, headers, reg_id)
    assert response.status_code == status, response.text
    if code:
        assert response.json()["code"] == code
    assert await CheckIn.count() == 1  # nothing written, nothing removed


@pytest.mark.parametrize("endpoint", ENDPOINTS)
@pytest.mark.parametrize("who", ["staff", "admin"])
async def test_staff_of_the_program_and_admins_may(client, endpoint, who) -> None:
    world = await webinar(client)
    _, reg_id, _ = await register(client, world.event_id)
    actor = world.staff if who == "staff" else await make_actor(Role.ADMIN)
    if endpoint == "undo":
        await client.post(checkins_path(world), json={"registration_id": reg_id}, headers=actor.headers)
    response = await _call(client, world, endpoint, actor.headers, reg_id)
    assert response.status_code in (200, 201), response.text


# --- idempotency ----------------------------------------------------------------------------------


async def test_the_same_scan_twice_makes_one_record_and_says_so(client) -> None:
    world = await webinar(client)
    person, reg_id, _ = await register(client, world.event_id)
    code = await ticket_code_of(reg_id)
    first = await client.post(checkins_path(world), json={"ticket_code": code}, headers=world.staff.headers)
    assert first.status_code == 201, first.text
    body = first.json()
    assert body["already"] is False and body["method"] == "qr"
    assert body["registration_id"] == reg_id and body["person_id"] == person.id
    assert body["by_person_id"] == world.staff.id
    again = await client.post(
        checkins_path(world), json={"ticket_code": code, "method": "code"}, headers=world.staff.headers
    )
    assert again.status_code == 200 and again.json()["already"] is True
    assert again.json()["at"] == body["at"] and again.json()["method"] == "qr"
    by_search = await client.post(
        checkins_path(world), json={"registration_id": reg_id}, headers=world.staff.headers
    )
    assert by_search.status_code == 200 and by_search.json()["already"] is True
    assert await CheckIn.count() == 1


async def test_ten_simultaneous_scans_leave_one_check_in(client) -> None:
    world = await webinar(client)
    _, reg_id, _ = await register(client, world.event_id)
    code = await ticket_code_of(reg_id)
    responses = await asyncio.gather(
        *(
            client.post(checkins_path(world), json={"ticket_code": code}, headers=world.staff.headers)
            for _ in range(10)
        )
    )
    assert sorted(r.status_code for r in responses) == [200] * 9 + [201], [r.text for r in responses]
    assert sum(r.json()["already"] for r in responses) == 9
    assert len({r.json()["at"] for r in responses}) == 1
    assert await CheckIn.count() == 1


async def test_check_in_by_registration_id_is_recorded_as_found_by_search(client) -> None:
    world = await webinar(client)
    _, reg_id, _ = await register(client, world.event_id)
    response = await client.post(
        checkins_path(world), json={"registration_id": reg_id}, headers=world.staff.headers
    )
    assert response.status_code == 201 and response.json()["method"] == "search"
    row = await CheckIn.select().first()
    assert row is not None and row["method"] == "search" and row["by_person"] == world.staff.id


# --- whom ---------------------------------------------------------------------------------------------


async def test_only_confirmed_registrations_are_checked_in(client) -> None:
    world = await webinar(client, capacity=1)
    _, _, status = await register(client, world.event_id)
    assert status == "confirmed"
    _, waitlisted_id, status = await register(client, world.event_id)
    assert status == "waitlisted"
    canceller, cancelled_id, _ = await register(client, world.event_id)
    await client.post(f"/api/v1/registrations/{cancelled_id}/cancel", headers=canceller.headers)
    for reg_id, expected in ((waitlisted_id, "waitlisted"), (cancelled_id, "cancelled")):
        code = await ticket_code_of(reg_id)
        for body in ({"registration_id": reg_id}, {"ticket_code": code}):
            response = await client.post(checkins_path(world), json=body, headers=world.staff.headers)
            assert response.status_code == 409, response.text
            assert response.json()["code"] == "checkin.not_confirmed"
            assert response.json()["details"]["status"] == expected
    assert await CheckIn.count() == 0


async def test_a_cancelled_session_or_event_takes_no_check_ins(client) -> None:
    world = await webinar(client)
    _, reg_id, _ = await register(client, world.event_id)
    await Session.update({Session.status: "cancelled"}).where(Session.id == world.session_id)
    response = await client.post(
        checkins_path(world), json={"registration_id": reg_id}, headers=world.staff.headers
    )
    assert response.status_code == 409 and response.json()["code"] == "checkin.session_cancelled"
    await Session.update({Session.status: "scheduled"}).where(Session.id == world.session_id)
    await Event.update({Event.status: "cancelled"}).where(Event.id == world.event_id)
    response = await client.post(
        checkins_path(world), json={"registration_id": reg_id}, headers=world.staff.headers
    )
    assert response.status_code == 409 and response.json()["code"] == "checkin.session_cancelled"
    assert await CheckIn.count() == 0


async def test_unknown_codes_and_other_events_tickets_are_unknown_here(client, caplog) -> None:
    world = await webinar(client)
    elsewhere = await webinar(client)
    _, other_reg, _ = await register(client, elsewhere.event_id)
    other_code = await ticket_code_of(other_reg)
    caplog.set_level(logging.INFO)  # the database driver's DEBUG lines echo every query's parameters
    caplog.set_level(logging.DEBUG, logger="grandrounds")
    for code in ("no-such-ticket-code", other_code):
        response = await client.post(
            checkins_path(world), json={"ticket_code": code}, headers=world.staff.headers
        )
        assert response.status_code == 404 and response.json()["code"] == "checkin.code_unknown"
        assert code not in response.text
    assert other_code not in caplog.text
    by_id = await client.post(
        checkins_path(world), json={"registration_id": other_reg}, headers=world.staff.headers
    )
    assert by_id.status_code == 404 and by_id.json()["code"] == "registration.not_found"
    assert await CheckIn.count() == 0


@pytest.mark.parametrize(
    "body",
    [{}, {"registration_id": 1, "ticket_code": "x"}, {"ticket_code": ""}, {"registration_id": 1, "extra": 1}],
)
async def test_a_check_in_names_exactly_one_registration(client, body) -> None:
    world = await webinar(client)
    response = await client.post(checkins_path(world), json=body, headers=world.staff.headers)
    assert response.status_code == 400, response.text
    assert response.json()["code"] in ("checkin.target_required", "request.invalid")


async def test_a_session_seat_counts_only_for_its_own_session(client) -> None:
    world = await webinar(client)
    event = await Event.select().where(Event.id == world.event_id).first()
    assert event is not None
    second = (
        await Session.insert(
            Session(
                event=world.event_id,
                title="Hands-on lab",
                starts_at=event["starts_at"],
                ends_at=event["ends_at"],
            )
        ).returning(Session.id)
    )[0]["id"]
    lab_person = await make_actor(Role.MEMBER)
    lab_reg = (
        await Registration.insert(
            Registration(
                event=world.event_id,
                person=lab_person.id,
                email_key=lab_person.email,
                status="confirmed",
                session=second,
            )
        ).returning(Registration.id)
    )[0]["id"]
    _, whole_event_reg, _ = await register(client, world.event_id)
    wrong = await client.post(
        checkins_path(world), json={"registration_id": lab_reg}, headers=world.staff.headers
    )
    assert wrong.status_code == 409 and wrong.json()["code"] == "checkin.wrong_session"
    lab_path = f"/api/v1/sessions/{second}/checkins"
    for reg_id in (lab_reg, whole_event_reg):
        ok = await client.post(lab_path, json={"registration_id": reg_id}, headers=world.staff.headers)
        assert ok.status_code == 201, ok.text
    counts = (await client.get(lab_path, headers=world.staff.headers)).json()
    assert counts["confirmed"] == 2 and counts["checked_in"] == 2
    main_counts = (await client.get(checkins_path(world), headers=world.staff.headers)).json()
    assert main_counts["confirmed"] == 1 and main_counts["checked_in"] == 0


async def test_nobody_checks_themselves_in_through_the_staff_routes(client) -> None:
    """Not a member with their own ticket, and not staff at their own event either."""
    world = await webinar(client)
    member, member_reg, _ = await register(client, world.event_id)
    member_code = await ticket_code_of(member_reg)
    for body in ({"ticket_code": member_code}, {"registration_id": member_reg}):
        response = await client.post(checkins_path(world), json=body, headers=member.headers)
        assert response.status_code == 403
    _, staff_reg, _ = await register(client, world.event_id, person=world.staff)
    staff_code = await ticket_code_of(staff_reg)
    for body in ({"ticket_code": staff_code}, {"registration_id": staff_reg}):
        response = await client.post(checkins_path(world), json=body, headers=world.staff.headers)
        assert response.status_code == 403 and response.json()["code"] == "checkin.own_ticket"
    assert await CheckIn.count() == 0


# --- undo and the list --------------------------------------------------------------------------------


async def test_undo_removes_the_check_in_and_keeps_who_removed_it(client) -> None:
    world = await webinar(client)
    person, reg_id, _ = await register(client, world.event_id)
    colleague = await make_staff(program_id=world.staff.program_id)
    await client.post(checkins_path(world), json={"registration_id": reg_id}, headers=world.staff.headers)
    undone = await client.delete(
        f"{checkins_path(world)}/{reg_id}",
        params={"reason": "scanned the wrong ticket"},
        headers=colleague.headers,
    )
    assert undone.status_code == 200, undone.text
    body = undone.json()
    assert body["removed_by"] == colleague.id and body["checked_in_by"] == world.staff.id
    assert body["reason"] == "scanned the wrong ticket" and body["person_id"] == person.id
    assert await CheckIn.count() == 0 and await CheckInRemoval.count() == 1
    listing = (await client.get(checkins_path(world), headers=world.staff.headers)).json()
    assert listing["checked_in"] == 0 and listing["items"] == []
    assert [r["removed_by"] for r in listing["removals"]] == [colleague.id]
    twice = await client.delete(f"{checkins_path(world)}/{reg_id}", headers=colleague.headers)
    assert twice.status_code == 404 and twice.json()["code"] == "checkin.not_found"
    again = await client.post(
        checkins_path(world), json={"registration_id": reg_id}, headers=world.staff.headers
    )
    assert again.status_code == 201 and again.json()["already"] is False
    assert await CheckInRemoval.count() == 1


async def test_the_list_counts_checked_in_against_confirmed(client) -> None:
    world = await webinar(client, capacity=3)
    regs = [(await register(client, world.event_id))[1] for _ in range(4)]  # the fourth waits
    for reg_id in regs[:2]:
        await client.post(checkins_path(world), json={"registration_id": reg_id}, headers=world.staff.headers)
    listing = (await client.get(checkins_path(world), headers=world.staff.headers)).json()
    assert (listing["checked_in"], listing["confirmed"]) == (2, 3)
    assert {i["registration_id"] for i in listing["items"]} == set(regs[:2])


async def test_search_finds_registrants_by_name_or_email_in_any_case(client) -> None:
    world = await webinar(client, capacity=1)
    _, ada_reg, _ = await register(
        client, world.event_id, await make_actor(Role.MEMBER, email="ada_l@example.org")
    )
    grace, _, _ = await register(
        client, world.event_id, await make_actor(Role.MEMBER, email="grace@example.org")
    )
    search = f"/api/v1/sessions/{world.session_id}/attendees"
    by_name = (await client.get(search, params={"q": "ADA_"}, headers=world.staff.headers)).json()
    assert [p["registration_id"] for p in by_name] == [ada_reg]
    by_email = (await client.get(search, params={"q": "GRACE@"}, headers=world.staff.headers)).json()
    assert [(p["person_id"], p["status"]) for p in by_email] == [(grace.id, "waitlisted")]
    for wildcard in ("%", "_", "\\"):
        found = (await client.get(search, params={"q": wildcard}, headers=world.staff.headers)).json()
        assert [p["registration_id"] for p in found] == ([ada_reg] if wildcard == "_" else [])
    everyone = (await client.get(search, headers=world.staff.headers)).json()
    assert len(everyone) == 2
