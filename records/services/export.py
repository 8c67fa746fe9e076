"""Download everything held about me: one JSON document of every row the site keeps on a person.

Records stands above every package because it reads all of their tables; this is
one of the two places it does (anonymization is the other), so each section is
read here in one query (a join where a row belongs to the person through another,
such as a registration's history or a registration's ledger lines). A person with
a thousand registrations costs the same number of queries as one with none.

What never leaves: password and token hashes, secret links (a speaker's answer
link, a password reset), message bodies and their context (they may hold such
links), ticket codes (they check a person in), storage names of uploads, the
hashed client address of a directory submission. Each section says what it holds
in its own ``about``; README lists the sections.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import msgspec

from accounts.audit import trail as audit
from accounts.audit.queries import about_person
from accounts.principal import Principal
from accounts.tables import ApiToken, Organization, OrganizationMember, Person, RoleGrant, SignInSession
from billing.tables import LedgerEntry, Membership, MembershipSeat, PointsEntry
from directory.tables import Claim, Listing, Submission
from events.tables import CheckIn, CheckInRemoval, Registration, RegistrationChange, SessionSpeaker
from grandrounds.db import now
from library.tables import LibraryItem
from notifications.outbox import REDACTED, SECRET_KEYS
from notifications.rendering import render_subject
from notifications.tables import FeedToken, OutboxMessage
from programs.services.transcript import transcript
from programs.tables import (
    AttendanceRecord,
    Certificate,
    CohortMentor,
    Deliverable,
    Enrollment,
    EnrollmentChange,
    FellowRung,
)
from records.tables import ErasureRequest

FORMAT = "grandrounds-person-data/1"
ABOUT = (
    "Everything grandrounds holds about you, as of generated_at. Each section says what it holds "
    "in 'about' and lists its rows; times are UTC (ISO 8601), money is in minor units of its "
    "currency (1999 USD is 19.99). Passwords, token hashes, secret links and message bodies are "
    "never included."
)

# The sections, in the document's order, with what each holds (the document repeats these words).
SECTIONS: dict[str, str] = {
    "account": "Your account: email, name, degree, time zone, when it was made and confirmed.",
    "organizations": "Organizations you belong to or lead.",
    "api_tokens": "Your personal API tokens: name, first characters, when made, last used, revoked. "
    "Never the token itself (only a hash of it is kept, and that is not included either).",
    "sign_in_sessions": "Your browser sign-ins: when each started, when it expires or was ended.",
    "calendar_feed": "Your private calendar feed: when its address was made and last read (not the address).",
    "roles": "Every role granted to you, and revoked, with who did it and when.",
    "registrations": "Your places at events (and places in line), with the history of every change "
    "to each (from which state to which, when, by whom, why). Ticket codes are left out.",
    "check_ins": "Sessions you were checked in to: how and when.",
    "check_ins_taken_back": "Check-ins staff took back, with when and why.",
    "cohort_enrollments": "Your applications and enrollments in cohorts, with your statement and "
    "the history of every change.",
    "mentoring": "Cohorts you mentor.",
    "attendance": "Your attendance at curriculum sessions: status, minutes, the join and leave times "
    "behind it, remarks.",
    "credits": "Your CME transcript: sessions attended with the credit each earned, and the total.",
    "certificates": "Certificates issued to you, with their public verification codes.",
    "fellows_rungs": "Rungs of the fellows ladder granted to you.",
    "deliverables": "Deliverables you uploaded: file name, type, size, checksum, review (not the file).",
    "payments": "Ledger lines of your registrations and memberships: charges, refunds, fees and "
    "disputes as the payment processor recorded them, in minor units.",
    "memberships": "Your memberships: tier, status, dues, the paid-up period.",
    "membership_seats": "Seats you hold in an organization's membership.",
    "membership_points": "Points moved to you or spent by you.",
    "messages": "Emails sent (or queued) to you: template, subject, when, status. Not their bodies.",
    "directory_submissions": "Listings and corrections you sent to the Health Care Social Media List.",
    "directory_claims": "Listings you asked to be the verified contact of.",
    "directory_listings": "Listings you are the verified contact of.",
    "speaker_invitations": "Sessions you were invited to speak at, and your answers.",
    "library_items": "Library items that name you as their author.",
    "erasure_requests": "Your requests to be erased and what was decided.",
    "who_saw_or_changed": "Who looked at or changed your data (from the audit trail): when, who, "
    "in which role, what.",
}


@dataclass(frozen=True, slots=True)
class PersonData:
    """The document and how many rows it carries (the export's audit row records the count)."""

    document: dict[str, Any]
    rows: int

    def encoded(self) -> bytes:
        return msgspec.json.encode(self.document)


def _json(value: Any) -> Any:
    """A JSON column's value (SQLite hands it back as text)."""
    if isinstance(value, str):
        try:
            return json.loads(value or "null")
        except ValueError:
            return value
    return value


def _rows(rows: list[dict[str, Any]], *json_columns: str) -> list[dict[str, Any]]:
    for row in rows:
        for column in json_columns:
            row[column] = _json(row[column])
    return rows


def _subject(template: str, raw_context: Any) -> str:
    """A message's subject as the person saw it, rendered with every secret value blanked first."""
    context = _json(raw_context)
    if not isinstance(context, dict):
        return f"({template})"
    for key in context.get(SECRET_KEYS) or []:
        context[key] = REDACTED
    try:
        return render_subject(template, context)
    except Exception:
        return f"({template})"


async def _account(person_id: int) -> list[dict[str, Any]]:
    row = (
        await Person.select(
            Person.id,
            Person.email,
            Person.name,
            Person.degree,
            Person.time_zone,
            Person.is_active,
            Person.email_verified_at,
            Person.created_at,
        )
        .where(Person.id == person_id)
        .first()
    )
    return [row] if row else []


async def _organizations(person_id: int) -> list[dict[str, Any]]:
    member = await OrganizationMember.select(
        OrganizationMember.organization.as_alias("organization_id"),
        OrganizationMember.organization.name.as_alias("organization"),
        OrganizationMember.added_at,
    ).where(OrganizationMember.person == person_id)
    led = await Organization.select(
        Organization.id.as_alias("organization_id"), Organization.name.as_alias("organization")
    ).where(Organization.leader == person_id)
    return [{**r, "as": "member"} for r in member] + [{**r, "as": "leader"} for r in led]


async def _registrations(person_id: int) -> list[dict[str, Any]]:
    rows = await (
        Registration.select(
            Registration.id,
            Registration.event.as_alias("event_id"),
            Registration.event.title.as_alias("event"),
            Registration.event.starts_at.as_alias("event_starts_at"),
            Registration.session.as_alias("session_id"),
            Registration.session.title.as_alias("session"),
            Registration.ticket_type.name.as_alias("ticket_type"),
            Registration.status,
            Registration.price_tier,
            Registration.amount,
            Registration.currency,
            Registration.booked_by,
            Registration.created_at,
            Registration.updated_at,
            Registration.offer_expires_at,
            Registration.hold_expires_at,
        )
        .where(Registration.person == person_id)
        .order_by(Registration.id)
    )
    changes = await (
        RegistrationChange.select(
            RegistrationChange.registration,
            RegistrationChange.from_status,
            RegistrationChange.to_status,
            RegistrationChange.by_person,
            RegistrationChange.reason,
            RegistrationChange.at,
        )
        .where(RegistrationChange.registration.person == person_id)
        .order_by(RegistrationChange.id)
    )
    history: dict[int, list[dict[str, Any]]] = {}
    for change in changes:
        history.setdefault(change.pop("registration"), []).append(change)
    return [{**r, "history": history.get(r["id"], [])} for r in rows]


async def _enrollments(person_id: int, email: str) -> list[dict[str, Any]]:
    mine = (Enrollment.person == person_id) | (Enrollment.email_key == email)
    rows = await (
        Enrollment.select(
            Enrollment.id,
            Enrollment.cohort.as_alias("cohort_id"),
            Enrollment.cohort.name.as_alias("cohort"),
            Enrollment.program.name.as_alias("program"),
            Enrollment.status,
            Enrollment.statement,
            Enrollment.mentor,
            Enrollment.signed_off_at,
            Enrollment.moved_to,
            Enrollment.created_at,
            Enrollment.updated_at,
        )
        .where(mine)
        .order_by(Enrollment.id)
    )
    changes = await (
        EnrollmentChange.select(
            EnrollmentChange.enrollment,
            EnrollmentChange.from_status,
            EnrollmentChange.to_status,
            EnrollmentChange.by_person,
            EnrollmentChange.reason,
            EnrollmentChange.at,
        )
        .where(
            (EnrollmentChange.enrollment.person == person_id)
            | (EnrollmentChange.enrollment.email_key == email)
        )
        .order_by(EnrollmentChange.id)
    )
    history: dict[int, list[dict[str, Any]]] = {}
    for change in changes:
        history.setdefault(change.pop("enrollment"), []).append(change)
    return [{**r, "history": history.get(r["id"], [])} for r in rows]


async def _credits(principal: Principal) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The transcript programs computes (the same one its API and pages show)."""
    held = await transcript(principal, principal.person_id)
    lines = [msgspec.to_builtins(line) for line in held.lines]
    return lines, {"total_credits": held.total_credits, "credit_eligible": held.credit_eligible}


async def _payments(person_id: int) -> list[dict[str, Any]]:
    return list(
        await LedgerEntry.select(
            LedgerEntry.id,
            LedgerEntry.kind,
            LedgerEntry.amount,
            LedgerEntry.currency,
            LedgerEntry.registration.as_alias("registration_id"),
            LedgerEntry.membership.as_alias("membership_id"),
            LedgerEntry.stripe_id,
            LedgerEntry.occurred_at,
        )
        .where((LedgerEntry.registration.person == person_id) | (LedgerEntry.membership.person == person_id))
        .order_by(LedgerEntry.occurred_at)
        .order_by(LedgerEntry.id)
    )


async def _messages(person_id: int, email: str) -> list[dict[str, Any]]:
    rows = await (
        OutboxMessage.select(
            OutboxMessage.id,
            OutboxMessage.template,
            OutboxMessage.recipient,
            OutboxMessage.context,
            OutboxMessage.status,
            OutboxMessage.created_at,
            OutboxMessage.sent_at,
        )
        .where((OutboxMessage.person == person_id) | (OutboxMessage.recipient == email))
        .order_by(OutboxMessage.id)
    )
    out = []
    for row in rows:
        context = row.pop("context")
        out.append({**row, "subject": _subject(row["template"], context)})
    return out


async def _sections(principal: Principal) -> dict[str, dict[str, Any]]:
    person_id = principal.person_id
    account = await _account(person_id)
    email = account[0]["email"] if account else ""
    credit_lines, credit_totals = await _credits(principal)
    found: dict[str, list[dict[str, Any]]] = {
        "account": account,
        "organizations": await _organizations(person_id),
        "api_tokens": list(
            await ApiToken.select(
                ApiToken.id,
                ApiToken.name,
                ApiToken.prefix,
                ApiToken.created_at,
                ApiToken.last_used_at,
                ApiToken.revoked_at,
            )
            .where(ApiToken.person == person_id)
            .order_by(ApiToken.id)
        ),
        "sign_in_sessions": list(
            await SignInSession.select(
                SignInSession.created_at, SignInSession.expires_at, SignInSession.revoked_at
            )
            .where(SignInSession.person == person_id)
            .order_by(SignInSession.id)
        ),
        "calendar_feed": list(
            await FeedToken.select(FeedToken.created_at, FeedToken.last_used_at).where(
                FeedToken.person == person_id
            )
        ),
        "roles": list(
            await RoleGrant.select(
                RoleGrant.role,
                RoleGrant.granted_at,
                RoleGrant.granted_by,
                RoleGrant.revoked_at,
                RoleGrant.revoked_by,
            )
            .where(RoleGrant.person == person_id)
            .order_by(RoleGrant.id)
        ),
        "registrations": await _registrations(person_id),
        "check_ins": list(
            await CheckIn.select(
                CheckIn.session.as_alias("session_id"),
                CheckIn.session.title.as_alias("session"),
                CheckIn.registration.as_alias("registration_id"),
                CheckIn.method,
                CheckIn.by_person,
                CheckIn.at,
            )
            .where(CheckIn.person == person_id)
            .order_by(CheckIn.id)
        ),
        "check_ins_taken_back": list(
            await CheckInRemoval.select(
                CheckInRemoval.session.as_alias("session_id"),
                CheckInRemoval.session.title.as_alias("session"),
                CheckInRemoval.registration.as_alias("registration_id"),
                CheckInRemoval.method,
                CheckInRemoval.checked_in_at,
                CheckInRemoval.removed_by,
                CheckInRemoval.removed_at,
                CheckInRemoval.reason,
            )
            .where(CheckInRemoval.person == person_id)
            .order_by(CheckInRemoval.id)
        ),
        "cohort_enrollments": await _enrollments(person_id, email),
        "mentoring": list(
            await CohortMentor.select(
                CohortMentor.cohort.as_alias("cohort_id"), CohortMentor.cohort.name.as_alias("cohort")
            ).where(CohortMentor.person == person_id)
        ),
        "attendance": _rows(
            list(
                await AttendanceRecord.select(
                    AttendanceRecord.session.as_alias("session_id"),
                    AttendanceRecord.session.title.as_alias("session"),
                    AttendanceRecord.session.starts_at.as_alias("session_starts_at"),
                    AttendanceRecord.status,
                    AttendanceRecord.source,
                    AttendanceRecord.seconds_attended,
                    AttendanceRecord.intervals,
                    AttendanceRecord.remarks,
                    AttendanceRecord.set_by,
                    AttendanceRecord.set_at,
                )
                .where(AttendanceRecord.person == person_id)
                .order_by(AttendanceRecord.id)
            ),
            "intervals",
        ),
        "credits": credit_lines,
        "certificates": list(
            await Certificate.select(
                Certificate.code,
                Certificate.kind,
                Certificate.learner_name,
                Certificate.learner_degree,
                Certificate.program_name,
                Certificate.cohort_name,
                Certificate.provider,
                Certificate.starts_on,
                Certificate.ends_on,
                Certificate.credit_quarters,
                Certificate.issued_on,
                Certificate.revoked_at,
                Certificate.revoked_reason,
            )
            .where(Certificate.person == person_id)
            .order_by(Certificate.id)
        ),
        "fellows_rungs": list(
            await FellowRung.select(
                FellowRung.program.name.as_alias("program"),
                FellowRung.rung,
                FellowRung.note,
                FellowRung.granted_at,
            ).where(FellowRung.person == person_id)
        ),
        "deliverables": list(
            await Deliverable.select(
                Deliverable.id,
                Deliverable.cohort.name.as_alias("cohort"),
                Deliverable.filename,
                Deliverable.content_type,
                Deliverable.size,
                Deliverable.sha256,
                Deliverable.status,
                Deliverable.review_note,
                Deliverable.uploaded_at,
                Deliverable.reviewed_at,
            )
            .where(Deliverable.person == person_id)
            .order_by(Deliverable.id)
        ),
        "payments": await _payments(person_id),
        "memberships": list(
            await Membership.select(
                Membership.id,
                Membership.tier,
                Membership.status,
                Membership.dues_amount,
                Membership.currency,
                Membership.collection,
                Membership.starts_at,
                Membership.current_period_end,
                Membership.created_at,
            )
            .where(Membership.person == person_id)
            .order_by(Membership.id)
        ),
        "membership_seats": list(
            await MembershipSeat.select(
                MembershipSeat.membership.as_alias("membership_id"),
                MembershipSeat.membership._.organization._.name.as_alias("organization"),
                MembershipSeat.assigned_at,
                MembershipSeat.released_at,
            ).where(MembershipSeat.person == person_id)
        ),
        "membership_points": list(
            await PointsEntry.select(
                PointsEntry.kind,
                PointsEntry.amount,
                PointsEntry.registration.as_alias("registration_id"),
                PointsEntry.note,
                PointsEntry.created_at,
            )
            .where(PointsEntry.person == person_id)
            .order_by(PointsEntry.id)
        ),
        "messages": await _messages(person_id, email),
        "directory_submissions": _rows(
            list(
                await Submission.select(
                    Submission.id,
                    Submission.kind,
                    Submission.listing.as_alias("listing_id"),
                    Submission.status,
                    Submission.proposal,
                    Submission.note,
                    Submission.submitter_name,
                    Submission.submitter_email,
                    Submission.created_at,
                    Submission.decided_at,
                    Submission.reason,
                )
                .where((Submission.person == person_id) | (Submission.submitter_email == email))
                .order_by(Submission.id)
            ),
            "proposal",
        ),
        "directory_claims": list(
            await Claim.select(
                Claim.listing.as_alias("listing_id"),
                Claim.listing.name.as_alias("listing"),
                Claim.status,
                Claim.method,
                Claim.created_at,
                Claim.decided_at,
                Claim.reason,
            )
            .where(Claim.person == person_id)
            .order_by(Claim.id)
        ),
        "directory_listings": list(
            await Listing.select(Listing.id, Listing.name, Listing.website).where(
                Listing.contact == person_id
            )
        ),
        "speaker_invitations": list(
            await SessionSpeaker.select(
                SessionSpeaker.session.as_alias("session_id"),
                SessionSpeaker.session.title.as_alias("session"),
                SessionSpeaker.session._.event._.title.as_alias("event"),
                SessionSpeaker.session.starts_at.as_alias("session_starts_at"),
                SessionSpeaker.name,
                SessionSpeaker.status,
                SessionSpeaker.invited_at,
                SessionSpeaker.responded_at,
            )
            .where((SessionSpeaker.person == person_id) | (SessionSpeaker.email_key == email))
            .order_by(SessionSpeaker.id)
        ),
        "library_items": list(
            await LibraryItem.select(LibraryItem.id, LibraryItem.kind, LibraryItem.title).where(
                LibraryItem.author == person_id
            )
        ),
        "erasure_requests": _rows(
            list(
                await ErasureRequest.select(
                    ErasureRequest.id,
                    ErasureRequest.reason,
                    ErasureRequest.requested_at,
                    ErasureRequest.status,
                    ErasureRequest.decided_at,
                    ErasureRequest.outcome,
                )
                .where(ErasureRequest.person == person_id)
                .order_by(ErasureRequest.id)
            ),
            "outcome",
        ),
        "who_saw_or_changed": [msgspec.to_builtins(line) for line in await about_person(person_id)],
    }
    sections = {name: {"about": SECTIONS[name], "rows": found[name]} for name in SECTIONS}
    sections["credits"].update(credit_totals)
    return sections


def _count(sections: Mapping[str, Mapping[str, Any]]) -> int:
    total = 0
    for section in sections.values():
        for row in section["rows"]:
            total += 1 + len(row.get("history", ())) if isinstance(row, dict) else 1
    return total


async def person_data(principal: Principal) -> PersonData:
    """Everything held about the signed-in person; the download is recorded (``export.person_data``)."""
    sections = await _sections(principal)
    rows = _count(sections)
    document = {
        "about": ABOUT,
        "format": FORMAT,
        "generated_at": now(),
        "person_id": principal.person_id,
        "sections": sections,
    }
    await audit.record_export(
        "export.person_data", "person", principal.person_id, rows=rows, subject_id=principal.person_id
    )
    return PersonData(document=document, rows=rows)
