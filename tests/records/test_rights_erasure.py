"""Erasure: the person asks, an admin carries it out (unless a legal hold covers them) or declines."""

from __future__ import annotations

from accounts.principal import Role
from accounts.tables import Person
from events.tables import Registration
from records.tables import ErasureRequest
from tests.builders.audit import audit_rows
from tests.builders.clients import csrf_from, sign_in
from tests.builders.people import PASSWORD, Actor, make_actor, make_staff
from tests.builders.records import invariants
from tests.builders.rights import someone_with_everything


async def _ask(client, who: Actor, **body: object):  # type: ignore[no-untyped-def]
    return await client.post("/api/v1/me/erasure", json=body, headers=who.headers)


async def _carry_out(client, admin: Actor, request_id: int):  # type: ignore[no-untyped-def]
    return await client.post(f"/api/v1/admin/erasures/{request_id}/carry-out", headers=admin.headers)


async def _hold(client, admin: Actor, reason: str, kind: str, scope_id: int) -> int:  # type: ignore[no-untyped-def]
    placed = await client.post(
        "/api/v1/admin/legal-holds",
        json={"reason": reason, "scope_kind": kind, "scope_id": scope_id},
        headers=admin.headers,
    )
    assert placed.status_code == 201, placed.text
    return int(placed.json()["id"])


async def _release(client, admin: Actor, hold_id: int) -> None:  # type: ignore[no-untyped-def]
    released = await client.post(f"/api/v1/admin/legal-holds/{hold_id}/release", headers=admin.headers)
    assert released.status_code == 200, released.text


async def test_carried_out_the_person_is_gone_and_every_figure_stays(client) -> None:
    someone = await someone_with_everything(client, paid=2)
    me, admin = someone.actor, await make_actor(Role.ADMIN)
    asked = await _ask(client, me, reason="Leaving medicine")
    assert asked.status_code == 201, asked.text
    request = asked.json()
    assert (request["status"], request["person_id"], request["reason"]) == (
        "pending",
        me.id,
        "Leaving medicine",
    )
    [row] = await audit_rows("erasure.request")
    assert (row["actor_id"], row["subject_id"], row["object_id"]) == (me.id, me.id, str(request["id"]))
    assert row["changes"] == {"status": [None, "pending"], "reason_given": True}, "never their words"

    again = await _ask(client, me)
    assert (again.status_code, again.json()["code"]) == (409, "erasure.already_pending")
    assert await ErasureRequest.count() == 1 and len(await audit_rows("erasure.request")) == 1
    await sign_in(client, me)
    assert "Erasure request" in (await client.get("/account")).text

    listed = (await client.get("/api/v1/admin/erasures", headers=admin.headers)).json()
    assert [(r["id"], r["holds"]) for r in listed] == [(request["id"], [])]
    before = await invariants([me.id], [someone.certificate_code])

    done = await _carry_out(client, admin, request["id"])
    assert done.status_code == 200, done.text
    outcome = done.json()["outcome"]
    assert done.json()["status"] == "carried_out" and done.json()["decided_by"] == admin.id
    assert outcome["pseudonym"].startswith("Former participant ")
    assert outcome["rows_anonymized"]["accounts_person"] == 1
    kept = {k["what"]: k for k in outcome["kept"]}
    assert kept["ledger lines"]["rows"] == 4 and "7 years" in kept["ledger lines"]["why"]
    cme = kept["CME records and certificates"]
    assert (cme["attendance_records"], cme["certificates"]) == (3, 1) and "6 years" in cme["why"]
    assert all(k["under"] == outcome["pseudonym"] for k in kept.values())
    assert await invariants([me.id], [someone.certificate_code]) == before
    stored = await ErasureRequest.select(ErasureRequest.reason).where(ErasureRequest.id == request["id"])
    assert stored == [{"reason": ""}], "their words went with the rest of who they were"

    [erase] = await audit_rows("person.erase")
    assert (erase["actor_id"], erase["subject_id"]) == (admin.id, me.id)
    person = await Person.select(Person.name, Person.email).where(Person.id == me.id).first()
    assert person is not None and person["name"] == outcome["pseudonym"] and me.email not in person["email"]

    client.cookies.clear()
    signin = await client.post("/api/v1/auth/signin", json={"email": me.email, "password": PASSWORD})
    assert (signin.status_code, signin.json()["code"]) == (401, "auth.invalid_credentials")
    form = await client.get("/signin")
    page = await client.post(
        "/signin", data={"email": me.email, "password": PASSWORD, "_csrf_token": csrf_from(form.text)}
    )
    assert page.status_code == 401 and "gr_session" not in page.cookies
    assert (await client.get("/api/v1/me/", headers=me.headers)).status_code == 401

    twice = await _carry_out(client, admin, request["id"])
    assert (twice.status_code, twice.json()["code"]) == (409, "erasure.not_pending")
    assert len(await audit_rows("person.erase")) == 1


async def test_a_legal_hold_refuses_erasure_and_names_the_hold(client) -> None:
    me, admin = await make_actor(Role.MEMBER), await make_actor(Role.ADMIN)
    request_id = (await _ask(client, me)).json()["id"]
    hold_id = await _hold(client, admin, "Malpractice claim 2027-14", "person", me.id)

    listed = (await client.get("/api/v1/admin/erasures", headers=admin.headers)).json()
    assert listed[0]["holds"] == [{"id": hold_id, "reason": "Malpractice claim 2027-14"}]
    refused = await _carry_out(client, admin, request_id)
    assert refused.status_code == 409, refused.text
    body = refused.json()
    assert body["code"] == "records.erasure_held" and "Malpractice claim 2027-14" in body["message"]
    assert body["details"]["holds"] == [{"id": hold_id, "reason": "Malpractice claim 2027-14"}]
    assert await audit_rows("person.erase") == []
    status = await ErasureRequest.select(ErasureRequest.status).where(ErasureRequest.id == request_id).first()
    assert status == {"status": "pending"}
    await sign_in(client, me)  # still their account

    await sign_in(client, admin)
    page = await client.get("/admin/erasures")
    assert "Malpractice claim 2027-14" in page.text
    assert f'action="/admin/erasures/{request_id}/carry-out"' not in page.text
    forced = await client.post(
        f"/admin/erasures/{request_id}/carry-out", data={"_csrf_token": csrf_from(page.text)}
    )
    assert forced.status_code == 409 and "Malpractice claim 2027-14" in forced.text
    assert await audit_rows("person.erase") == []

    await _release(client, admin, hold_id)
    assert (await _carry_out(client, admin, request_id)).status_code == 200
    assert len(await audit_rows("person.erase")) == 1


async def test_a_hold_on_an_event_they_attended_covers_them_too(client) -> None:
    someone = await someone_with_everything(client, paid=1)
    me, admin = someone.actor, await make_actor(Role.ADMIN)
    request_id = (await _ask(client, me)).json()["id"]
    registration = await Registration.select(Registration.event).where(Registration.id == someone.paid[0])
    hold_id = await _hold(client, admin, "Chargeback inquiry", "event", registration[0]["event"])
    refused = await _carry_out(client, admin, request_id)
    assert refused.status_code == 409 and refused.json()["code"] == "records.erasure_held"
    assert refused.json()["details"]["holds"] == [{"id": hold_id, "reason": "Chargeback inquiry"}]
    assert await audit_rows("person.erase") == []


async def test_nobody_asks_to_erase_someone_else(client) -> None:
    me, other = await make_actor(Role.MEMBER), await make_actor(Role.MEMBER)
    for named in (other.id, me.id):
        refused = await _ask(client, me, person_id=named)
        assert (refused.status_code, refused.json()["code"]) == (400, "erasure.own_only")
    assert (await _ask(client, me, subject=other.id)).status_code == 400
    assert (await _ask(client, me, reason="x" * 1001)).status_code == 400
    assert await ErasureRequest.count() == 0 and await audit_rows() == []
    assert (await client.post("/api/v1/me/erasure", json={})).status_code == 401

    await sign_in(client, me)
    form = await client.get("/account/erasure")
    asked = await client.post(
        "/account/erasure",
        data={"reason": "", "person_id": str(other.id), "_csrf_token": csrf_from(form.text)},
    )
    assert asked.status_code == 303, asked.text
    rows = await ErasureRequest.select(ErasureRequest.person)
    assert rows == [{"person": me.id}], "a person id in the form is ignored"
    assert "waiting for an admin" in (await client.get("/account/erasure")).text


async def test_an_admin_declines_with_a_reason_the_person_reads(client) -> None:
    me, admin = await make_actor(Role.MEMBER), await make_actor(Role.ADMIN)
    request_id = (await _ask(client, me)).json()["id"]
    for outsider in (me, await make_staff()):
        assert (await client.get("/api/v1/admin/erasures", headers=outsider.headers)).status_code == 403
        assert (await _carry_out(client, outsider, request_id)).status_code == 403
        declined = await client.post(
            f"/api/v1/admin/erasures/{request_id}/decline", json={"reason": "no"}, headers=outsider.headers
        )
        assert declined.status_code == 403
    blank = await client.post(
        f"/api/v1/admin/erasures/{request_id}/decline", json={"reason": "  "}, headers=admin.headers
    )
    assert (blank.status_code, blank.json()["code"]) == (400, "erasure.reason_required")
    missing = await _carry_out(client, admin, 999999)
    assert (missing.status_code, missing.json()["code"]) == (404, "erasure.not_found")
    assert await audit_rows("erasure.decline") == [] and await audit_rows("person.erase") == []

    declined = await client.post(
        f"/api/v1/admin/erasures/{request_id}/decline",
        json={"reason": "Your certificate dispute is still open"},
        headers=admin.headers,
    )
    assert declined.status_code == 200, declined.text
    assert declined.json()["outcome"] == {"declined_because": "Your certificate dispute is still open"}
    [row] = await audit_rows("erasure.decline")
    assert (row["actor_id"], row["subject_id"]) == (admin.id, me.id)
    assert row["changes"]["reason"] == "Your certificate dispute is still open"
    assert (await _carry_out(client, admin, request_id)).json()["code"] == "erasure.not_pending"

    mine = (await client.get("/api/v1/me/erasure", headers=me.headers)).json()
    assert [(r["status"], r["outcome"]) for r in mine] == [
        ("declined", {"declined_because": "Your certificate dispute is still open"})
    ]
    await sign_in(client, me)
    assert "Your certificate dispute is still open" in (await client.get("/account/erasure")).text
    assert (await _ask(client, me)).status_code == 201, "after a decline the person may ask again"


async def test_the_pages_carry_it_out_and_say_what_is_kept(client) -> None:
    someone = await someone_with_everything(client, paid=1)
    me, admin = someone.actor, await make_actor(Role.ADMIN)
    await sign_in(client, me)
    account = await client.get("/account")
    assert 'action="/account/erasure"' in account.text
    form = await client.get("/account/erasure")
    asked = await client.post(
        "/account/erasure", data={"reason": "Moving on", "_csrf_token": csrf_from(form.text)}
    )
    assert asked.status_code == 303
    [request] = await ErasureRequest.select(ErasureRequest.id)

    await sign_in(client, admin)
    page = await client.get("/admin/erasures")
    assert "Moving on" in page.text
    done = await client.post(
        f"/admin/erasures/{request['id']}/carry-out", data={"_csrf_token": csrf_from(page.text)}
    )
    assert done.status_code == 303 and done.headers["location"] == f"/admin/erasures/{request['id']}"
    detail = await client.get(done.headers["location"])
    kept = detail.text.split('id="kept"')[1]
    assert "Ledger lines" in kept and "7 years" in kept and "6 years" in kept
    assert "carried out" in detail.text and "Former participant" in detail.text
    [erase] = await audit_rows("person.erase")
    assert erase["role"] == "admin"
