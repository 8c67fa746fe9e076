"""Anonymize one person: every copy of who they are is replaced, every number stays.

Names become a stable pseudonym (``Former participant 3f9a1c``), addresses an
``erased-…@erased.invalid`` address, free text written by or about them is
blanked; the password can no longer match, sessions, API tokens and the feed
link stop working, and the account is inactive. No row is deleted and no id
changes, so row counts, ledger sums (amounts are never touched), CME totals and
certificate verification are what they were:

- certificates keep the learner's name and degree as issued (the public verify
  page is a legal record, kept at least six years);
- the person's degree stays while any CME record of theirs is inside the CME
  period, because credit eligibility (and so every credit total) is computed
  from it;
- the audit trail is append-only and is not rewritten: its rows name people by
  id only, and are purged after their own period.

The erasure request (records-rights) and the retention schedule both call
:func:`anonymize_person`; an open legal hold covering the person refuses it.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from pathlib import PurePosixPath
from typing import Any

from piccolo.columns.combination import And, Or, Where, WhereRaw
from piccolo.table import Table

from accounts.audit import trail as audit
from accounts.tables import (
    ApiToken,
    OrganizationInvitation,
    PasswordReset,
    PasswordResetRequest,
    Person,
    RecoveryCode,
    SignInFailure,
    SignInSession,
)
from directory.tables import Submission
from events.tables import CheckInRemoval, Registration, RegistrationChange, SessionSpeaker
from grandrounds.db import now, write_transaction
from grandrounds.settings import get_settings
from library.tables import LibraryItem
from notifications.dispatcher import give_up_pending
from notifications.tables import FeedToken, OutboxMessage
from programs.tables import (
    AttendanceChange,
    AttendanceRecord,
    Certificate,
    Deliverable,
    Enrollment,
    EnrollmentChange,
    FellowRung,
    UnmatchedAttendee,
)
from records import errors
from records.schemas import LegalHoldOut
from records.services import bodies, holds
from records.services.pseudonyms import erased_email, pseudonym

UNUSABLE_PASSWORD = "!erased"  # not an argon2 hash: verification always fails  # noqa: S105
GIVEN_UP = "not sent: the recipient was erased"

Condition = Where | WhereRaw | And | Or


@dataclass(frozen=True)
class Anonymized:
    """What an anonymization did: the person, the name they now go by, rows rewritten per table."""

    person_id: int
    pseudonym: str  # the stable name the person now has, e.g. "Former participant 3f9a1c"
    rows: dict[str, int]  # table name -> rows rewritten


async def holds_on_person(person_id: int) -> list[LegalHoldOut]:
    """Open legal holds whose scope covers this person (their own, or an event or cohort of theirs)."""
    return await holds.holds_on_person(person_id)


class _Rewrites:
    """Counts the distinct rows rewritten in each table."""

    def __init__(self) -> None:
        self.ids: dict[str, set[Any]] = {}

    async def update(self, table: type[Table], values: Mapping[Any, Any], where: Condition) -> list[int]:
        rows = await table.update(dict(values)).where(where).returning(table._meta.primary_key)
        ids = [row[table._meta.primary_key._meta.name] for row in rows]
        self.ids.setdefault(table._meta.tablename, set()).update(ids)
        return ids

    def counts(self) -> dict[str, int]:
        return {table: len(ids) for table, ids in sorted(self.ids.items()) if ids}


async def _keeps_degree(person_id: int) -> bool:
    """True while a CME record of the person is inside the CME period: credit depends on the degree."""
    since = now() - timedelta(days=get_settings().retention.cme)
    return bool(
        await Certificate.exists().where((Certificate.person == person_id) & (Certificate.issued_at > since))
        or await AttendanceRecord.exists().where(
            (AttendanceRecord.person == person_id) & (AttendanceRecord.set_at > since)
        )
        or await Enrollment.exists().where(
            (Enrollment.person == person_id) & (Enrollment.cohort.ends_on > since.date())
        )
    )


def _ids_of(rows: list[dict[str, Any]]) -> list[int]:
    return [int(row["id"]) for row in rows] or [-1]


# Where a person can appear: one query counts them all, so only the tables that hold them are rewritten.
# Each entry: (key, table, condition, what fills its placeholders: "p" the person's id, "e" their address).
_CENSUS: tuple[tuple[str, str, str, str], ...] = (
    ("sessions", "accounts_session", "person = {} AND revoked_at IS NULL", "p"),
    ("tokens", "accounts_api_token", "person = {}", "p"),
    ("resets", "accounts_password_reset", "person = {} AND used_at IS NULL", "p"),
    ("recovery", "accounts_recovery_code", "person = {} AND used_at IS NULL", "p"),
    ("failures", "accounts_sign_in_failure", "email = {}", "e"),
    ("feed", "notifications_feed_token", "person = {}", "p"),
    ("registrations", "events_registration", "person = {} OR email_key = {}", "pe"),
    ("removals", "events_check_in_removal", "person = {} AND reason <> ''", "p"),
    ("speakers", "events_session_speaker", "person = {} OR email_key = {}", "pe"),
    ("enrollments", "programs_enrollment", "person = {} OR email_key = {}", "pe"),
    ("attendance", "programs_attendance", "person = {}", "p"),
    ("certificates", "programs_certificate", "person = {}", "p"),
    ("unmatched", "programs_unmatched_attendee", "resolved_person = {} OR email = {}", "pe"),
    ("deliverables", "programs_deliverable", "person = {}", "p"),
    ("rungs", "programs_fellow_rung", "person = {} AND note <> ''", "p"),
    ("library", "library_item", "author = {}", "p"),
    ("submissions", "directory_submission", "person = {} OR submitter_email = {}", "pe"),
    ("outbox", "notifications_outbox", "person = {} OR recipient = {}", "pe"),
)


async def _census(person_id: int, email: str) -> dict[str, int]:
    """How many rows of each table name the person (by id or address), in one query."""
    # Table, column and key names are the constants above; the id and address go as parameters.
    counts = ", ".join(
        f"(SELECT COUNT(*) FROM {table} WHERE {where}) AS {key}"  # noqa: S608
        for key, table, where, _ in _CENSUS
    )
    values = [person_id if mark == "p" else email for *_, marks in _CENSUS for mark in marks]
    rows = await Person.raw(f"SELECT {counts}", *values)
    return {key: int(value) for key, value in rows[0].items()}


async def anonymize_person(person_id: int, *, reason: str) -> Anonymized:
    """Replace every copy of who ``person_id`` is, in one write transaction, with one audit row.

    ``reason`` says why (an erasure request, the retention class that reached them);
    it goes into the audit row (``person.erase``) with the rows rewritten per table.
    """
    alias, address = pseudonym(person_id), erased_email(person_id)
    stamp = now()
    done = _Rewrites()
    async with write_transaction():
        person = (
            await Person.select(Person.id, Person.email, Person.name).where(Person.id == person_id).first()
        )
        if person is None:
            raise errors.person_not_found()
        covering = (await holds.protected()).holds_on(person_id)
        if covering:
            raise errors.person_held(covering)
        email, name = person["email"], person["name"]
        found = await _census(person_id, email)
        has_cme = found["attendance"] or found["enrollments"] or found["certificates"]
        keep_degree = bool(has_cme) and await _keeps_degree(person_id)

        # The account: no name, no address, no way in.
        await done.update(
            Person,
            {
                Person.name: alias,
                Person.email: address,
                Person.password_hash: UNUSABLE_PASSWORD,
                Person.is_active: False,
                **({} if keep_degree else {Person.degree: ""}),
            },
            Person.id == person_id,
        )
        if found["sessions"]:
            await done.update(
                SignInSession,
                {SignInSession.revoked_at: stamp},
                (SignInSession.person == person_id) & SignInSession.revoked_at.is_null(),
            )
        if found["tokens"]:
            await done.update(
                ApiToken,
                {ApiToken.revoked_at: stamp},
                (ApiToken.person == person_id) & ApiToken.revoked_at.is_null(),
            )
            await done.update(
                ApiToken, {ApiToken.name: ""}, (ApiToken.person == person_id) & (ApiToken.name != "")
            )
        if found["resets"]:
            await done.update(
                PasswordReset,
                {PasswordReset.used_at: stamp},
                (PasswordReset.person == person_id) & PasswordReset.used_at.is_null(),
            )
        if found["recovery"]:
            await done.update(
                RecoveryCode,
                {RecoveryCode.used_at: stamp},
                (RecoveryCode.person == person_id) & RecoveryCode.used_at.is_null(),
            )
        if found["failures"]:
            await done.update(SignInFailure, {SignInFailure.email: address}, SignInFailure.email == email)
        # Invitations and password links asked for name the address, whoever typed it.
        await done.update(
            OrganizationInvitation,
            {OrganizationInvitation.email: address},
            OrganizationInvitation.email == email,
        )
        await done.update(
            PasswordResetRequest, {PasswordResetRequest.email: address}, PasswordResetRequest.email == email
        )
        if found["feed"]:
            # A new hash nobody holds the secret of: the feed address stops answering.
            await done.update(
                FeedToken, {FeedToken.token_hash: secrets.token_hex(32)}, FeedToken.person == person_id
            )

        # Events: the copies of the address, speaker invitations, reasons written about them.
        if found["registrations"]:
            registrations = await done.update(
                Registration,
                {Registration.email_key: address},
                (Registration.person == person_id) | (Registration.email_key == email),
            )
            await done.update(
                RegistrationChange,
                {RegistrationChange.reason: ""},
                RegistrationChange.registration.is_in(registrations or [-1])
                & (RegistrationChange.reason != ""),
            )
        if found["removals"]:
            await done.update(
                CheckInRemoval,
                {CheckInRemoval.reason: ""},
                (CheckInRemoval.person == person_id) & (CheckInRemoval.reason != ""),
            )
        if found["speakers"]:
            await done.update(
                SessionSpeaker,
                {SessionSpeaker.name: alias, SessionSpeaker.email_key: address},
                (SessionSpeaker.person == person_id) | (SessionSpeaker.email_key == email),
            )

        # Programs: applications, remarks and notes; attendance, credits and certificates stay whole.
        if found["enrollments"]:
            enrollments = await done.update(
                Enrollment,
                {Enrollment.email_key: address, Enrollment.statement: "", Enrollment.invite_token_hash: ""},
                (Enrollment.person == person_id) | (Enrollment.email_key == email),
            )
            await done.update(
                EnrollmentChange,
                {EnrollmentChange.reason: ""},
                EnrollmentChange.enrollment.is_in(enrollments or [-1]) & (EnrollmentChange.reason != ""),
            )
        if found["attendance"]:
            records = _ids_of(
                await AttendanceRecord.select(AttendanceRecord.id).where(AttendanceRecord.person == person_id)
            )
            await done.update(
                AttendanceRecord,
                {AttendanceRecord.remarks: ""},
                AttendanceRecord.id.is_in(records) & (AttendanceRecord.remarks != ""),
            )
            await done.update(
                AttendanceChange,
                {AttendanceChange.remarks: ""},
                AttendanceChange.record.is_in(records) & (AttendanceChange.remarks != ""),
            )
        if found["unmatched"]:
            unmatched = await done.update(
                UnmatchedAttendee,
                {UnmatchedAttendee.name: alias, UnmatchedAttendee.email: address},
                (UnmatchedAttendee.resolved_person == person_id) | (UnmatchedAttendee.email == email),
            )
            for row_id in unmatched:
                # The report's key was their address or name; (session, match_key) stays unique per row.
                await UnmatchedAttendee.update({UnmatchedAttendee.match_key: f"erased:{row_id}"}).where(
                    UnmatchedAttendee.id == row_id
                )
        if found["deliverables"]:
            for upload in await Deliverable.select(Deliverable.id, Deliverable.filename).where(
                Deliverable.person == person_id
            ):
                suffix = PurePosixPath(upload["filename"]).suffix[:10]
                await done.update(
                    Deliverable,
                    {Deliverable.filename: f"deliverable{suffix}", Deliverable.review_note: ""},
                    Deliverable.id == upload["id"],
                )
        if found["rungs"]:
            await done.update(
                FellowRung, {FellowRung.note: ""}, (FellowRung.person == person_id) & (FellowRung.note != "")
            )

        # The library names its authors; the directory's moderators saw their contact fields.
        if found["library"]:
            await done.update(LibraryItem, {LibraryItem.author_name: alias}, LibraryItem.author == person_id)
        if found["submissions"]:
            await done.update(
                Submission,
                {
                    Submission.submitter_name: alias,
                    Submission.submitter_email: address,
                    Submission.note: "",
                    Submission.ip_hash: "",
                },
                (Submission.person == person_id) | (Submission.submitter_email == email),
            )

        # Mail: nothing queued for them goes out; what was sent keeps who, what and when, not the body.
        if found["outbox"]:
            await give_up_pending(person_id, [email], GIVEN_UP)
            await done.update(
                OutboxMessage,
                {
                    OutboxMessage.recipient: address,
                    OutboxMessage.context: bodies.blanked_context(),
                    OutboxMessage.last_error: "",
                },
                (OutboxMessage.person == person_id) | (OutboxMessage.recipient == email),
            )
        # Mail to others that names them (a colleague booked by them). Older bodies than the
        # message_body period are blanked by the schedule itself, so only recent ones are read.
        naming = bodies.mentions([name, email])
        if naming is not None:
            recent = stamp - timedelta(days=get_settings().retention.message_body)
            await done.update(
                OutboxMessage,
                {OutboxMessage.context: bodies.blanked_context()},
                (OutboxMessage.not_before >= recent) & naming & bodies.not_blanked(),
            )

        rows = done.counts()
        await audit.record(
            "person.erase",
            "person",
            person_id,
            subject_id=person_id,
            details={"reason": reason, "rows": rows, "degree_kept": keep_degree},
        )
    return Anonymized(person_id=person_id, pseudonym=alias, rows=rows)
