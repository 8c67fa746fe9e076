"""Legal holds: admins place and release them (audited), bad input writes nothing, and an open hold keeps
its scope out of the plan and the run until it is released."""

from __future__ import annotations

import pytest

from accounts.principal import Role
from accounts.tables import Person
from notifications.tables import OutboxMessage
from records.inventory import RetentionClass
from records.services import retention
from records.tables import LegalHold
from tests.builders.audit import audit_rows
from tests.builders.clients import csrf_from, sign_in
from tests.builders.people import make_actor, make_staff
from tests.builders.records import (
    audit_row,
    cme_cohort,
    earn,
    message,
    past_event,
    person,
    register,
    stale_credentials,
)

HOLDS = "/api/v1/admin/legal-holds"


async def test_an_admin_places_lists_and_releases_a_hold_and_each_change_is_audited(client) -> None:
    admin = await make_actor(Role.ADMIN)
    jane = await make_actor(Role.MEMBER)
    body = {"reason": "  Claim 2026-114:  billing dispute ", "scope_kind": "person", "scope_id": jane.id}
    placed = await client.post(HOLDS, json=body, headers=admin.headers)
    assert placed.status_code == 201, placed.text
    hold = placed.json()
    assert (hold["reason"], hold["scope_kind"], hold["scope_id"], hold["active"]) == (
        "Claim 2026-114: billing dispute", "person", jane.id, True,
    )  # fmt: skip
    name = await Person.select(Person.name).where(Person.id == jane.id).first()
    assert name == {"name": hold["scope_label"]}
    [entry] = await audit_rows("legal_hold.place")
    assert (entry["actor_id"], entry["subject_id"], entry["object_id"]) == (
        admin.id,
        jane.id,
        str(hold["id"]),
    )

    listed = await client.get(HOLDS, headers=admin.headers)
    assert [h["id"] for h in listed.json()] == [hold["id"]]

    released = await client.post(f"{HOLDS}/{hold['id']}/release", headers=admin.headers)
    assert released.status_code == 200, released.text
    assert released.json()["active"] is False and released.json()["released_by"] == admin.id
    assert len(await audit_rows("legal_hold.release")) == 1

    again = await client.post(f"{HOLDS}/{hold['id']}/release", headers=admin.headers)
    assert (again.status_code, again.json()["code"]) == (409, "legal_hold.already_released")
    assert len(await audit_rows("legal_hold.release")) == 1


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        (
            {"reason": "Claim", "scope_kind": "organization", "scope_id": 1},
            400,
            "legal_hold.scope_kind_unknown",
        ),
        ({"reason": "Claim", "scope_kind": "event", "scope_id": 999999}, 404, "legal_hold.scope_not_found"),
        ({"reason": "Claim", "scope_kind": "cohort", "scope_id": 0}, 404, "legal_hold.scope_not_found"),
        ({"reason": "   ", "scope_kind": "person", "scope_id": 1}, 400, "legal_hold.reason_blank"),
        ({"reason": "x" * 501, "scope_kind": "person", "scope_id": 1}, 400, "legal_hold.reason_too_long"),
        ({"reason": "Claim", "scope_kind": "person"}, 400, "request.invalid"),
        ({"reason": "Claim", "scope_kind": "person", "scope_id": "one"}, 400, "request.invalid"),
    ],
)
async def test_bad_input_is_a_4xx_with_a_code_and_nothing_is_written(client, body, status, code) -> None:
    admin = await make_actor(Role.ADMIN)
    if body.get("scope_id") == 1:
        body = {**body, "scope_id": admin.id}
    answer = await client.post(HOLDS, json=body, headers=admin.headers)
    assert (answer.status_code, answer.json()["code"]) == (status, code), answer.text
    assert await LegalHold.count() == 0
    assert await audit_rows("legal_hold.place") == []


async def test_releasing_an_unknown_hold_is_404(client) -> None:
    admin = await make_actor(Role.ADMIN)
    answer = await client.post(f"{HOLDS}/4242/release", headers=admin.headers)
    assert (answer.status_code, answer.json()["code"]) == (404, "legal_hold.not_found")


async def test_only_admins_see_or_change_holds(client) -> None:
    jane = await make_actor(Role.MEMBER)
    body = {"reason": "Claim", "scope_kind": "person", "scope_id": jane.id}
    for who in (await make_staff(), await make_actor(Role.FINANCE), jane):
        assert (await client.get(HOLDS, headers=who.headers)).status_code == 403
        assert (await client.post(HOLDS, json=body, headers=who.headers)).status_code == 403
        assert (await client.get("/admin/legal-holds", headers=who.headers)).status_code == 403
        assert (await client.get("/admin/retention", headers=who.headers)).status_code == 403
    assert (await client.get(HOLDS)).status_code == 401
    assert await LegalHold.count() == 0


async def test_the_admin_page_places_and_releases_holds_and_shows_mistakes(client) -> None:
    admin = await make_actor(Role.ADMIN)
    event_id = await past_event(10, "Grand Rounds: the inquiry")
    await sign_in(client, admin)
    page = await client.get("/admin/legal-holds")
    assert page.status_code == 200 and "No legal holds." in page.text
    token = csrf_from(page.text)

    wrong = await client.post(
        "/admin/legal-holds",
        data={"scope_kind": "event", "scope_id": "99999", "reason": "Inquiry", "_csrf_token": token},
    )
    assert (
        wrong.status_code == 404 and "No such event to hold" in wrong.text and 'value="Inquiry"' in wrong.text
    )
    not_a_number = await client.post(
        "/admin/legal-holds",
        data={"scope_kind": "event", "scope_id": "ten", "reason": "Inquiry", "_csrf_token": token},
    )
    assert not_a_number.status_code == 400 and "as a number" in not_a_number.text
    assert await LegalHold.count() == 0

    placed = await client.post(
        "/admin/legal-holds",
        data={"scope_kind": "event", "scope_id": str(event_id), "reason": "Inquiry 7", "_csrf_token": token},
    )
    assert placed.status_code == 303 and placed.headers["location"] == "/admin/legal-holds?done=placed"
    [hold] = await LegalHold.select()
    listing = await client.get("/admin/legal-holds?done=placed")
    assert "Hold placed." in listing.text and "Grand Rounds: the inquiry" in listing.text
    assert f'action="/admin/legal-holds/{hold["id"]}/release"' in listing.text

    released = await client.post(f"/admin/legal-holds/{hold['id']}/release", data={"_csrf_token": token})
    assert released.status_code == 303
    twice = await client.post(f"/admin/legal-holds/{hold['id']}/release", data={"_csrf_token": token})
    assert twice.status_code == 409 and "released already" in twice.text
    assert [len(await audit_rows(code)) for code in ("legal_hold.place", "legal_hold.release")] == [1, 1]


async def test_the_retention_page_shows_the_periods_and_the_plan(client) -> None:
    admin = await make_actor(Role.ADMIN)
    old_guest = await person(Role.GUEST, days=800, verified=False)
    await sign_in(client, admin)
    page = await client.get("/admin/retention")
    assert page.status_code == 200
    assert "GRANDROUNDS_RETENTION_CME_DAYS" in page.text and '<td class="days">2192</td>' in page.text
    row = page.text.split('<tr data-class="guest_account">')[2].split("</tr>")[0]
    assert '<td class="count">1</td>' in row
    assert await Person.count().where(Person.id == old_guest.id) == 1
    assert await audit_rows("retention.run") == [], "the page changes nothing"


OLD = 1200


@pytest.mark.parametrize("scope", ["person", "event", "cohort"])
async def test_a_hold_keeps_its_scope_out_of_the_plan_and_the_run_until_released(client, scope: str) -> None:
    admin = await make_actor(Role.ADMIN)
    event_id = await past_event(OLD)
    jane = await person(Role.MEMBER, days=OLD + 2000, degree="MD")
    await register(event_id, jane, amount=3000)
    cme = await cme_cohort(ended_days_ago=2300)  # past the CME period: the record no longer keeps her
    await earn(cme, jane, "Jane Held")
    mail = await message(jane, days=200)
    stale = (await stale_credentials(jane, OLD + 100)).ids
    trail = await audit_row(2600, subject_id=jane.id)
    scope_id = {"person": jane.id, "event": event_id, "cohort": cme.cohort_id}[scope]
    placed = await client.post(
        HOLDS,
        json={"reason": "Litigation hold", "scope_kind": scope, "scope_id": scope_id},
        headers=admin.headers,
    )
    assert placed.status_code == 201, placed.text

    plan = await retention.plan()
    assert plan.of(RetentionClass.ATTENDEE).rows == {} and plan.of(RetentionClass.ATTENDEE).held == 1
    assert plan.of(RetentionClass.MESSAGE_BODY).rows == {} and plan.of(RetentionClass.MESSAGE_BODY).held == 1
    assert plan.of(RetentionClass.CREDENTIAL).rows == {}
    assert plan.of(RetentionClass.CREDENTIAL).held == sum(len(ids) for ids in stale.values())
    assert trail not in plan.of(RetentionClass.AUDIT).rows.get("accounts_audit_entry", ())
    [held] = plan.holds
    assert (held.scope_kind, held.scope_id, jane.id in held.people) == (scope, scope_id, True)
    assert any("Litigation hold" in line for line in retention.describe(plan))
    await retention.apply(plan)
    row = await Person.select(Person.email).where(Person.id == jane.id).first()
    assert row == {"email": jane.email}, "held: not anonymized"
    kept_mail = await OutboxMessage.select(OutboxMessage.context).where(OutboxMessage.id == mail).first()
    assert kept_mail is not None and "Grand Rounds" in str(kept_mail["context"])

    released = await client.post(f"{HOLDS}/{placed.json()['id']}/release", headers=admin.headers)
    assert released.status_code == 200
    plan = await retention.plan()
    assert plan.of(RetentionClass.ATTENDEE).rows == {"accounts_person": (jane.id,)}
    assert plan.of(RetentionClass.MESSAGE_BODY).rows == {"notifications_outbox": (mail,)}
    assert {t: set(ids) for t, ids in plan.of(RetentionClass.CREDENTIAL).rows.items()} == {
        t: set(ids) for t, ids in stale.items()
    }
    assert trail in plan.of(RetentionClass.AUDIT).rows["accounts_audit_entry"]
    result = await retention.apply(plan)
    assert result.done["attendee"] == 1
    assert await Person.count().where((Person.id == jane.id) & Person.email.like("%@erased.invalid")) == 1
