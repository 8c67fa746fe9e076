"""Records: people with a past (old events, old mail, stale credentials), and what must not change.

The retention tests need rows of a chosen age, so most of this inserts directly,
the way the owning services write them, then moves timestamps back. ``footprint``
gives one person a row in nearly every table that names people; ``invariants``
reads the figures an anonymization must leave alone (row counts, ledger sums, CME
totals, what the public verify page says).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from piccolo.conf.apps import Finder

from accounts.audit.tables import AuditEntry
from accounts.principal import Principal, Role
from accounts.tables import (
    ApiToken,
    PasswordReset,
    Person,
    RecoveryCode,
    SignInChallenge,
    SignInFailure,
    SignInSession,
)
from billing.ledger import Movement, record
from billing.tables import LedgerEntry
from directory.tables import Submission
from events.tables import CheckIn, CheckInCodeFailure, CheckInRemoval, Event, Registration, Session
from grandrounds.db import now, write_transaction
from library.tables import LibraryItem
from notifications.tables import FeedToken, OutboxMessage
from programs.services import certificates, transcript
from programs.tables import (
    AttendanceRecord,
    Certificate,
    Cohort,
    CohortSession,
    Deliverable,
    Enrollment,
    EnrollmentChange,
    FellowRung,
)
from tests.builders.people import Actor, make_actor, make_program

DAY = timedelta(days=1)


def days_ago(days: float) -> datetime:
    return (now() - timedelta(days=days)).replace(microsecond=0)


async def age_person(person_id: int, days: float) -> None:
    """Make the person, their sessions and tokens as old as ``days``: nothing they did since."""
    then = days_ago(days)
    await Person.update({Person.created_at: then}).where(Person.id == person_id)
    await ApiToken.update({ApiToken.created_at: then, ApiToken.last_used_at: None}).where(
        ApiToken.person == person_id
    )
    await SignInSession.update({SignInSession.created_at: then}).where(SignInSession.person == person_id)


async def verify_email(person_id: int) -> None:
    await Person.update({Person.email_verified_at: days_ago(2000)}).where(Person.id == person_id)


async def person(*roles: Role, days: float = 0, verified: bool = True, degree: str = "") -> Actor:
    """Someone whose last sign of life was ``days`` ago (verified unless told otherwise)."""
    actor = await make_actor(*roles, degree=degree)
    if verified:
        await verify_email(actor.id)
    if days:
        await age_person(actor.id, days)
    return actor


async def past_event(
    ended_days_ago: float, title: str = "Grand Rounds", program_id: int | None = None
) -> int:
    """A published one-session webinar that ended ``ended_days_ago`` days ago (or ends ahead, negative)."""
    end = days_ago(ended_days_ago)
    start = end - timedelta(hours=1)
    rows = await Event.insert(
        Event(
            kind="webinar",
            title=title,
            time_zone="UTC",
            starts_at=start,
            ends_at=end,
            capacity=5000,
            status="published",
            program=program_id,
            created_at=start - 30 * DAY,
        )
    ).returning(Event.id)
    event_id = int(rows[0]["id"])
    await Session.insert(
        Session(
            event=event_id, title=title, starts_at=start, ends_at=end, checkin_secret=secrets.token_hex(8)
        )
    )
    return event_id


async def session_of(event_id: int) -> int:
    row = await Session.select(Session.id).where(Session.event == event_id).first()
    assert row is not None
    return int(row["id"])


async def register(
    event_id: int, who: Actor, *, amount: int = 0, checked_in: bool = True, booked_by: int | None = None
) -> int:
    """A confirmed place booked a month ahead, checked in, and paid (charge and fee) if ``amount``."""
    event = await Event.select(Event.starts_at, Event.ends_at).where(Event.id == event_id).first()
    assert event is not None
    made = min(event["starts_at"] - 30 * DAY, now())
    rows = await Registration.insert(
        Registration(
            event=event_id,
            person=who.id,
            email_key=who.email,
            status="confirmed",
            amount=amount,
            created_at=made,
            updated_at=made,
            booked_by=booked_by,
            ticket_code=secrets.token_hex(8),
        )
    ).returning(Registration.id)
    registration_id = int(rows[0]["id"])
    if checked_in:
        await CheckIn.insert(
            CheckIn(
                session=await session_of(event_id),
                registration=registration_id,
                person=who.id,
                method="qr",
                at=event["starts_at"],
            )
        )
    if amount:
        charge = f"ch_{secrets.token_hex(6)}"
        async with write_transaction():
            await record(
                [
                    Movement("charge", amount, "USD", charge, made, registration_id),
                    Movement(
                        "fee",
                        -(amount // 30),
                        "USD",
                        f"txn_{secrets.token_hex(6)}",
                        made,
                        registration_id,
                        charge,
                    ),
                ]
            )
    return registration_id


async def message(
    who: Actor | None, *, days: float, status: str = "sent", context: dict[str, Any] | None = None,
    recipient: str | None = None,
) -> int:  # fmt: skip
    """An outbox row queued ``days`` ago (sent then, unless another status is asked for)."""
    at = days_ago(days)
    rows = await OutboxMessage.insert(
        OutboxMessage(
            template="registration_confirmed",
            recipient=recipient or (who.email if who else "someone@example.org"),
            person=who.id if who else None,
            context=context if context is not None else {"name": "someone", "event_title": "Grand Rounds"},
            status=status,
            created_at=at,
            not_before=at,
            sent_at=at if status == "sent" else None,
        )
    ).returning(OutboxMessage.id)
    return int(rows[0]["id"])


@dataclass
class StaleCredentials:
    """Rows of the credential class by table, ``days`` past their end."""

    ids: dict[str, list[int]] = field(default_factory=dict)

    def add(self, table: str, row_id: int) -> None:
        self.ids.setdefault(table, []).append(row_id)


async def stale_credentials(who: Actor, days: float) -> StaleCredentials:
    """An expired session, a revoked one, a used reset link, a revoked token, a used recovery code, an
    expired second-factor challenge, sign-in and code failures."""
    then = days_ago(days)
    found = StaleCredentials()
    for expires, revoked in ((then, None), (then + 30 * DAY, then)):
        rows = await SignInSession.insert(
            SignInSession(
                person=who.id,
                token_hash=secrets.token_hex(32),
                created_at=then - DAY,
                expires_at=expires,
                revoked_at=revoked,
            )
        ).returning(SignInSession.id)
        found.add("accounts_session", rows[0]["id"])
    rows = await PasswordReset.insert(
        PasswordReset(
            person=who.id,
            token_hash=secrets.token_hex(32),
            created_at=then,
            expires_at=then + DAY,
            used_at=then,
        )
    ).returning(PasswordReset.id)
    found.add("accounts_password_reset", rows[0]["id"])
    rows = await ApiToken.insert(
        ApiToken(
            person=who.id,
            name="old laptop",
            prefix="grt_old",
            token_hash=secrets.token_hex(32),
            created_at=then - DAY,
            revoked_at=then,
        )
    ).returning(ApiToken.id)
    found.add("accounts_api_token", rows[0]["id"])
    rows = await RecoveryCode.insert(
        RecoveryCode(person=who.id, code_hash=secrets.token_hex(32), used_at=then)
    ).returning(RecoveryCode.id)
    found.add("accounts_recovery_code", rows[0]["id"])
    rows = await SignInChallenge.insert(
        SignInChallenge(person=who.id, token_hash=secrets.token_hex(32), expires_at=then)
    ).returning(SignInChallenge.id)
    found.add("accounts_sign_in_challenge", rows[0]["id"])
    rows = await SignInFailure.insert(SignInFailure(email=who.email, at=then)).returning(SignInFailure.id)
    found.add("accounts_sign_in_failure", rows[0]["id"])
    event_id = await past_event(days + 1)
    rows = await CheckInCodeFailure.insert(
        CheckInCodeFailure(session=await session_of(event_id), person=who.id, at=then)
    ).returning(CheckInCodeFailure.id)
    found.add("events_check_in_code_failure", rows[0]["id"])
    return found


async def audit_row(
    days: float, *, subject_id: int | None = None, kind: str = "event", object_id: int = 1
) -> int:
    """An audit row written ``days`` ago (inserted: the trail refuses only UPDATE and DELETE)."""
    rows = await AuditEntry.insert(
        AuditEntry(
            at=days_ago(days),
            action="event.update",
            object_kind=kind,
            object_id=str(object_id),
            subject_id=subject_id,
        )
    ).returning(AuditEntry.id)
    return int(rows[0]["id"])


@dataclass
class Cme:
    """A cohort with one curriculum session, and what a learner earned in it."""

    program_id: int
    cohort_id: int
    session_id: int
    event_id: int
    certificates: list[str] = field(default_factory=list)


async def cme_cohort(ended_days_ago: float = 60, quarters: int = 8) -> Cme:
    program_id = await make_program("residency")
    end = days_ago(ended_days_ago)
    event_id = await past_event(ended_days_ago, "Crisis communication", program_id)
    session_id = await session_of(event_id)
    await Session.update({Session.cme_quarters: quarters}).where(Session.id == session_id)
    rows = await Cohort.insert(
        Cohort(
            program=program_id,
            name="Residency",
            starts_on=(end - 90 * DAY).date(),
            ends_on=end.date(),
            time_zone="UTC",
        )
    ).returning(Cohort.id)
    cohort_id = int(rows[0]["id"])
    await CohortSession.insert(CohortSession(cohort=cohort_id, session=session_id, required=True))
    return Cme(program_id, cohort_id, session_id, event_id)


async def earn(cme: Cme, who: Actor, name: str) -> str:
    """Enroll ``who``, mark them present, store their deliverable, and issue their certificate; its code."""
    session = await Session.select().where(Session.id == cme.session_id).first()
    assert session is not None
    rows = await Enrollment.insert(
        Enrollment(
            cohort=cme.cohort_id,
            program=cme.program_id,
            person=who.id,
            email_key=who.email,
            status="active",
            statement=f"I am {name} and I want to learn.",
            created_at=session["starts_at"] - 100 * DAY,
            updated_at=session["starts_at"] - 100 * DAY,
        )
    ).returning(Enrollment.id)
    await EnrollmentChange.insert(
        EnrollmentChange(enrollment=rows[0]["id"], to_status="active", reason=f"accepted {name}")
    )
    await AttendanceRecord.insert(
        AttendanceRecord(
            session=cme.session_id,
            person=who.id,
            status="present",
            source="manual",
            seconds_attended=3600,
            remarks=f"{name} asked good questions",
            set_at=session["ends_at"],
        )
    )
    await Deliverable.insert(
        Deliverable(
            cohort=cme.cohort_id,
            person=who.id,
            storage_name=secrets.token_hex(8),
            filename=f"{name} plan.pdf",
            content_type="application/pdf",
            size=10,
            sha256="0" * 64,
            status="passed",
            review_note=f"Well done {name}",
        )
    )
    await FellowRung.insert(
        FellowRung(program=cme.program_id, person=who.id, rung="Bronze", note=f"for {name}")
    )
    code = certificates.new_code()
    ends = session["ends_at"].date()
    await Certificate.insert(
        Certificate(
            code=code,
            cohort=cme.cohort_id,
            person=who.id,
            kind="cme",
            learner_name=name,
            learner_degree="MD",
            program_name="Residency",
            cohort_name="Residency",
            starts_on=ends - timedelta(days=90),
            ends_on=ends,
            credit_quarters=8,
            issued_on=ends,
            issued_at=session["ends_at"],
        )
    )
    cme.certificates.append(code)
    return code


async def footprint(who: Actor, name: str, *, event_ended_days_ago: float = 1200) -> dict[str, Any]:
    """``who`` (renamed ``name``) in nearly every table that names people: what was seeded, by kind."""
    await Person.update({Person.name: name}).where(Person.id == who.id)
    event_id = await past_event(event_ended_days_ago)
    registration_id = await register(event_id, who, amount=4500)
    session_id = await session_of(event_id)
    await CheckInRemoval.insert(
        CheckInRemoval(
            session=session_id,
            registration=registration_id,
            person=who.id,
            method="search",
            checked_in_at=days_ago(event_ended_days_ago),
            reason=f"{name} left early",
        )
    )
    cme = await cme_cohort()
    code = await earn(cme, who, name)
    await FeedToken.insert(FeedToken(person=who.id, token_hash=secrets.token_hex(32)))
    await LibraryItem.insert(
        LibraryItem(kind="guide", title="A guide", audience="public", author=who.id, author_name=name)
    )
    await Submission.insert(
        Submission(
            kind="new", submitter_name=name, submitter_email=who.email, note=f"call {name}", person=who.id
        )
    )
    sent = await message(who, days=10, context={"name": name, "event_title": "Grand Rounds"})
    pending = await message(who, days=0, status="pending", context={"name": name})
    colleague = await make_actor(Role.MEMBER)
    booked_for = await message(colleague, days=5, context={"name": "Colleague", "booked_by_name": name})
    return {
        "event_id": event_id,
        "registration_id": registration_id,
        "cme": cme,
        "certificate": code,
        "messages": {"sent": sent, "pending": pending, "booked_for_colleague": booked_for},
    }


async def table_counts() -> dict[str, int]:
    """Rows per table, the audit trail left out: every erasure and run adds its own record there."""
    return {
        table._meta.tablename: await table.count()
        for table in Finder().get_table_classes()
        if table is not AuditEntry
    }


async def ledger_sums() -> dict[int | None, int]:
    sums: dict[int | None, int] = {}
    for row in await LedgerEntry.select(LedgerEntry.registration, LedgerEntry.amount):
        sums[row["registration"]] = sums.get(row["registration"], 0) + row["amount"]
    return sums


ADMIN = Principal(
    person_id=0, email="", name="", roles=frozenset({Role.ADMIN}), via="session", credential_id=0
)


async def cme_totals(person_ids: list[int]) -> dict[int, str]:
    """Each person's transcript total, as the transcript service computes it (degree included)."""
    return {pid: (await transcript.transcript(ADMIN, pid)).total_credits for pid in person_ids}


async def verified_certificates(codes: list[str]) -> dict[str, Any]:
    return {code: await certificates.verify(code) for code in codes}


async def invariants(person_ids: list[int], codes: list[str]) -> dict[str, Any]:
    """What no anonymization or retention run may change."""
    return {
        "rows": await table_counts(),
        "ledger": await ledger_sums(),
        "cme": await cme_totals(person_ids),
        "certificates": await verified_certificates(codes),
    }


def today() -> date:
    return datetime.now(UTC).date()
