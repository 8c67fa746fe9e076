"""Getting into a cohort: application and decision, enrollment by staff, invitation by email, moves.

Every change is one write transaction that locks the cohort (seats are counted
under the lock) and appends to the enrollment's history. One live enrollment per
person and program is enforced by a unique index as well, so two racing
requests cannot both win.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Collection
from typing import Any

from accounts.audit import trail as audit
from accounts.principal import Principal, Role
from accounts.services.people import normalize_email
from accounts.services.programs import runs_program
from accounts.tables import Person
from grandrounds.db import now, unique_violation, write_transaction
from grandrounds.settings import get_settings
from notifications.outbox import enqueue_email
from programs import errors
from programs.enrollment_status import LIVE, SEAT_HOLDING, EnrollmentStatus
from programs.schemas import EnrollmentOut, InvitationOut
from programs.services.access import cohort_for_staff
from programs.services.certificates import issue_due
from programs.services.cohort_facts import CohortFacts, load_cohort
from programs.tables import CohortMentor, Enrollment, EnrollmentChange


def _out(row: dict[str, Any]) -> EnrollmentOut:
    return EnrollmentOut(
        id=row["id"],
        cohort_id=row["cohort"],
        program_id=row["program"],
        person_id=row["person"],
        email=row["email_key"],
        status=row["status"],
        mentor_id=row["mentor"],
        signed_off_at=row["signed_off_at"],
        moved_to=row["moved_to"],
        created_at=row["created_at"],
    )


async def enrollment_out(enrollment_id: int) -> EnrollmentOut:
    row = await Enrollment.select().where(Enrollment.id == enrollment_id).first()
    if row is None:
        raise errors.enrollment_not_found()
    return _out(row)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def _record(
    enrollment_id: int, from_status: str, to_status: EnrollmentStatus, by: int | None, reason: str = ""
) -> None:
    await EnrollmentChange.insert(
        EnrollmentChange(
            enrollment=enrollment_id,
            from_status=from_status,
            to_status=to_status,
            by_person=by,
            reason=reason[:300],
        )
    )


async def _check_seat(cohort: CohortFacts) -> None:
    taken = await Enrollment.count().where(
        (Enrollment.cohort == cohort.id) & Enrollment.status.is_in(list(SEAT_HOLDING))
    )
    if taken >= cohort.capacity:
        raise errors.cohort_full()


async def _insert(
    cohort: CohortFacts,
    person_id: int | None,
    email: str,
    status: EnrollmentStatus,
    by: int | None,
    **extra: Any,
) -> int:
    """Insert a live enrollment; the unique index turns a second live one into ``enrollment.duplicate``."""
    if await Enrollment.exists().where(
        (Enrollment.program == cohort.program_id)
        & (Enrollment.email_key == email)
        & Enrollment.status.is_in(list(LIVE))
    ):
        raise errors.already_enrolled()
    row = (
        await Enrollment.insert(
            Enrollment(
                cohort=cohort.id,
                program=cohort.program_id,
                person=person_id,
                email_key=email,
                status=status,
                **extra,
            )
        ).returning(Enrollment.id)
    )[0]
    await _record(row["id"], "", status, by)
    return int(row["id"])


async def _person(person_id: int) -> dict[str, Any]:
    row = await Person.select(Person.id, Person.email, Person.name).where(Person.id == person_id).first()
    if row is None:
        raise errors.person_not_found()
    return row


def _seat_status(cohort: CohortFacts) -> EnrollmentStatus:
    """A paid cohort holds the seat until payment arrives; a free one enrolls at once."""
    return EnrollmentStatus.AWAITING_PAYMENT if cohort.fee_amount > 0 else EnrollmentStatus.ACTIVE


async def _guarded(coro: Any) -> Any:
    with unique_violation(becomes=errors.already_enrolled()):
        return await coro


async def apply(principal: Principal, cohort_id: int, statement: str) -> EnrollmentOut:
    cohort = await load_cohort(cohort_id)
    if not cohort.open_for_applications:
        raise errors.not_open_for_applications()
    if cohort.requires_membership and not principal.has_any(Role.MEMBER):
        raise errors.membership_required()

    async def run() -> int:
        async with write_transaction():
            return await _insert(
                cohort,
                principal.person_id,
                principal.email.lower(),
                EnrollmentStatus.APPLIED,
                principal.person_id,
                statement=statement.strip(),
            )

    return await enrollment_out(await _guarded(run()))


async def _staff_enrollment(principal: Principal, enrollment_id: int) -> dict[str, Any]:
    row = await Enrollment.select().where(Enrollment.id == enrollment_id).first()
    if row is None:
        raise errors.enrollment_not_found()
    await cohort_for_staff(principal, row["cohort"])
    return row


async def _transition(
    enrollment_id: int,
    expected: Collection[EnrollmentStatus],
    to_status: EnrollmentStatus | None,
    by: int | None,
    reason: str = "",
    *,
    audit_action: str | None = None,
    **values: Any,
) -> dict[str, Any]:
    """Lock the cohort, re-read the enrollment, check its state, move it. ``to_status`` None: by seat rule.

    ``audit_action``: the staff decision this is, written to the audit trail in the same
    transaction; billing's payments and the learner's own steps pass none.
    """
    async with write_transaction():
        row = await Enrollment.select().where(Enrollment.id == enrollment_id).first()
        if row is None:
            raise errors.enrollment_not_found()
        cohort = await load_cohort(row["cohort"], lock=True)
        row = await Enrollment.select().where(Enrollment.id == enrollment_id).first()
        assert row is not None
        if row["status"] not in expected:
            # In the enum's order, so the message reads the same every time.
            raise errors.enrollment_wrong_state(" or ".join(s for s in EnrollmentStatus if s in expected))
        target = to_status or _seat_status(cohort)
        if target in SEAT_HOLDING and row["status"] not in SEAT_HOLDING:
            await _check_seat(cohort)
        await Enrollment.update(
            {
                Enrollment.status: target,
                Enrollment.updated_at: now(),
                **{getattr(Enrollment, k): v for k, v in values.items()},
            }
        ).where(Enrollment.id == enrollment_id)
        await _record(enrollment_id, row["status"], target, by, reason)
        if audit_action is not None:
            await audit.record(
                audit_action,
                "enrollment",
                enrollment_id,
                before={"status": row["status"]},
                after={"status": target},
                subject_id=row["person"],
                details={"reason": reason[:300]} if reason else None,
            )
        return row


async def accept(principal: Principal, enrollment_id: int) -> EnrollmentOut:
    await _staff_enrollment(principal, enrollment_id)
    await _transition(
        enrollment_id, {EnrollmentStatus.APPLIED}, None, principal.person_id, audit_action="enrollment.accept"
    )
    return await enrollment_out(enrollment_id)


async def reject(principal: Principal, enrollment_id: int, reason: str) -> EnrollmentOut:
    await _staff_enrollment(principal, enrollment_id)
    await _transition(
        enrollment_id,
        {EnrollmentStatus.APPLIED, EnrollmentStatus.INVITED},
        EnrollmentStatus.REJECTED,
        principal.person_id,
        reason,
        audit_action="enrollment.reject",
    )
    return await enrollment_out(enrollment_id)


async def record_payment(enrollment_id: int, by: int | None = None, reference: str = "") -> EnrollmentOut:
    """The fee is paid: the held seat becomes a place (staff recording one use :func:`mark_paid`)."""
    await _transition(
        enrollment_id,
        {EnrollmentStatus.AWAITING_PAYMENT},
        EnrollmentStatus.ACTIVE,
        by,
        reference or "payment received",
    )
    return await enrollment_out(enrollment_id)


async def mark_paid(principal: Principal, enrollment_id: int, reference: str) -> EnrollmentOut:
    """Staff record an offline payment: the move :func:`record_payment` makes, with the decision audited."""
    await _staff_enrollment(principal, enrollment_id)
    await _transition(
        enrollment_id,
        {EnrollmentStatus.AWAITING_PAYMENT},
        EnrollmentStatus.ACTIVE,
        principal.person_id,
        reference or "paid, recorded by staff",
        audit_action="enrollment.paid",
    )
    return await enrollment_out(enrollment_id)


async def withdraw(principal: Principal, enrollment_id: int, reason: str) -> EnrollmentOut:
    """The learner leaves (or staff take them out); history and attendance stay."""
    row = await Enrollment.select().where(Enrollment.id == enrollment_id).first()
    if row is None:
        raise errors.enrollment_not_found()
    if row["person"] != principal.person_id:
        cohort = await load_cohort(row["cohort"])
        if not await runs_program(principal, cohort.program_id):
            raise errors.enrollment_not_found()
    await _transition(enrollment_id, LIVE, EnrollmentStatus.WITHDRAWN, principal.person_id, reason)
    return await enrollment_out(enrollment_id)


async def enroll(principal: Principal, cohort_id: int, person_id: int) -> EnrollmentOut:
    """Staff put a person straight into the cohort (the fee rule still applies)."""
    await cohort_for_staff(principal, cohort_id)
    person = await _person(person_id)

    async def run() -> int:
        async with write_transaction():
            cohort = await load_cohort(cohort_id, lock=True)
            status = _seat_status(cohort)
            await _check_seat(cohort)
            enrollment_id = await _insert(cohort, person_id, person["email"], status, principal.person_id)
            await audit.record(
                "enrollment.create",
                "enrollment",
                enrollment_id,
                after={"cohort": cohort_id, "person": person_id, "status": status},
                subject_id=person_id,
            )
            return enrollment_id

    return await enrollment_out(await _guarded(run()))


async def invite(principal: Principal, cohort_id: int, email: str) -> InvitationOut:
    """Invite an email address, with or without an account; the link in the email claims the place."""
    cohort = await cohort_for_staff(principal, cohort_id)
    email_key = normalize_email(email)
    token = secrets.token_urlsafe(24)
    existing = await Person.select(Person.id).where(Person.email == email_key).first()

    async def run() -> int:
        async with write_transaction():
            enrollment_id = await _insert(
                cohort,
                existing["id"] if existing else None,
                email_key,
                EnrollmentStatus.INVITED,
                principal.person_id,
                invite_token_hash=token_hash(token),
            )
            await enqueue_email(
                "cohort_invitation",
                email_key,
                {
                    "cohort": cohort.name,
                    "starts_on": cohort.starts_on.isoformat(),
                    "accept_url": f"{get_settings().base_url}/invitations/{token}",
                    "has_account": existing is not None,
                    "signup_url": f"{get_settings().base_url}/signup",
                },
                person_id=existing["id"] if existing else None,
                program_id=cohort.program_id,
                dedupe_key=f"cohort-invite:{enrollment_id}",
                secret_keys=("accept_url",),  # the record keeps no working link once sent
            )
            await audit.record(
                "cohort.invitation.create",
                "enrollment",
                enrollment_id,
                after={"cohort": cohort.id, "email": email_key, "status": EnrollmentStatus.INVITED},
                subject_id=existing["id"] if existing else None,
            )
            return enrollment_id

    enrollment_id = await _guarded(run())
    return InvitationOut(enrollment=await enrollment_out(enrollment_id), token=token)


async def invitation(token: str) -> dict[str, Any]:
    row = (
        await Enrollment.select()
        .where(
            (Enrollment.invite_token_hash == token_hash(token))
            & (Enrollment.status == EnrollmentStatus.INVITED)
        )
        .first()
    )
    if row is None or not token:
        raise errors.invitation_invalid()
    return row


async def accept_invitation(principal: Principal, token: str) -> EnrollmentOut:
    row = await invitation(token)
    if row["email_key"] != principal.email.lower():
        raise errors.invitation_other_email()
    await _transition(
        row["id"],
        {EnrollmentStatus.INVITED},
        None,
        principal.person_id,
        "invitation accepted",
        person=principal.person_id,
        invite_token_hash="",
    )
    return await enrollment_out(row["id"])


async def move(principal: Principal, enrollment_id: int, target_cohort_id: int, reason: str) -> EnrollmentOut:
    """Move someone to another cohort of the same program: the old row is closed, never rewritten."""
    row = await _staff_enrollment(principal, enrollment_id)
    target = await cohort_for_staff(principal, target_cohort_id)
    if target.program_id != row["program"]:
        raise errors.move_other_program()

    async def run() -> int:
        async with write_transaction():
            locked = await load_cohort(target_cohort_id, lock=True)
            current = await Enrollment.select().where(Enrollment.id == enrollment_id).first()
            assert current is not None
            if current["status"] not in LIVE:
                raise errors.enrollment_wrong_state("live")
            if current["cohort"] == target_cohort_id:
                await _audit_move(current, current, reason)
                return enrollment_id
            if current["status"] in SEAT_HOLDING:
                await _check_seat(locked)
            await Enrollment.update(
                {Enrollment.status: EnrollmentStatus.MOVED, Enrollment.updated_at: now()}
            ).where(Enrollment.id == enrollment_id)
            await _record(
                enrollment_id,
                current["status"],
                EnrollmentStatus.MOVED,
                principal.person_id,
                reason or f"to cohort {target_cohort_id}",
            )
            new_id = await _insert(
                locked,
                current["person"],
                current["email_key"],
                current["status"],
                principal.person_id,
                statement=current["statement"],
                invite_token_hash=current["invite_token_hash"],
            )
            await Enrollment.update({Enrollment.moved_to: new_id}).where(Enrollment.id == enrollment_id)
            await _audit_move(current, {"id": new_id, "cohort": target_cohort_id}, reason)
            return new_id

    return await enrollment_out(await _guarded(run()))


async def _audit_move(old: dict[str, Any], new: dict[str, Any], reason: str) -> None:
    """One row on the enrollment that moved: from which cohort (and enrollment) to which."""
    await audit.record(
        "enrollment.move",
        "enrollment",
        old["id"],
        before={"cohort": old["cohort"], "enrollment": old["id"]},
        after={"cohort": new["cohort"], "enrollment": new["id"]},
        subject_id=old["person"],
        details={"reason": reason[:300]} if reason else None,
    )


async def add_mentor(principal: Principal, cohort_id: int, person_id: int) -> None:
    await cohort_for_staff(principal, cohort_id)
    await _person(person_id)
    async with write_transaction():
        already = await CohortMentor.exists().where(
            (CohortMentor.cohort == cohort_id) & (CohortMentor.person == person_id)
        )
        if not already:
            await CohortMentor.insert(CohortMentor(cohort=cohort_id, person=person_id))
        await audit.record(
            "cohort.mentor.add",
            "cohort",
            cohort_id,
            before={"mentor": person_id if already else None},
            after={"mentor": person_id},
            subject_id=person_id,
        )


async def assign_mentor(principal: Principal, enrollment_id: int, mentor_id: int | None) -> EnrollmentOut:
    """Pair a resident with a mentor of the cohort, who may have at most the cohort's limit of residents."""
    row = await _staff_enrollment(principal, enrollment_id)
    async with write_transaction():
        cohort = await load_cohort(row["cohort"], lock=True)
        if mentor_id is not None:
            if not await CohortMentor.exists().where(
                (CohortMentor.cohort == cohort.id) & (CohortMentor.person == mentor_id)
            ):
                raise errors.not_a_mentor()
            mentees = await Enrollment.count().where(
                (Enrollment.cohort == cohort.id)
                & (Enrollment.mentor == mentor_id)
                & Enrollment.status.is_in(list(LIVE))
                & (Enrollment.id != enrollment_id)
            )
            if mentees >= cohort.mentor_limit:
                raise errors.mentor_full(cohort.mentor_limit)
        current = await Enrollment.select(Enrollment.mentor).where(Enrollment.id == enrollment_id).first()
        await Enrollment.update({Enrollment.mentor: mentor_id, Enrollment.updated_at: now()}).where(
            Enrollment.id == enrollment_id
        )
        await audit.record(
            "enrollment.mentor",
            "enrollment",
            enrollment_id,
            before={"mentor": current["mentor"] if current else None},
            after={"mentor": mentor_id},
            subject_id=row["person"],
        )
    return await enrollment_out(enrollment_id)


async def sign_off(principal: Principal, enrollment_id: int, signed: bool = True) -> EnrollmentOut:
    row = await _staff_enrollment(principal, enrollment_id)
    if row["status"] != EnrollmentStatus.ACTIVE:
        raise errors.enrollment_wrong_state(EnrollmentStatus.ACTIVE)
    async with write_transaction():
        current = (
            await Enrollment.select(Enrollment.signed_off_by, Enrollment.signed_off_at)
            .where(Enrollment.id == enrollment_id)
            .first()
        )
        moment = now()
        await Enrollment.update(
            {
                Enrollment.signed_off_by: principal.person_id if signed else None,
                Enrollment.signed_off_at: moment if signed else None,
                Enrollment.updated_at: moment,
            }
        ).where(Enrollment.id == enrollment_id)
        await audit.record(
            "enrollment.sign_off",
            "enrollment",
            enrollment_id,
            before=current,
            after={
                "signed_off_by": principal.person_id if signed else None,
                "signed_off_at": moment if signed else None,
            },
            subject_id=row["person"],
        )
        await _record(
            enrollment_id,
            EnrollmentStatus.ACTIVE,
            EnrollmentStatus.ACTIVE,
            principal.person_id,
            "signed off" if signed else "sign-off withdrawn",
        )
    if signed:
        await issue_due(row["cohort"], [row["person"]])
    return await enrollment_out(enrollment_id)


async def list_enrollments(principal: Principal, cohort_id: int) -> list[EnrollmentOut]:
    await cohort_for_staff(principal, cohort_id)
    rows = await Enrollment.select().where(Enrollment.cohort == cohort_id).order_by(Enrollment.id)
    return [_out(r) for r in rows]


async def my_enrollments(person_id: int) -> list[dict[str, Any]]:
    return await (
        Enrollment.select(
            *Enrollment.all_columns(),
            Enrollment.cohort.name.as_alias("cohort_name"),
            Enrollment.program.name.as_alias("program_name"),
        )
        .where(Enrollment.person == person_id)
        .order_by(Enrollment.id)
    )
