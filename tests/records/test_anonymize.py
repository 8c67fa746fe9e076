"""Anonymizing a person replaces every copy of who they are and leaves every figure as it was."""

from __future__ import annotations

import pytest

from accounts.errors import person_not_found
from accounts.principal import Role
from accounts.services.credentials import authenticate
from accounts.tables import ApiToken, Person, SignInSession
from directory.tables import Submission
from events.tables import CheckInRemoval, Registration
from grandrounds.errors import DomainError
from library.tables import LibraryItem
from notifications.tables import FeedToken, OutboxMessage
from programs.tables import AttendanceRecord, Certificate, Deliverable, Enrollment, EnrollmentChange
from records.schemas import LegalHoldIn
from records.services import holds
from records.services.anonymize import Anonymized, anonymize_person, holds_on_person
from records.services.pseudonyms import erased_email, pseudonym
from tests.builders.audit import audit_rows
from tests.builders.people import PASSWORD, make_actor
from tests.builders.records import footprint, invariants

NAME = "Jane Doe-Okafor"


async def test_every_copy_of_who_they_were_is_replaced_and_every_figure_stays(client) -> None:
    jane = await make_actor(Role.MEMBER, degree="MD")
    seeded = await footprint(jane, NAME)
    other = await make_actor(Role.MEMBER, degree="MD")
    other_seeded = await footprint(other, "Sam Other")
    people, codes = [jane.id, other.id], [seeded["certificate"], other_seeded["certificate"]]
    before = await invariants(people, codes)

    done = await anonymize_person(jane.id, reason="erasure request 17")

    assert isinstance(done, Anonymized) and done.person_id == jane.id
    assert done.pseudonym == pseudonym(jane.id) and done.pseudonym.startswith("Former participant ")
    assert len(done.pseudonym.rsplit(" ", 1)[1]) == 6
    assert await invariants(people, codes) == before, "row counts, ledger, CME totals, certificates unchanged"

    row = await Person.select().where(Person.id == jane.id).first()
    assert row is not None
    assert (row["name"], row["email"], row["is_active"]) == (done.pseudonym, erased_email(jane.id), False)
    assert row["email"].endswith("@erased.invalid")
    assert row["degree"] == "MD", "kept while the CME record runs: credit is computed from it"
    with pytest.raises(DomainError):
        await authenticate(jane.email, PASSWORD)
    assert (await client.get("/api/v1/me/", headers=jane.headers)).status_code == 401
    assert not await SignInSession.exists().where(
        (SignInSession.person == jane.id) & SignInSession.revoked_at.is_null()
    )
    assert not await ApiToken.exists().where((ApiToken.person == jane.id) & ApiToken.revoked_at.is_null())

    # Nothing of her name or address is left outside the legal record (the certificate as issued).
    for table, column in (
        (Registration, Registration.email_key),
        (Enrollment, Enrollment.email_key),
        (Submission, Submission.submitter_email),
        (OutboxMessage, OutboxMessage.recipient),
    ):
        assert not await table.exists().where(column == jane.email), table
    enrollment = await Enrollment.select().where(Enrollment.person == jane.id).first()
    assert enrollment is not None and enrollment["statement"] == ""
    assert not await EnrollmentChange.exists().where(EnrollmentChange.reason.like(f"%{NAME}%"))
    assert not await AttendanceRecord.exists().where(AttendanceRecord.remarks.like(f"%{NAME}%"))
    assert not await CheckInRemoval.exists().where(CheckInRemoval.reason.like(f"%{NAME}%"))
    deliverable = await Deliverable.select().where(Deliverable.person == jane.id).first()
    assert deliverable is not None and (deliverable["filename"], deliverable["review_note"]) == (
        "deliverable.pdf",
        "",
    )
    item = await LibraryItem.select(LibraryItem.author_name).where(LibraryItem.author == jane.id).first()
    assert item == {"author_name": done.pseudonym}
    submission = await Submission.select().where(Submission.person == jane.id).first()
    assert submission is not None
    assert (submission["submitter_name"], submission["note"]) == (done.pseudonym, "")
    certificate = await Certificate.select().where(Certificate.person == jane.id).first()
    assert certificate is not None and certificate["learner_name"] == NAME, "the issued certificate stays"
    token = await FeedToken.select(FeedToken.token_hash).where(FeedToken.person == jane.id).first()
    assert token is not None

    # Mail: queued is never sent, sent keeps who/what/when but not the body, and mail naming her is blanked.
    messages = seeded["messages"]
    pending = await OutboxMessage.select().where(OutboxMessage.id == messages["pending"]).first()
    assert pending is not None and pending["status"] == "failed"
    sent = await OutboxMessage.select().where(OutboxMessage.id == messages["sent"]).first()
    assert sent is not None
    assert (sent["status"], sent["template"], sent["recipient"]) == (
        "sent",
        "registration_confirmed",
        row["email"],
    )
    assert NAME not in str(sent["context"])
    booked = await OutboxMessage.select().where(OutboxMessage.id == messages["booked_for_colleague"]).first()
    assert booked is not None and NAME not in str(booked["context"]) and booked["recipient"] != row["email"]

    # The other person is untouched.
    assert await Person.select(Person.name).where(Person.id == other.id).first() == {"name": "Sam Other"}

    [entry] = await audit_rows("person.erase")
    assert (entry["subject_id"], entry["object_id"]) == (jane.id, str(jane.id))
    assert entry["changes"]["reason"] == "erasure request 17"
    assert entry["changes"]["rows"] == done.rows
    assert done.rows["accounts_person"] == 1 and done.rows["events_registration"] == 1
    assert NAME not in str(entry["changes"]) and jane.email not in str(entry["changes"])


async def test_the_pseudonym_is_stable_and_a_second_erasure_changes_nothing_more(client) -> None:
    jane = await make_actor(Role.GUEST)
    first = await anonymize_person(jane.id, reason="erasure")
    second = await anonymize_person(jane.id, reason="erasure again")
    assert first.pseudonym == second.pseudonym == pseudonym(jane.id)
    row = await Person.select(Person.degree).where(Person.id == jane.id).first()
    assert row == {"degree": ""}, "no CME record: the degree goes too"


async def test_an_unknown_person_is_refused() -> None:
    with pytest.raises(DomainError) as raised:
        await anonymize_person(987654, reason="erasure")
    assert raised.value.code == person_not_found().code


@pytest.mark.parametrize("scope", ["person", "event", "cohort"])
async def test_a_hold_covering_the_person_refuses_and_nothing_is_written(client, scope: str) -> None:
    jane = await make_actor(Role.MEMBER, degree="MD")
    seeded = await footprint(jane, NAME)
    admin = await make_actor(Role.ADMIN)
    scope_id = {"person": jane.id, "event": seeded["event_id"], "cohort": seeded["cme"].cohort_id}[scope]
    hold = await holds.place(
        LegalHoldIn(reason="Claim 2026-114", scope_kind=scope, scope_id=scope_id), admin.id
    )
    assert [h.id for h in await holds_on_person(jane.id)] == [hold.id]
    assert await holds_on_person(admin.id) == []
    before = await Person.select().where(Person.id == jane.id).first()

    with pytest.raises(DomainError) as raised:
        await anonymize_person(jane.id, reason="erasure")

    assert raised.value.code == "legal_hold.in_force" and raised.value.details == {"holds": [hold.id]}
    assert await Person.select().where(Person.id == jane.id).first() == before
    assert await audit_rows("person.erase") == []
    await holds.release(hold.id, admin.id)
    assert await holds_on_person(jane.id) == []
    assert (await anonymize_person(jane.id, reason="erasure")).person_id == jane.id
