"""Who may see and change a cohort: staff of its program (and admins), and each learner for themselves.

Staff of another program get 403 (they know cohorts exist, not what is in them);
a learner asking for someone else's records gets 404, so existence does not leak.
"""

from __future__ import annotations

from typing import Any

from piccolo.engine.postgres import PostgresEngine

from accounts.principal import Principal, Role
from accounts.services.programs import runs_program
from accounts.tables import Program
from grandrounds.db import engine
from programs import errors
from programs.enrollment_status import EnrollmentStatus
from programs.tables import Cohort, CohortSession, Enrollment


async def cohort_row(cohort_id: int, lock: bool = False) -> dict[str, Any]:
    """The cohort; ``lock`` locks its row on PostgreSQL (SQLite's BEGIN IMMEDIATE already serialises)."""
    query = Cohort.select().where(Cohort.id == cohort_id)
    if lock and isinstance(engine(), PostgresEngine):
        query = query.lock_rows("UPDATE")
    row = await query.first()
    if row is None:
        raise errors.cohort_not_found()
    return row


async def cohort_for_staff(principal: Principal, cohort_id: int) -> dict[str, Any]:
    row = await cohort_row(cohort_id)
    if not await runs_program(principal, row["program"]):
        raise errors.not_your_program()
    return row


async def require_program_staff(principal: Principal, program_id: int) -> None:
    if not await Program.exists().where(Program.id == program_id):
        raise errors.program_not_found()
    if not await runs_program(principal, program_id):
        raise errors.not_your_program()


async def is_staff_of_cohort(principal: Principal, cohort: dict[str, Any]) -> bool:
    return await runs_program(principal, cohort["program"])


async def cohort_for_learner_or_staff(principal: Principal, cohort_id: int, person_id: int) -> dict[str, Any]:
    """The cohort, if the caller is ``person_id`` and enrolled there, or runs its program; else 404.

    Program staff of another program get 403, as on every cohort of a program they do not run.
    """
    cohort = await Cohort.select().where(Cohort.id == cohort_id).first()
    if cohort is None:
        raise errors.cohort_not_found()
    if await runs_program(principal, cohort["program"]):
        return cohort
    if principal.person_id == person_id and await Enrollment.exists().where(
        (Enrollment.cohort == cohort_id)
        & (Enrollment.person == person_id)
        & (Enrollment.status == EnrollmentStatus.ACTIVE)
    ):
        return cohort
    if principal.person_id != person_id and Role.PROGRAM_STAFF in principal.roles:
        raise errors.not_your_program()
    raise errors.not_enrolled()


async def session_in_cohort(cohort_id: int, session_id: int) -> dict[str, Any]:
    link = (
        await CohortSession.select()
        .where((CohortSession.cohort == cohort_id) & (CohortSession.session == session_id))
        .first()
    )
    if link is None:
        raise errors.session_not_in_cohort()
    return link


async def active_member(cohort_id: int, person_id: int) -> dict[str, Any]:
    row = (
        await Enrollment.select()
        .where(
            (Enrollment.cohort == cohort_id)
            & (Enrollment.person == person_id)
            & (Enrollment.status == EnrollmentStatus.ACTIVE)
        )
        .first()
    )
    if row is None:
        raise errors.not_enrolled()
    return row
