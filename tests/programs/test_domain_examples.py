"""Every worked example of DOMAIN.md's programs section, through the real services and API."""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest

from tests.builders.cohorts import check_in, hours_ago, make_session, make_world
from tests.builders.zoom import zoom_report


@pytest.mark.parametrize(
    ("statuses", "future", "current", "best"),
    [
        (["Present", "Late", "Absent"], 0, "50%", "50%"),
        (["Present", "Late", "Absent"], 1, "37.5%", "62.5%"),
    ],
)
async def test_attendance_percent_over_all_sessions_and_best_possible(
    client, statuses, future, current, best
) -> None:
    specs = [(f"Session {i}", hours_ago(100 - i), False) for i in range(len(statuses))]
    specs += [(f"Future {i}", hours_ago(-48 - i), False) for i in range(future)]
    world = await make_world(client, sessions=specs)
    me = world.residents[0]
    for session_id, status in zip(world.sessions, statuses, strict=False):
        await world.mark(session_id, me, status)
    progress = await world.progress(me)
    assert progress["attendance_percent"] == current
    assert progress["attendance_best_possible"] == best


@pytest.mark.parametrize(
    ("excused_policy", "expected", "state"),
    [("leave_denominator", "87.5%", "cannot_complete"), ("count_as_present", "90%", "complete")],
)
async def test_excused_absences_count_as_the_program_chooses(client, excused_policy, expected, state) -> None:
    specs = [(f"Session {i}", hours_ago(200 - i), False) for i in range(10)]
    world = await make_world(
        client, sessions=specs, policy={"min_attendance_percent": 90, "excused_policy": excused_policy}
    )
    me = world.residents[0]
    for session_id, status in zip(
        world.sessions, ["Present"] * 7 + ["Excused"] * 2 + ["Absent"], strict=True
    ):
        await world.mark(session_id, me, status)
    progress = await world.progress(me)
    assert progress["attendance_percent"] == expected
    assert progress["state"] == state


async def test_default_excused_policy_leaves_the_denominator(client) -> None:
    world = await make_world(client, policy={})
    cohort = (await world.api("GET", f"/api/v1/cohorts/{world.cohort_id}")).json()
    assert cohort["policy"]["excused_policy"] == "leave_denominator"


@pytest.mark.parametrize(
    ("offset", "expected"),
    [
        (timedelta(minutes=5), "Present"),
        (timedelta(minutes=30), "Late"),
        (timedelta(minutes=61), "Absent"),
        (timedelta(minutes=90), "Absent"),
    ],
    ids=["+5 present", "+30 late", "+61 absent", "after the end absent"],
)
async def test_check_in_time_sets_the_status(client, offset, expected) -> None:
    start = hours_ago(3)
    world = await make_world(client, sessions=[("Crisis communication", start, True)])
    me = world.residents[0]
    await check_in(world.sessions[0], me.id, start + offset)
    sheet = await world.api(
        "GET", f"/api/v1/cohorts/{world.cohort_id}/sessions/{world.sessions[0]}/attendance"
    )
    assert sheet.status_code == 200, sheet.text
    [row] = sheet.json()
    assert (row["status"], row["source"]) == (expected, "check_in")


@pytest.mark.parametrize("order", list(itertools.permutations([(0, 10), (20, 30), (5, 25)])))
async def test_intervals_are_clipped_merged_and_summed_in_any_order(client, order) -> None:
    start = hours_ago(5)
    world = await make_world(client, sessions=[("Webinar", start, False)])
    me = world.residents[0]
    rows = [
        (me.email, "Resident", start + timedelta(minutes=a), start + timedelta(minutes=b)) for a, b in order
    ]
    imported = await world.api(
        "POST",
        f"/api/v1/cohorts/{world.cohort_id}/sessions/{world.sessions[0]}/imports",
        files={"file": ("report.csv", zoom_report(rows, zone="America/New_York"), "text/csv")},
        data={"time_zone": "America/New_York"},
    )
    assert imported.status_code == 201, imported.text
    [row] = (
        await world.api("GET", f"/api/v1/cohorts/{world.cohort_id}/sessions/{world.sessions[0]}/attendance")
    ).json()
    assert row["minutes"] == "30"


@pytest.mark.parametrize(("minutes", "credits"), [(52, "0.75"), (67, "1.00"), (45, "0.75")])
async def test_cme_credit_rounds_to_the_quarter_and_is_capped(client, minutes, credits) -> None:
    start = hours_ago(5)
    world = await make_world(client, sessions=[])
    session_id = await make_session(world.program_id, "Long webinar", start, minutes=90, cme_quarters=4)
    await world.api("POST", f"/api/v1/cohorts/{world.cohort_id}/sessions", json={"session_id": session_id})
    me = world.residents[0]
    row = await world.mark(session_id, me, "Present", minutes=minutes)
    assert row["credits"] == credits
    transcript = (await world.api("GET", f"/api/v1/transcripts/{me.id}", me)).json()
    assert transcript["total_credits"] == credits


async def test_a_rung_cannot_be_granted_before_the_one_below(client) -> None:
    world = await make_world(client, kind="fellows", sessions=[])
    fellow = world.residents[0]
    url = f"/api/v1/programs/{world.program_id}/fellows/{fellow.id}/rungs"
    refused = await world.api("POST", url, json={"rung": "Silver"})
    assert refused.status_code == 409
    assert refused.json()["code"] == "ladder.out_of_order"
    assert refused.json()["message"] == "Silver cannot be granted before Bronze."
    assert (await world.api("POST", url, json={"rung": "Bronze"})).status_code == 201
    assert (await world.api("POST", url, json={"rung": "Gold"})).json()["details"]["missing"] == "Silver"
    granted = await world.api("POST", url, json={"rung": "Silver"})
    assert granted.json() == {
        "program_id": world.program_id,
        "person_id": fellow.id,
        "rungs": ["Bronze", "Silver"],
        "current": "Silver",
    }
    again = await world.api("POST", url, json={"rung": "silver"})
    assert again.status_code == 409 and again.json()["code"] == "ladder.already_granted"
