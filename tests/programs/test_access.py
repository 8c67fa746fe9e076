"""Who may do what: an allow/deny matrix over the programs API and pages.

Anonymous callers get 401, learners on staff routes 403, staff of another program
403, and anyone asking for another learner's records 404 (existence does not leak).
"""

from __future__ import annotations

import pytest

from accounts.principal import Role
from tests.builders.cohorts import make_world
from tests.builders.people import make_actor, make_staff


@pytest.fixture
async def world(client):  # type: ignore[no-untyped-def]
    return await make_world(
        client, residents=2, policy={"min_attendance_percent": 0, "requires_deliverable": True}
    )


def staff_routes(w) -> list[tuple[str, str, dict | None]]:  # type: ignore[no-untyped-def]
    c, s, p = w.cohort_id, w.sessions[0], w.residents[0].id
    return [
        ("GET", f"/api/v1/cohorts/{c}", None),
        ("GET", f"/api/v1/cohorts/{c}/roster", None),
        ("GET", f"/api/v1/cohorts/{c}/roster.csv", None),
        ("GET", f"/api/v1/cohorts/{c}/enrollments", None),
        ("GET", f"/api/v1/cohorts/{c}/sessions/{s}/attendance", None),
        ("PUT", f"/api/v1/cohorts/{c}/sessions/{s}/attendance/{p}", {"status": "Present"}),
        ("POST", f"/api/v1/cohorts/{c}/sessions/{s}/check-ins/sync", None),
        ("GET", f"/api/v1/cohorts/{c}/unmatched", None),
        ("GET", f"/api/v1/cohorts/{c}/deliverables", None),
        ("GET", f"/api/v1/cohorts/{c}/certificates", None),
        ("PUT", f"/api/v1/cohorts/{c}/policy", {"min_attendance_percent": 0, "requires_deliverable": True}),
        ("POST", f"/api/v1/cohorts/{c}/invitations", {"email": "invitee@example.org"}),
        ("GET", f"/api/v1/programs/{w.program_id}/cohorts", None),
        ("GET", f"/api/v1/programs/{w.program_id}/rules", None),
        ("GET", f"/programs/cohorts/{c}", None),
        ("GET", f"/programs/cohorts/{c}/sessions/{s}", None),
        ("GET", f"/programs/cohorts/{c}/sessions/{s}/import", None),
        ("GET", f"/programs/cohorts/{c}/deliverables", None),
        ("GET", f"/programs/cohorts/{c}/people/{p}", None),
    ]


async def _call(client, method: str, path: str, body, headers=None):  # type: ignore[no-untyped-def]
    return await client.request(method, path, json=body, headers=headers or {}, follow_redirects=False)


async def test_anonymous_callers_must_sign_in(client, world) -> None:
    for method, path, body in staff_routes(world):
        response = await _call(client, method, path, body)
        if path.startswith("/api/"):
            assert response.status_code == 401, (method, path)
            assert response.json()["code"] == "auth.required"
        else:
            assert response.status_code in (302, 303) and response.headers["location"].startswith(
                "/signin"
            ), path


async def test_learners_cannot_use_staff_routes(client, world) -> None:
    resident = world.residents[0]
    for method, path, body in staff_routes(world):
        response = await _call(client, method, path, body, resident.headers)
        assert response.status_code == 403, (method, path, response.status_code)


async def test_staff_of_another_program_get_403(client, world) -> None:
    outsider = await make_staff()
    for method, path, body in staff_routes(world):
        response = await _call(client, method, path, body, outsider.headers)
        assert response.status_code == 403, (method, path, response.status_code)
        if path.startswith("/api/"):
            assert response.json()["code"] in ("cohort.not_your_program", "program.not_found"), path
    progress = await _call(
        client,
        "GET",
        f"/api/v1/cohorts/{world.cohort_id}/progress/{world.residents[0].id}",
        None,
        outsider.headers,
    )
    assert progress.status_code == 403


async def test_the_programs_own_staff_and_admins_are_allowed(client, world) -> None:
    admin = await make_actor(Role.ADMIN)
    for who in (world.staff, admin):
        for method, path, body in staff_routes(world):
            if method != "GET":
                continue
            response = await _call(client, method, path, body, who.headers)
            assert response.status_code == 200, (method, path, response.status_code)


async def test_learners_see_only_their_own_records(client, world) -> None:
    me, neighbour = world.residents
    stranger = await make_actor(Role.MEMBER)
    own = f"/api/v1/cohorts/{world.cohort_id}/progress/{me.id}"
    assert (await _call(client, "GET", own, None, me.headers)).status_code == 200
    assert (await _call(client, "GET", own, None, neighbour.headers)).status_code == 404
    assert (await _call(client, "GET", own, None, stranger.headers)).status_code == 404
    assert (
        await _call(client, "GET", f"/api/v1/transcripts/{me.id}", None, neighbour.headers)
    ).status_code == 404
    assert (
        await _call(client, "GET", f"/my/cohorts/{world.cohort_id}", None, stranger.headers)
    ).status_code == 404
    page = await _call(client, "GET", f"/my/cohorts/{world.cohort_id}", None, me.headers)
    assert page.status_code == 200 and neighbour.email.split("@")[0].title() not in page.text
    rungs = f"/api/v1/programs/{world.program_id}/fellows/{me.id}/rungs"
    assert (await _call(client, "GET", rungs, None, me.headers)).status_code == 200
    assert (await _call(client, "GET", rungs, None, neighbour.headers)).status_code == 404


async def test_certificate_verification_needs_no_sign_in(client, world) -> None:
    code = (await world.progress(world.residents[0], world.residents[0]))["certificate_code"]
    assert code is None  # the deliverable is still missing
    assert (await client.get("/verify")).status_code == 200
    assert (await client.get("/api/v1/certificates/ABCD-EFGH-JKMN")).status_code == 404
