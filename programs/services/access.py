"""Who may see and change a cohort: staff of its program (and admins), and each learner for themselves.

Staff of another program get 403 (they know cohorts exist, not what is in them);
a learner asking for someone else's records gets 404, so existence does not leak.
"""

from __future__ import annotations

from typing import Any

from accounts.principal import Principal, Role
from accounts.services.programs import runs_program
from accounts.tables import Program
from programs import errors
from programs.enrollment_status import EnrollmentStatus
from programs.services.cohort_facts import CohortFacts, load_cohort
from programs.tables import CohortSession, Enrollment


async def cohort_for_staff(principal: Principal, cohort_id: int) -> CohortFacts:
    cohort = await load_cohort(cohort_id)
    if not await runs_program(principal, cohort.program_id):
        raise errors.not_your_program()
    return cohort


async def require_program_staff(principal: Principal, program_id: int) -> None:
    if not await Program.exists().where(Program.id == program_id):
        raise errors.program_not_found()
    if not await runs_program(principal, program_id):
        raise errors.not_your_program()


async def cohort_for_learner_or_staff(principal: Principal, cohort_id: int, person_id: int) -> CohortFacts:
    """The cohort, if the caller is ``person_id`` and enrolled there, or runs its program; else 404.

    Program staff of another program get 403, as on every cohort of a program they do not run.
    """
    cohort = await load_cohort(cohort_id)
    if await runs_program(principal, cohort.program_id):
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
