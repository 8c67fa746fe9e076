"""Sent-mail records: staff see their programs' queue and retry its failures (admins all of it),
people see their own, the mail log is for admins, templates preview."""

from __future__ import annotations

import pytest

from accounts.principal import Role
from grandrounds.db import write_transaction
from grandrounds.resources import email_templates
from grandrounds.settings import get_settings
from notifications import catalog
from notifications.dispatcher import Dispatcher, new_worker_id
from notifications.outbox import enqueue_email
from notifications.rendering import render_email
from notifications.tables import OutboxMessage
from notifications.transports import MailLogTransport
from tests.builders.audit import audit_rows
from tests.builders.people import make_actor, make_staff


async def _queue(recipient: str, person_id: int | None = None, program_id: int | None = None) -> int:
    async with write_transaction():
        await enqueue_email(
            "welcome",
            recipient,
            {"name": "N", "account_url": "u"},
            person_id=person_id,
            program_id=program_id,
        )
    row = await OutboxMessage.select(OutboxMessage.id).order_by(OutboxMessage.id, ascending=False).first()
    return int(row["id"])


async def test_the_queue_is_for_staff_and_admins(client) -> None:
    member, staff, admin = await make_actor(Role.MEMBER), await make_staff(), await make_actor(Role.ADMIN)
    await _queue("a@example.org", program_id=staff.program_id)
    assert (await client.get("/api/v1/messages/")).status_code == 401
    assert (await client.get("/api/v1/messages/", headers=member.headers)).status_code == 403
    for allowed in (staff, admin):
        page = await client.get("/api/v1/messages/", headers=allowed.headers)
        assert page.status_code == 200
        assert [m["recipient"] for m in page.json()["items"]] == ["a@example.org"]
    bad = await client.get("/api/v1/messages/?status=lost", headers=staff.headers)
    assert bad.status_code == 400 and bad.json()["code"] == "message.status_unknown"


async def test_staff_retry_a_failed_message_and_only_a_failed_one(client) -> None:
    staff = await make_staff()
    message_id = await _queue("b@example.org", program_id=staff.program_id)
    not_failed = await client.post(f"/api/v1/messages/{message_id}/retry", headers=staff.headers)
    assert not_failed.status_code == 409 and not_failed.json()["code"] == "message.not_failed"
    await OutboxMessage.update({OutboxMessage.status: "failed", OutboxMessage.attempts: 8}).where(
        OutboxMessage.id == message_id
    )
    retried = await client.post(f"/api/v1/messages/{message_id}/retry", headers=staff.headers)
    assert retried.status_code == 200 and retried.json()["status"] == "pending"
    [row] = await audit_rows("message.retry")
    assert (row["object_kind"], row["object_id"], row["actor_id"]) == ("message", str(message_id), staff.id)
    assert row["changes"] == {
        "status": ["failed", "pending"],
        "attempts": [8, 0],
        "template": "welcome",
        "program_id": staff.program_id,
    }
    assert (await client.post("/api/v1/messages/999999/retry", headers=staff.headers)).status_code == 404
    member = await make_actor(Role.MEMBER)
    assert (
        await client.post(f"/api/v1/messages/{message_id}/retry", headers=member.headers)
    ).status_code == 403


async def test_the_retry_button_on_the_staff_page(client) -> None:
    from tests.builders.clients import csrf_from
    from tests.builders.people import PASSWORD

    staff = await make_staff()
    message_id = await _queue("c@example.org", program_id=staff.program_id)
    await OutboxMessage.update(
        {OutboxMessage.status: "failed", OutboxMessage.last_error: "send: refused"}
    ).where(OutboxMessage.id == message_id)
    form = await client.get("/signin")
    await client.post(
        "/signin", data={"email": staff.email, "password": PASSWORD, "_csrf_token": csrf_from(form.text)}
    )
    page = await client.get("/staff/messages?status=failed")
    assert page.status_code == 200 and "c@example.org" in page.text and "send: refused" in page.text
    done = await client.post(
        f"/staff/messages/{message_id}/retry", data={"_csrf_token": csrf_from(page.text)}
    )
    assert done.status_code in (302, 303)
    row = await OutboxMessage.select(OutboxMessage.status).where(OutboxMessage.id == message_id).first()
    assert row["status"] == "pending"


async def test_each_person_sees_only_their_own_messages(client) -> None:
    me, other = await make_actor(Role.MEMBER), await make_actor(Role.MEMBER)
    await _queue(me.email, me.id)
    await _queue(other.email, other.id)
    mine = await client.get("/api/v1/me/messages/", headers=me.headers)
    assert [m["recipient"] for m in mine.json()["items"]] == [me.email]
    assert (await client.get("/api/v1/me/messages/")).status_code == 401


async def test_the_mail_log_page_shows_what_would_have_been_sent_to_admins_only(client) -> None:
    admin, staff = await make_actor(Role.ADMIN), await make_staff()
    await _queue("d@example.org")
    settings = get_settings()
    await Dispatcher(MailLogTransport(settings.mail_log), settings, new_worker_id()).run_once()
    page = await client.get("/staff/mail", headers=admin.headers)
    assert page.status_code == 200 and "d@example.org" in page.text and "Welcome to grandrounds" in page.text
    assert (await client.get("/staff/mail", headers=staff.headers)).status_code == 403


@pytest.mark.parametrize("name", catalog.template_names())
def test_every_template_declares_its_context_and_renders_its_sample(name: str) -> None:
    spec = catalog.spec(name)
    assert spec is not None, f"templates/emails/{name}.sample.json is missing"
    assert spec.description and set(spec.context) == set(spec.sample)
    rendered = render_email(name, spec.sample)  # strict: an undeclared key fails here
    assert rendered.subject and rendered.text.strip() and "<" in rendered.html


def test_no_declaration_without_its_template() -> None:
    declared = {p.name.removesuffix(".sample.json") for p in email_templates().glob("*.sample.json")}
    assert declared <= set(catalog.template_names())


async def test_staff_preview_every_template(client) -> None:
    staff = await make_staff()
    listing = await client.get("/staff/templates", headers=staff.headers)
    assert listing.status_code == 200
    for name in catalog.template_names():
        page = await client.get(f"/staff/templates/{name}", headers=staff.headers)
        assert page.status_code == 200, name
        assert 'sandbox srcdoc="' in page.text
    assert (await client.get("/staff/templates/nope", headers=staff.headers)).status_code == 404
    member = await make_actor(Role.MEMBER)
    assert (await client.get("/staff/templates", headers=member.headers)).status_code == 403


async def test_a_failed_message_whose_secret_was_blanked_is_not_retried(client) -> None:
    from notifications.outbox import REDACTED, SECRET_KEYS

    admin = await make_actor(Role.ADMIN)
    async with write_transaction():
        await enqueue_email(
            "password_reset",
            "e@example.org",
            {"name": "E", "reset_url": "http://x/password/reset/SECRET", "valid_minutes": 60},
            secret_keys=("reset_url",),
        )
    row = await OutboxMessage.select(OutboxMessage.id).first()
    await OutboxMessage.update(
        {
            OutboxMessage.status: "failed",
            OutboxMessage.context: {
                "name": "E",
                "reset_url": REDACTED,
                "valid_minutes": 60,
                SECRET_KEYS: ["reset_url"],
            },
        }
    ).where(OutboxMessage.id == row["id"])
    refused = await client.post(f"/api/v1/messages/{row['id']}/retry", headers=admin.headers)
    assert refused.status_code == 409 and refused.json()["code"] == "message.link_gone"
    after = await OutboxMessage.select(OutboxMessage.status).where(OutboxMessage.id == row["id"]).first()
    assert after["status"] == "failed"


async def test_program_staff_see_and_retry_only_their_programs_messages(client) -> None:
    ours, theirs = await make_staff(), await make_staff()
    admin = await make_actor(Role.ADMIN)
    mine = await _queue("ours@example.org", program_id=ours.program_id)
    other = await _queue("theirs@example.org", program_id=theirs.program_id)
    site_wide = await _queue("account@example.org")
    await OutboxMessage.update({OutboxMessage.status: "failed"}).where(OutboxMessage.id > 0)

    def recipients(page) -> list[str]:  # type: ignore[no-untyped-def]
        assert page.status_code == 200, page.text
        return [m["recipient"] for m in page.json()["items"]]

    assert recipients(await client.get("/api/v1/messages/", headers=ours.headers)) == ["ours@example.org"]
    assert recipients(await client.get("/api/v1/messages/", headers=theirs.headers)) == ["theirs@example.org"]
    everything = await client.get("/api/v1/messages/", headers=admin.headers)
    assert recipients(everything) == ["account@example.org", "theirs@example.org", "ours@example.org"]
    assert everything.json()["items"][2]["program_id"] == ours.program_id
    assert everything.json()["total"] == 3
    unassigned = await make_actor(Role.PROGRAM_STAFF)  # holds the role, runs no program yet
    assert recipients(await client.get("/api/v1/messages/", headers=unassigned.headers)) == []

    # Another program's message, or a site-wide one, does not exist for them: 404, like an unknown id.
    for hidden in (other, site_wide):
        refused = await client.post(f"/api/v1/messages/{hidden}/retry", headers=ours.headers)
        assert refused.status_code == 404 and refused.json()["code"] == "message.not_found"
    assert (await client.post(f"/api/v1/messages/{mine}/retry", headers=ours.headers)).status_code == 200
    assert (
        await client.post(f"/api/v1/messages/{site_wide}/retry", headers=admin.headers)
    ).status_code == 200
    statuses = {
        r["id"]: r["status"] for r in await OutboxMessage.select(OutboxMessage.id, OutboxMessage.status)
    }
    assert statuses == {mine: "pending", other: "failed", site_wide: "pending"}
    assert [(r["actor_id"], r["object_id"]) for r in await audit_rows("message.retry")] == [
        (ours.id, str(mine)),
        (admin.id, str(site_wide)),
    ]


async def test_the_staff_page_lists_only_their_programs_and_hides_the_mail_log_link(client) -> None:
    from tests.builders.clients import csrf_from, sign_in

    ours, theirs, admin = await make_staff(), await make_staff(), await make_actor(Role.ADMIN)
    await _queue("ours@example.org", program_id=ours.program_id)
    other = await _queue("theirs@example.org", program_id=theirs.program_id)
    await _queue("account@example.org")
    await OutboxMessage.update({OutboxMessage.status: "failed"}).where(OutboxMessage.id > 0)
    await sign_in(client, ours)
    page = await client.get("/staff/messages")
    assert page.status_code == 200 and "ours@example.org" in page.text
    assert "theirs@example.org" not in page.text and "account@example.org" not in page.text
    assert "/staff/mail" not in page.text and "programs you run" in page.text
    refused = await client.post(f"/staff/messages/{other}/retry", data={"_csrf_token": csrf_from(page.text)})
    assert refused.status_code == 404
    assert (await client.get("/staff/mail")).status_code == 403
    await sign_in(client, admin)
    page = await client.get("/staff/messages")
    assert all(who in page.text for who in ("ours@", "theirs@", "account@")) and "/staff/mail" in page.text
    assert (await client.get("/staff/mail")).status_code == 200


async def test_mail_sent_for_an_event_names_its_program(client) -> None:
    from tests.builders.events import create_event, register

    staff = await make_staff()
    event_id = await create_event(client, staff)
    attendee = await make_actor(Role.MEMBER)
    await register(client, event_id, attendee)
    rows = await OutboxMessage.select(OutboxMessage.template, OutboxMessage.program_id).where(
        OutboxMessage.recipient == attendee.email
    )
    assert {r["template"] for r in rows} >= {"registration_confirmed"}
    assert {r["program_id"] for r in rows} == {staff.program_id}
    listed = await client.get("/api/v1/messages/", headers=staff.headers)
    assert attendee.email in {m["recipient"] for m in listed.json()["items"]}
    assert attendee.email not in {
        m["recipient"]
        for m in (await client.get("/api/v1/messages/", headers=(await make_staff()).headers)).json()["items"]
    }


async def test_a_cohort_invitation_names_the_cohorts_program(client) -> None:
    from tests.builders.cohorts import make_world

    world = await make_world(client, residents=0)
    invited = await client.post(
        f"/api/v1/cohorts/{world.cohort_id}/invitations",
        json={"email": "newcomer@hospital.example"},
        headers=world.staff.headers,
    )
    assert invited.status_code == 201, invited.text
    row = (
        await OutboxMessage.select(OutboxMessage.program_id)
        .where(OutboxMessage.template == "cohort_invitation")
        .first()
    )
    assert row["program_id"] == world.program_id
    listed = await client.get("/api/v1/messages/?template=cohort_invitation", headers=world.staff.headers)
    assert [m["recipient"] for m in listed.json()["items"]] == ["newcomer@hospital.example"]
