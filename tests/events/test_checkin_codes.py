"""Self check-in: only with the rotating code, only while the session is open; guessing is throttled."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from accounts.principal import Role
from events.services.checkin import codes as checkin_codes
from events.services.checkin.codes import accepts, code_at, is_open, seconds_left, window
from events.tables import CheckIn, CheckInCodeFailure, Event, Registration, Session
from grandrounds.db import now
from tests.builders.checkin import register, ticket_code_of, webinar
from tests.builders.people import make_actor

SECRET = "9f" * 32
T0 = datetime(2027, 3, 5, 14, 0, 30, tzinfo=UTC)  # half-way through a step


# --- the pure rules -----------------------------------------------------------------------------------


def test_the_code_is_six_digits_and_the_same_for_the_whole_minute() -> None:
    code = code_at(SECRET, T0)
    assert len(code) == 6 and code.isdigit()
    assert code_at(SECRET, T0.replace(second=0)) == code == code_at(SECRET, T0.replace(second=59))
    minutes = [T0 + timedelta(minutes=m) for m in range(20)]
    assert len({code_at(SECRET, m) for m in minutes}) >= 19  # it moves on every minute
    assert [code_at(SECRET, m) for m in minutes] != [code_at("another secret", m) for m in minutes]


@pytest.mark.parametrize(
    ("shown_at", "accepted"),
    [
        (T0, True),  # the code on the screen now
        (T0 - timedelta(seconds=60), True),  # the one just before it changed
        (T0 - timedelta(seconds=120), False),  # two steps back: stale
        (T0 - timedelta(hours=1), False),
        (T0 + timedelta(seconds=60), False),  # the next step's code is not out yet
    ],
)
def test_the_code_of_now_and_one_step_back_is_accepted_but_not_older(shown_at, accepted) -> None:
    assert accepts(SECRET, code_at(SECRET, shown_at), T0) is accepted


@pytest.mark.parametrize("typed", ["{a} {b}", "{a}-{b}", " {a}{b} "])
def test_spaces_and_dashes_people_type_are_ignored(typed) -> None:
    code = code_at(SECRET, T0)
    assert accepts(SECRET, typed.format(a=code[:3], b=code[3:]), T0)


@pytest.mark.parametrize("typed", ["", "12345", "1234567", "abcdef", "12345é", "¹²³456"])
def test_malformed_codes_are_refused(typed) -> None:
    assert not accepts(SECRET, typed, T0)


def test_digits_typed_on_another_scripts_keyboard_count() -> None:
    arabic_indic = "".join(chr(0x0660 + int(d)) for d in code_at(SECRET, T0))
    assert accepts(SECRET, arabic_indic, T0)


def test_seconds_left_counts_down_to_the_next_code() -> None:
    assert seconds_left(T0) == 30
    assert seconds_left(T0.replace(second=0)) == 60
    assert seconds_left(T0.replace(second=59)) == 1


START = datetime(2027, 3, 5, 14, 0, tzinfo=UTC)
END = START + timedelta(hours=1)


@pytest.mark.parametrize(
    ("at", "open_"),
    [
        (START - timedelta(minutes=16), False),
        (START - timedelta(minutes=15), True),  # people arrive early
        (START + timedelta(minutes=30), True),
        (END - timedelta(seconds=1), True),
        (END, False),  # a code entered after the end proves nothing
        (END + timedelta(hours=2), False),
    ],
)
def test_self_check_in_is_open_from_15_minutes_before_the_start_until_the_end(at, open_) -> None:
    assert is_open(START, END, at) is open_
    assert window(START, END) == (START - timedelta(minutes=15), END)


# --- through the API --------------------------------------------------------------------------------------


async def _secret(session_id: int) -> str:
    row = await Session.select(Session.checkin_secret).where(Session.id == session_id).first()
    assert row is not None and row["checkin_secret"]
    return str(row["checkin_secret"])


def self_path(session_id: int) -> str:
    return f"/api/v1/sessions/{session_id}/self-checkin"


async def test_a_confirmed_registrant_checks_in_with_the_code_once(client) -> None:
    world = await webinar(client, open_now=True)
    person, reg_id, _ = await register(client, world.event_id)
    code = code_at(await _secret(world.session_id), now())
    first = await client.post(self_path(world.session_id), json={"code": code}, headers=person.headers)
    assert first.status_code == 201, first.text
    assert first.json()["method"] == "self" and first.json()["by_person_id"] == person.id
    again = await client.post(self_path(world.session_id), json={"code": code}, headers=person.headers)
    assert again.status_code == 200 and again.json()["already"] is True
    row = await CheckIn.select().first()
    assert row is not None and (row["registration"], row["method"]) == (reg_id, "self")
    assert await CheckIn.count() == 1


async def test_simultaneous_self_check_ins_leave_one_record(client) -> None:
    world = await webinar(client, open_now=True)
    person, _, _ = await register(client, world.event_id)
    code = code_at(await _secret(world.session_id), now())
    responses = await asyncio.gather(
        *(
            client.post(self_path(world.session_id), json={"code": code}, headers=person.headers)
            for _ in range(10)
        )
    )
    assert sorted(r.status_code for r in responses) == [200] * 9 + [201], [r.text for r in responses]
    assert await CheckIn.count() == 1


async def test_a_wrong_code_is_refused_and_guessing_is_throttled(client) -> None:
    world = await webinar(client, open_now=True)
    person, _, _ = await register(client, world.event_id)
    neighbour, _, _ = await register(client, world.event_id)
    secret = await _secret(world.session_id)
    right = code_at(secret, now())
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    for _ in range(checkin_codes.MAX_WRONG_CODES):
        response = await client.post(
            self_path(world.session_id), json={"code": wrong}, headers=person.headers
        )
        assert response.status_code == 400 and response.json()["code"] == "checkin.code_invalid"
    blocked = await client.post(self_path(world.session_id), json={"code": right}, headers=person.headers)
    assert blocked.status_code == 429 and blocked.json()["code"] == "checkin.too_many_attempts"
    assert 0 < blocked.json()["details"]["retry_after"] <= 600
    # Someone else in the room is not held up by it.
    ok = await client.post(self_path(world.session_id), json={"code": right}, headers=neighbour.headers)
    assert ok.status_code == 201
    # Ten minutes later the person may try again.
    await CheckInCodeFailure.update({CheckInCodeFailure.at: now() - timedelta(minutes=11)}).where(
        CheckInCodeFailure.person == person.id
    )
    later = await client.post(
        self_path(world.session_id), json={"code": code_at(secret, now())}, headers=person.headers
    )
    assert later.status_code == 201, later.text
    assert await CheckIn.count() == 2


@pytest.mark.parametrize(
    ("starts_in", "lasts"),
    [(timedelta(minutes=16), timedelta(hours=1)), (timedelta(hours=-2), timedelta(hours=1))],
    ids=["not yet open", "already over"],
)
async def test_self_check_in_is_refused_outside_the_open_window(client, starts_in, lasts) -> None:
    world = await webinar(client)
    person, _, _ = await register(client, world.event_id)
    start = now() + starts_in
    await Session.update({Session.starts_at: start, Session.ends_at: start + lasts}).where(
        Session.id == world.session_id
    )
    code = code_at(await _secret(world.session_id), now())
    response = await client.post(self_path(world.session_id), json={"code": code}, headers=person.headers)
    assert response.status_code == 409 and response.json()["code"] == "checkin.session_closed"
    assert await CheckIn.count() == 0


async def test_only_confirmed_registrants_may_check_themselves_in(client) -> None:
    world = await webinar(client, capacity=1, open_now=True)
    await register(client, world.event_id)
    waiting, _, status = await register(client, world.event_id)
    assert status == "waitlisted"
    stranger = await make_actor(Role.MEMBER)
    code = code_at(await _secret(world.session_id), now())
    response = await client.post(self_path(world.session_id), json={"code": code}, headers=waiting.headers)
    assert response.status_code == 409 and response.json()["code"] == "checkin.not_confirmed"
    response = await client.post(self_path(world.session_id), json={"code": code}, headers=stranger.headers)
    assert response.status_code == 403 and response.json()["code"] == "checkin.not_registered"
    anonymous = await client.post(self_path(world.session_id), json={"code": code})
    assert anonymous.status_code == 401
    missing = await client.post(self_path(999_999), json={"code": code}, headers=stranger.headers)
    assert missing.status_code == 404 and missing.json()["code"] == "session.not_found"
    assert await CheckIn.count() == 0


async def test_a_cancelled_session_refuses_self_check_in(client) -> None:
    world = await webinar(client, open_now=True)
    person, _, _ = await register(client, world.event_id)
    code = code_at(await _secret(world.session_id), now())
    await Event.update({Event.status: "cancelled"}).where(Event.id == world.event_id)
    response = await client.post(self_path(world.session_id), json={"code": code}, headers=person.headers)
    assert response.status_code == 409 and response.json()["code"] == "checkin.session_cancelled"


async def test_a_person_cannot_check_themselves_in_any_other_way(client) -> None:
    """Their own ticket code is not the room's code, and the staff route refuses them."""
    world = await webinar(client, open_now=True)
    person, reg_id, _ = await register(client, world.event_id)
    ticket = await ticket_code_of(reg_id)
    attempts = [
        client.post(self_path(world.session_id), json={"code": ticket}, headers=person.headers),
        client.post(self_path(world.session_id), json={"code": "000000", "x": 1}, headers=person.headers),
        client.post(
            f"/api/v1/sessions/{world.session_id}/checkins",
            json={"ticket_code": ticket},
            headers=person.headers,
        ),
        client.post(
            f"/api/v1/sessions/{world.session_id}/checkins",
            json={"registration_id": reg_id},
            headers=person.headers,
        ),
    ]
    statuses = [(await attempt).status_code for attempt in attempts]
    assert statuses == [400, 400, 403, 403]
    assert await CheckIn.count() == 0


async def test_staff_get_the_current_code_and_a_secret_is_made_when_missing(client) -> None:
    world = await webinar(client, open_now=True)
    await Session.update({Session.checkin_secret: ""}).where(Session.id == world.session_id)
    response = await client.get(
        f"/api/v1/sessions/{world.session_id}/checkin-code", headers=world.staff.headers
    )
    assert response.status_code == 200 and response.headers["cache-control"] == "no-store"
    body = response.json()
    secret = await _secret(world.session_id)
    assert body["code"] in {code_at(secret, now()), code_at(secret, now() - timedelta(seconds=60))}
    assert 1 <= body["seconds_left"] <= 60 and body["open"] is True
    assert body["self_checkin_url"].endswith(f"/checkin/{world.session_id}") and secret not in response.text
    person, _, _ = await register(client, world.event_id)
    used = await client.post(self_path(world.session_id), json={"code": body["code"]}, headers=person.headers)
    assert used.status_code == 201, used.text
    again = await client.get(f"/api/v1/sessions/{world.session_id}/checkin-code", headers=world.staff.headers)
    assert await _secret(world.session_id) == secret and again.json()["code"] in {
        code_at(secret, now()),
        code_at(secret, now() - timedelta(seconds=60)),
    }


async def test_a_session_seat_holder_checks_in_to_that_session_only(client) -> None:
    world = await webinar(client, open_now=True)
    session = await Session.select().where(Session.id == world.session_id).first()
    assert session is not None
    other = (
        await Session.insert(
            Session(
                event=world.event_id,
                title="Lab",
                starts_at=session["starts_at"],
                ends_at=session["ends_at"],
                checkin_secret="ab" * 32,
            )
        ).returning(Session.id)
    )[0]["id"]
    person = await make_actor(Role.MEMBER)
    await Registration.insert(
        Registration(
            event=world.event_id, person=person.id, email_key=person.email, status="confirmed", session=other
        )
    )
    main_code = code_at(await _secret(world.session_id), now())
    refused = await client.post(self_path(world.session_id), json={"code": main_code}, headers=person.headers)
    assert refused.status_code == 403 and refused.json()["code"] == "checkin.not_registered"
    ok = await client.post(self_path(other), json={"code": code_at("ab" * 32, now())}, headers=person.headers)
    assert ok.status_code == 201, ok.text
