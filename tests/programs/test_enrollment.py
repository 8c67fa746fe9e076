"""Enrollment: applications, payment and membership, invitations, one cohort per program, moves, mentors."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta

from accounts.principal import Role
from accounts.schemas import SignUp
from accounts.services.people import create_person
from notifications.tables import OutboxMessage
from programs.tables import Enrollment, EnrollmentChange
from tests.builders.cohorts import make_world
from tests.builders.people import PASSWORD, make_actor, make_staff


async def _cohort(world, **over):  # type: ignore[no-untyped-def]
    body = {
        "name": over.pop("name", "Second cohort"),
        "starts_on": date.today().isoformat(),
        "ends_on": (date.today() + timedelta(days=90)).isoformat(),
        **over,
    }
    response = await world.api("POST", f"/api/v1/programs/{world.program_id}/cohorts", json=body)
    assert response.status_code == 201, response.text
    return response.json()["id"]


async def test_apply_accept_reject_with_history(client) -> None:
    world = await make_world(client, residents=0, open_for_applications=True)
    alice, bob = await make_actor(Role.MEMBER), await make_actor(Role.GUEST)
    url = f"/api/v1/cohorts/{world.cohort_id}/applications"
    applied = await world.api("POST", url, alice, json={"statement": "I run our department's account."})
    assert applied.status_code == 201 and applied.json()["status"] == "applied"
    again = await world.api("POST", url, alice, json={})
    assert again.status_code == 409 and again.json()["code"] == "enrollment.duplicate"
    bob_app = (await world.api("POST", url, bob, json={})).json()
    assert (
        await world.api("POST", f"/api/v1/enrollments/{applied.json()['id']}/accept", alice)
    ).status_code == 403
    accepted = await world.api("POST", f"/api/v1/enrollments/{applied.json()['id']}/accept")
    assert accepted.json()["status"] == "active"
    rejected = await world.api(
        "POST", f"/api/v1/enrollments/{bob_app['id']}/reject", json={"reason": "Full this year"}
    )
    assert rejected.json()["status"] == "rejected"
    late = await world.api("POST", f"/api/v1/enrollments/{bob_app['id']}/accept")
    assert late.status_code == 409 and late.json()["code"] == "enrollment.wrong_state"
    history = (
        await EnrollmentChange.select(EnrollmentChange.to_status, EnrollmentChange.reason)
        .where(EnrollmentChange.enrollment == bob_app["id"])
        .order_by(EnrollmentChange.id)
    )
    assert history == [
        {"to_status": "applied", "reason": ""},
        {"to_status": "rejected", "reason": "Full this year"},
    ]


async def test_closed_cohorts_members_only_and_fees(client) -> None:
    world = await make_world(client, residents=0)
    guest = await make_actor(Role.GUEST)
    closed = await world.api("POST", f"/api/v1/cohorts/{world.cohort_id}/applications", guest, json={})
    assert closed.status_code == 409 and closed.json()["code"] == "cohort.not_open"
    members_only = await _cohort(
        world, open_for_applications=True, requires_membership=True, fee_amount=25000
    )
    refused = await world.api("POST", f"/api/v1/cohorts/{members_only}/applications", guest, json={})
    assert refused.status_code == 403 and refused.json()["code"] == "cohort.membership_required"
    member = await make_actor(Role.MEMBER)
    applied = (
        await world.api("POST", f"/api/v1/cohorts/{members_only}/applications", member, json={})
    ).json()
    accepted = (await world.api("POST", f"/api/v1/enrollments/{applied['id']}/accept")).json()
    assert accepted["status"] == "awaiting_payment"
    paid = await world.api(
        "POST", f"/api/v1/enrollments/{applied['id']}/paid", json={"reason": "cheque 1042"}
    )
    assert paid.json()["status"] == "active"


async def test_capacity_is_never_exceeded_even_concurrently(client) -> None:
    world = await make_world(client, residents=0, capacity=2)
    people = [await make_actor(Role.MEMBER) for _ in range(6)]
    responses = await asyncio.gather(
        *(
            world.api("POST", f"/api/v1/cohorts/{world.cohort_id}/enrollments", json={"person_id": p.id})
            for p in people
        )
    )
    assert sorted(r.status_code for r in responses) == [201, 201, 409, 409, 409, 409]
    assert {r.json()["code"] for r in responses if r.status_code == 409} == {"cohort.full"}
    assert await Enrollment.count().where(Enrollment.status == "active") == 2


async def test_invitation_before_the_account_exists(client) -> None:
    world = await make_world(client, residents=0)
    invited = await world.api(
        "POST",
        f"/api/v1/cohorts/{world.cohort_id}/invitations",
        json={"email": "New.Resident@Hospital.example"},
    )
    assert invited.status_code == 201, invited.text
    body = invited.json()
    assert (body["enrollment"]["status"], body["enrollment"]["person_id"]) == ("invited", None)
    mail = await OutboxMessage.select().where(OutboxMessage.template == "cohort_invitation").first()
    assert mail["recipient"] == "new.resident@hospital.example"
    assert body["token"] in mail["context"]
    twice = await world.api(
        "POST",
        f"/api/v1/cohorts/{world.cohort_id}/invitations",
        json={"email": "new.resident@hospital.example"},
    )
    assert twice.status_code == 409

    stranger = await make_actor(Role.GUEST)
    wrong = await world.api(
        "POST", "/api/v1/enrollments/invitations/accept", stranger, json={"token": body["token"]}
    )
    assert wrong.status_code == 403 and wrong.json()["code"] == "enrollment.invitation_other_email"
    person_id = await create_person(
        SignUp(email="new.resident@hospital.example", password=PASSWORD, name="New Resident", degree="MD"),
        roles=(Role.GUEST,),
    )
    from accounts.services.credentials import create_token

    token = (await create_token(person_id, "t")).token
    accepted = await client.post(
        "/api/v1/enrollments/invitations/accept",
        json={"token": body["token"]},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert accepted.status_code == 200, accepted.text
    assert (accepted.json()["status"], accepted.json()["person_id"]) == ("active", person_id)
    used = await client.post(
        "/api/v1/enrollments/invitations/accept",
        json={"token": body["token"]},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert used.status_code == 404 and used.json()["code"] == "enrollment.invitation_invalid"


async def test_one_cohort_per_program_and_moving_keeps_history(client) -> None:
    world = await make_world(client)
    me = world.residents[0]
    await world.mark(world.sessions[0], me, "Present")
    second = await _cohort(world)
    dup = await world.api("POST", f"/api/v1/cohorts/{second}/enrollments", json={"person_id": me.id})
    assert dup.status_code == 409 and dup.json()["code"] == "enrollment.duplicate"
    [old] = (await world.api("GET", f"/api/v1/cohorts/{world.cohort_id}/enrollments")).json()
    moved = await world.api(
        "POST",
        f"/api/v1/enrollments/{old['id']}/move",
        json={"cohort_id": second, "reason": "parental leave"},
    )
    assert moved.status_code == 200, moved.text
    assert (moved.json()["cohort_id"], moved.json()["status"]) == (second, "active")
    [closed] = (await world.api("GET", f"/api/v1/cohorts/{world.cohort_id}/enrollments")).json()
    assert (closed["status"], closed["moved_to"]) == ("moved", moved.json()["id"])
    assert await Enrollment.count().where(Enrollment.person == me.id) == 2
    # The attendance record belongs to the session and the person: it is still there.
    transcript = (await world.api("GET", f"/api/v1/transcripts/{me.id}", me)).json()
    assert [line["session_title"] for line in transcript["lines"]] == ["Platforms and audiences"]
    other_program = await make_world(client, residents=0)
    across = await world.api(
        "POST", f"/api/v1/enrollments/{moved.json()['id']}/move", json={"cohort_id": other_program.cohort_id}
    )
    assert across.status_code == 403  # staff of this program do not run the other one
    admin = await make_actor(Role.ADMIN)
    across = await world.api(
        "POST",
        f"/api/v1/enrollments/{moved.json()['id']}/move",
        admin,
        json={"cohort_id": other_program.cohort_id},
    )
    assert across.status_code == 400 and across.json()["code"] == "enrollment.move_other_program"


async def test_a_mentor_has_at_most_the_cohorts_limit_of_residents(client) -> None:
    world = await make_world(client, residents=3, mentor_limit=2)
    mentor = await make_actor(Role.MEMBER)
    enrollments = (await world.api("GET", f"/api/v1/cohorts/{world.cohort_id}/enrollments")).json()
    not_yet = await world.api(
        "POST", f"/api/v1/enrollments/{enrollments[0]['id']}/mentor", json={"mentor_id": mentor.id}
    )
    assert not_yet.status_code == 400 and not_yet.json()["code"] == "mentor.not_in_cohort"
    assert (
        await world.api("POST", f"/api/v1/cohorts/{world.cohort_id}/mentors", json={"person_id": mentor.id})
    ).status_code == 200
    for e in enrollments[:2]:
        ok = await world.api("POST", f"/api/v1/enrollments/{e['id']}/mentor", json={"mentor_id": mentor.id})
        assert ok.json()["mentor_id"] == mentor.id
    full = await world.api(
        "POST", f"/api/v1/enrollments/{enrollments[2]['id']}/mentor", json={"mentor_id": mentor.id}
    )
    assert full.status_code == 409 and full.json()["code"] == "mentor.full"
    assert full.json()["details"] == {"limit": 2}


async def test_default_mentor_limit_is_eight(client) -> None:
    world = await make_world(client, residents=0)
    assert (await world.api("GET", f"/api/v1/cohorts/{world.cohort_id}")).json()["mentor_limit"] == 8


async def test_cohort_creation_is_validated(client) -> None:
    world = await make_world(client, residents=0)
    url = f"/api/v1/programs/{world.program_id}/cohorts"
    base = {"name": "X", "starts_on": "2027-01-10", "ends_on": "2027-03-10"}
    for over, code in [
        ({"ends_on": "2027-01-01"}, "cohort.dates_invalid"),
        ({"time_zone": "Mars/Base"}, "cohort.time_zone_unknown"),
        ({"fee_currency": "us1"}, "cohort.currency_invalid"),
        ({"policy": {"min_credits": 1.1}}, "cohort.policy_invalid"),
        ({"capacity": 0}, "request.invalid"),
    ]:
        response = await world.api("POST", url, json={**base, **over})
        assert response.status_code == 400 and response.json()["code"] == code, (over, response.text)
    staff_elsewhere = await make_staff()
    response = await world.api("POST", url, staff_elsewhere, json=base)
    assert response.status_code == 403 and response.json()["code"] == "cohort.not_your_program"
    assert (await world.api("POST", "/api/v1/programs/999999/cohorts", json=base)).status_code in (403, 404)
