"""The retention schedule: what each class's period reaches today (the plan), and doing exactly that.

:func:`plan` reads only. Per class it lists the rows its period has passed (ids,
by table), and how many more it would have reached but an open legal hold keeps;
the plan also names the holds and the people they cover. :func:`apply` acts on the
plan's ids and nothing else, so the run does what the dry run listed:

- ``guest_account`` and ``attendee``: people, each anonymized by
  :func:`records.services.anonymize.anonymize_person` in their own transaction
  (which checks the holds again);
- ``message_body``: outbox rows whose body is blanked, the record of sending kept;
- ``credential``: dead sessions, tokens, links and failure rows, deleted;
- ``audit``: audit rows purged through the trail's declared purge.

``cme`` and ``ledger`` have no step: their periods are legal minimums and this
code never purges them. A run writes one ``retention.run`` audit row with its counts.
Who the schedule may anonymize at all is decided once, in :func:`_people`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from piccolo.table import Table

from accounts.audit import trail as audit
from accounts.audit.tables import AuditEntry
from accounts.principal import Role
from accounts.tables import (
    ApiToken,
    OrganizationInvitation,
    PasswordReset,
    Person,
    RecoveryCode,
    RoleGrant,
    SignInChallenge,
    SignInFailure,
    SignInSession,
)
from billing.memberships.status import LIVE as LIVE_MEMBERSHIP
from billing.tables import Membership
from events.tables import CheckIn, CheckInCodeFailure, Registration
from grandrounds.db import now, write_transaction
from grandrounds.errors import DomainError
from grandrounds.settings import RetentionPeriods, get_settings
from notifications.message_status import MessageStatus
from notifications.tables import OutboxMessage
from programs.tables import AttendanceRecord, Certificate, Enrollment
from records import errors
from records.inventory import RetentionClass
from records.services import bodies
from records.services.anonymize import anonymize_person
from records.services.holds import HeldScope, Protected, protected
from records.services.pseudonyms import ERASED_DOMAIN

BATCH = 500
# Roles whose holders the schedule never anonymizes: they act for the site, or speak on its programme.
KEEPING_ROLES = (Role.ADMIN, Role.PROGRAM_STAFF, Role.FINANCE, Role.SPEAKER)
PERSON_CLASSES = (RetentionClass.GUEST_ACCOUNT, RetentionClass.ATTENDEE)
ACTIONS = {
    RetentionClass.GUEST_ACCOUNT: "anonymize",
    RetentionClass.ATTENDEE: "anonymize",
    RetentionClass.MESSAGE_BODY: "blank",
    RetentionClass.CREDENTIAL: "purge",
    RetentionClass.AUDIT: "purge",
}
CREDENTIAL_TABLES: tuple[type[Table], ...] = (
    SignInSession,
    ApiToken,
    PasswordReset,
    RecoveryCode,
    SignInChallenge,
    SignInFailure,
    CheckInCodeFailure,
    OrganizationInvitation,
)


@dataclass(frozen=True, slots=True)
class ClassPlan:
    """One class's share of the plan: the rows its period has passed, by table, and what holds keep."""

    retention: RetentionClass
    action: str  # anonymize, blank, purge
    period_days: int
    cutoff: datetime
    rows: dict[str, tuple[int, ...]] = field(default_factory=dict)
    held: int = 0  # rows (people, for the person classes) the period reached but a hold keeps

    @property
    def count(self) -> int:
        return sum(len(ids) for ids in self.rows.values())


@dataclass(frozen=True, slots=True)
class RetentionPlan:
    at: datetime
    periods: RetentionPeriods
    classes: tuple[ClassPlan, ...]
    holds: tuple[HeldScope, ...]

    def of(self, retention: RetentionClass) -> ClassPlan:
        return next(plan for plan in self.classes if plan.retention == retention)

    @property
    def total(self) -> int:
        return sum(plan.count for plan in self.classes)


@dataclass(frozen=True, slots=True)
class RetentionResult:
    """What a run did, per class: the planned rows acted on, the rows that changed, what was skipped."""

    done: dict[str, int]  # class -> planned rows acted on (people, messages, rows purged)
    rows: dict[str, dict[str, int]]  # class -> table -> rows rewritten, blanked or deleted
    skipped: dict[str, int]  # class -> planned rows left alone (held since, gone, already erased)

    @property
    def total(self) -> int:
        return sum(self.done.values())


def _ids(rows: Iterable[dict[str, Any]], key: str) -> set[int]:
    return {int(row[key]) for row in rows if row[key] is not None}


async def _active_since(cutoff: datetime) -> set[int]:
    """People who did anything after ``cutoff``: joined, signed in, used a token, booked, enrolled, came."""
    return (
        _ids(await Person.select(Person.id).where(Person.created_at > cutoff), "id")
        | _ids(
            await SignInSession.select(SignInSession.person).where(SignInSession.created_at > cutoff),
            "person",
        )
        | _ids(
            await ApiToken.select(ApiToken.person).where(
                (ApiToken.created_at > cutoff) | (ApiToken.last_used_at > cutoff)
            ),
            "person",
        )
        | _ids(
            await Registration.select(Registration.person).where(Registration.created_at > cutoff), "person"
        )
        | _ids(
            await Registration.select(Registration.booked_by).where(Registration.created_at > cutoff),
            "booked_by",
        )
        | _ids(await Enrollment.select(Enrollment.person).where(Enrollment.updated_at > cutoff), "person")
        | _ids(await CheckIn.select(CheckIn.person).where(CheckIn.at > cutoff), "person")
    )


async def _kept(at: datetime, periods: RetentionPeriods) -> set[int]:
    """People something other than their own inactivity keeps, whatever the class."""
    cme_since = at - timedelta(days=periods.cme)
    attendee_since = at - timedelta(days=periods.attendee)
    return (
        _ids(
            await RoleGrant.select(RoleGrant.person).where(
                RoleGrant.revoked_at.is_null() & RoleGrant.role.is_in([role.value for role in KEEPING_ROLES])
            ),
            "person",
        )
        | _ids(
            await Membership.select(Membership.person).where(
                Membership.status.is_in([status.value for status in LIVE_MEMBERSHIP])
            ),
            "person",
        )
        | _ids(
            await Certificate.select(Certificate.person).where(Certificate.issued_at > cme_since), "person"
        )
        | _ids(
            await AttendanceRecord.select(AttendanceRecord.person).where(AttendanceRecord.set_at > cme_since),
            "person",
        )
        | _ids(
            await Enrollment.select(Enrollment.person).where(Enrollment.cohort.ends_on > cme_since.date()),
            "person",
        )
        # Their attendee data of a recent (or coming) event is still inside its period.
        | _ids(
            await Registration.select(Registration.person).where(Registration.event.ends_at > attendee_since),
            "person",
        )
    )


async def _people(at: datetime, periods: RetentionPeriods, guard: Protected) -> tuple[ClassPlan, ClassPlan]:
    """The guest_account and attendee classes: whom the schedule anonymizes, and whom a hold keeps."""
    living = await Person.select(Person.id, Person.email_verified_at).where(
        Person.email.not_like(f"%@{ERASED_DOMAIN}")
    )
    kept = await _kept(at, periods)
    beyond_guest = _ids(
        await RoleGrant.select(RoleGrant.person).where(
            RoleGrant.revoked_at.is_null() & (RoleGrant.role != Role.GUEST.value)
        ),
        "person",
    )
    guest_cutoff = at - timedelta(days=periods.guest_account)
    attendee_cutoff = at - timedelta(days=periods.attendee)

    guest_like = {
        row["id"] for row in living if row["email_verified_at"] is None or row["id"] not in beyond_guest
    }
    guests = guest_like - kept - await _active_since(guest_cutoff)
    registered = _ids(await Registration.select(Registration.person).distinct(), "person")
    attendees = (
        ({row["id"] for row in living} & registered) - guests - kept - await _active_since(attendee_cutoff)
    )

    def share(retention: RetentionClass, days: int, cutoff: datetime, people: set[int]) -> ClassPlan:
        free = sorted(people - guard.people)
        return ClassPlan(
            retention,
            ACTIONS[retention],
            days,
            cutoff,
            {"accounts_person": tuple(free)} if free else {},
            held=len(people & guard.people),
        )

    return (
        share(RetentionClass.GUEST_ACCOUNT, periods.guest_account, guest_cutoff, guests),
        share(RetentionClass.ATTENDEE, periods.attendee, attendee_cutoff, attendees),
    )


async def _emails_of(people: Iterable[int]) -> set[str]:
    ids = list(people)
    if not ids:
        return set()
    return {row["email"] for row in await Person.select(Person.email).where(Person.id.is_in(ids))}


async def _messages(
    at: datetime, periods: RetentionPeriods, guard: Protected, held_emails: set[str]
) -> ClassPlan:
    cutoff = at - timedelta(days=periods.message_body)
    rows = await OutboxMessage.select(OutboxMessage.id, OutboxMessage.person, OutboxMessage.recipient).where(
        (OutboxMessage.created_at < cutoff)
        & (OutboxMessage.status != MessageStatus.PENDING.value)
        & bodies.not_blanked()
    )
    flags = [(int(r["id"]), r["person"] in guard.people or r["recipient"] in held_emails) for r in rows]
    free = sorted(i for i, is_held in flags if not is_held)
    retention = RetentionClass.MESSAGE_BODY
    return ClassPlan(
        retention,
        ACTIONS[retention],
        periods.message_body,
        cutoff,
        {"notifications_outbox": tuple(free)} if free else {},
        held=sum(1 for _, is_held in flags if is_held),
    )


async def _credentials(
    at: datetime, periods: RetentionPeriods, guard: Protected, held_emails: set[str]
) -> ClassPlan:
    cutoff = at - timedelta(days=periods.credential)
    found: dict[str, list[tuple[int, bool]]] = {}

    def note(table: type[Table], rows: Sequence[dict[str, Any]], is_held: Any) -> None:
        found[table._meta.tablename] = [(int(r["id"]), bool(is_held(r))) for r in rows]

    def by_person(row: dict[str, Any]) -> bool:
        return row["person"] in guard.people

    note(
        SignInSession,
        await SignInSession.select(SignInSession.id, SignInSession.person).where(
            (SignInSession.expires_at < cutoff) | (SignInSession.revoked_at < cutoff)
        ),
        by_person,
    )
    note(
        ApiToken,
        await ApiToken.select(ApiToken.id, ApiToken.person).where(ApiToken.revoked_at < cutoff),
        by_person,
    )
    note(
        PasswordReset,
        await PasswordReset.select(PasswordReset.id, PasswordReset.person).where(
            (PasswordReset.expires_at < cutoff) | (PasswordReset.used_at < cutoff)
        ),
        by_person,
    )
    note(
        RecoveryCode,
        await RecoveryCode.select(RecoveryCode.id, RecoveryCode.person).where(RecoveryCode.used_at < cutoff),
        by_person,
    )
    note(
        SignInChallenge,
        await SignInChallenge.select(SignInChallenge.id, SignInChallenge.person).where(
            SignInChallenge.expires_at < cutoff
        ),
        by_person,
    )
    note(
        SignInFailure,
        await SignInFailure.select(SignInFailure.id, SignInFailure.email).where(SignInFailure.at < cutoff),
        lambda row: row["email"] in held_emails,
    )
    note(
        CheckInCodeFailure,
        await CheckInCodeFailure.select(
            CheckInCodeFailure.id,
            CheckInCodeFailure.person,
            CheckInCodeFailure.session.event.as_alias("event"),
        ).where(CheckInCodeFailure.at < cutoff),
        lambda row: by_person(row) or row["event"] in guard.events,
    )
    note(
        OrganizationInvitation,
        # Accepted or lapsed invitations: the membership they made is the record, not the link.
        await OrganizationInvitation.select(OrganizationInvitation.id, OrganizationInvitation.email).where(
            (OrganizationInvitation.expires_at < cutoff) | (OrganizationInvitation.accepted_at < cutoff)
        ),
        lambda row: row["email"] in held_emails,
    )
    retention = RetentionClass.CREDENTIAL
    return ClassPlan(
        retention,
        ACTIONS[retention],
        periods.credential,
        cutoff,
        {
            table: tuple(sorted(i for i, h in rows if not h))
            for table, rows in found.items()
            if any(not h for _, h in rows)
        },
        held=sum(1 for rows in found.values() for _, h in rows if h),
    )


def _audit_held(row: dict[str, Any], guard: Protected) -> bool:
    """An audit row of something a hold keeps: about or by a held person, of a held event, cohort or hold."""
    kind, object_id = row["object_kind"], row["object_id"]
    return (
        row["subject_id"] in guard.people
        or row["actor_id"] in guard.people
        or (kind == "person" and object_id in {str(p) for p in guard.people})
        or (kind == "event" and object_id in {str(e) for e in guard.events})
        or (kind == "cohort" and object_id in {str(c) for c in guard.cohorts})
        or (kind == "legal_hold" and object_id in {str(h.hold_id) for h in guard.holds})
    )


async def _audit(at: datetime, periods: RetentionPeriods, guard: Protected) -> ClassPlan:
    cutoff = at - timedelta(days=periods.audit)
    rows = await AuditEntry.select(
        AuditEntry.id,
        AuditEntry.actor_id,
        AuditEntry.subject_id,
        AuditEntry.object_kind,
        AuditEntry.object_id,
    ).where(AuditEntry.at < cutoff)
    flags = [(int(row["id"]), _audit_held(row, guard)) for row in rows]
    free = sorted(i for i, is_held in flags if not is_held)
    retention = RetentionClass.AUDIT
    return ClassPlan(
        retention,
        ACTIONS[retention],
        periods.audit,
        cutoff,
        {"accounts_audit_entry": tuple(free)} if free else {},
        held=sum(1 for _, is_held in flags if is_held),
    )


async def plan(at: datetime | None = None, periods: RetentionPeriods | None = None) -> RetentionPlan:
    """What the schedule would do at ``at`` (now): read only, so it is also the dry run."""
    at = at or now()
    periods = periods or get_settings().retention
    guard = await protected()
    held_emails = await _emails_of(guard.people)
    guests, attendees = await _people(at, periods, guard)
    classes = (
        guests,
        attendees,
        await _messages(at, periods, guard, held_emails),
        await _credentials(at, periods, guard, held_emails),
        await _audit(at, periods, guard),
    )
    return RetentionPlan(at=at, periods=periods, classes=classes, holds=guard.holds)


def _batches(ids: Sequence[int]) -> Iterable[list[int]]:
    for start in range(0, len(ids), BATCH):
        yield list(ids[start : start + BATCH])


async def _anonymize(share: ClassPlan) -> tuple[int, dict[str, int], int]:
    ids = share.rows.get("accounts_person", ())
    done, skipped = 0, 0
    rows: dict[str, int] = {}
    reason = f"retention: {share.retention.value} (period {share.period_days} days)"
    for person_id in ids:
        try:
            result = await anonymize_person(person_id, reason=reason)
        except DomainError as exc:
            # Held since the plan was made, or gone: left alone, and counted as skipped.
            if exc.code not in {errors.person_held([]).code, errors.person_not_found().code}:
                raise
            skipped += 1
            continue
        done += 1
        for table, count in result.rows.items():
            rows[table] = rows.get(table, 0) + count
    return done, rows, skipped


async def _blank_bodies(ids: Sequence[int]) -> int:
    blanked = 0
    for batch in _batches(ids):
        async with write_transaction():
            changed = await (
                OutboxMessage.update(
                    {OutboxMessage.context: bodies.blanked_context(), OutboxMessage.last_error: ""}
                )
                .where(OutboxMessage.id.is_in(batch) & bodies.not_blanked())
                .returning(OutboxMessage.id)
            )
        blanked += len(changed)
    return blanked


async def _purge(table: type[Table], ids: Sequence[int]) -> int:
    deleted = 0
    for batch in _batches(ids):
        async with write_transaction():
            gone = (
                await table.delete()
                .where(table._meta.primary_key.is_in(batch))
                .returning(table._meta.primary_key)
            )
        deleted += len(gone)
    return deleted


async def _purge_audit(ids: Sequence[int]) -> int:
    """Delete audit rows through the declared purge: permit, delete, withdraw the permit, one transaction."""
    deleted = 0
    for batch in _batches(ids):
        async with write_transaction():
            await AuditEntry.raw(
                "INSERT INTO accounts_audit_purge (reason, started_at) VALUES ({}, CURRENT_TIMESTAMP)",
                "retention: audit trail past its period",
            )
            gone = await AuditEntry.delete().where(AuditEntry.id.is_in(batch)).returning(AuditEntry.id)
            await AuditEntry.raw("DELETE FROM accounts_audit_purge")
        deleted += len(gone)
    return deleted


async def apply(plan: RetentionPlan) -> RetentionResult:
    """Do what ``plan`` lists, and nothing else; one ``retention.run`` audit row with the counts."""
    done: dict[str, int] = {}
    rows: dict[str, dict[str, int]] = {}
    skipped: dict[str, int] = {}
    # Purges and blanking first: then no anonymization rewrites a row that is about to go anyway.
    for share in sorted(plan.classes, key=lambda c: c.retention in PERSON_CLASSES):
        name = share.retention.value
        if share.retention in PERSON_CLASSES:
            done[name], rows[name], skipped[name] = await _anonymize(share)
        elif share.retention == RetentionClass.MESSAGE_BODY:
            blanked = await _blank_bodies(share.rows.get("notifications_outbox", ()))
            done[name], rows[name], skipped[name] = (
                blanked,
                {"notifications_outbox": blanked} if blanked else {},
                share.count - blanked,
            )
        elif share.retention == RetentionClass.CREDENTIAL:
            purged = {
                table._meta.tablename: await _purge(table, share.rows.get(table._meta.tablename, ()))
                for table in CREDENTIAL_TABLES
            }
            rows[name] = {table: count for table, count in purged.items() if count}
            done[name] = sum(purged.values())
            skipped[name] = share.count - done[name]
        elif share.retention == RetentionClass.AUDIT:
            purged_audit = await _purge_audit(share.rows.get("accounts_audit_entry", ()))
            done[name], rows[name] = (
                purged_audit,
                ({"accounts_audit_entry": purged_audit} if purged_audit else {}),
            )
            skipped[name] = share.count - purged_audit
    order = [share.retention.value for share in plan.classes]
    result = RetentionResult(
        done={k: done[k] for k in order},
        rows={k: rows[k] for k in order},
        skipped={k: skipped[k] for k in order},
    )
    async with write_transaction():
        await audit.record(
            "retention.run",
            "retention",
            plan.at.date().isoformat(),
            details={
                "done": result.done,
                "rows": result.rows,
                "skipped": {k: v for k, v in result.skipped.items() if v},
                "held": {share.retention.value: share.held for share in plan.classes if share.held},
                "periods": {share.retention.value: share.period_days for share in plan.classes},
            },
        )
    return result


def describe(plan: RetentionPlan) -> list[str]:
    """The plan in words, by class and count, then the holds and whom they cover (the dry run's output)."""
    lines = [f"Retention plan at {plan.at:%Y-%m-%d %H:%M} UTC"]
    for share in plan.classes:
        tables = ", ".join(f"{table} {len(ids)}" for table, ids in share.rows.items()) or "nothing"
        held = f"; {share.held} kept by legal holds" if share.held else ""
        lines.append(
            f"  {share.retention.value:<14} {share.action} {share.count:>6}  "
            f"(older than {share.period_days} days: {tables}){held}"
        )
    for kept in ("cme", "ledger"):
        lines.append(
            f"  {kept:<14} kept           (legal minimum {getattr(plan.periods, kept)} days; never purged)"
        )
    if plan.holds:
        lines.append("Open legal holds:")
        for hold in plan.holds:
            label = f" ({hold.label})" if hold.label else ""
            lines.append(
                f"  #{hold.hold_id} {hold.scope_kind} {hold.scope_id}{label}: "
                f"{len(hold.people)} people kept; {hold.reason}"
            )
    return lines
