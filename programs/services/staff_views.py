"""Read-models for the program staff's pages: what a page shows, loaded in a fixed number of queries.

Pages render these and query no table themselves; each loader answers in the
same number of queries however many programs, cohorts or people it lists.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from accounts.principal import Principal
from accounts.services.programs import programs_run_by
from accounts.tables import Person, Program
from programs.enrollment_status import UNDECIDED
from programs.tables import Cohort, Enrollment

# Enrollments a program's staff still has to act on (or wait for).


@dataclass(frozen=True, slots=True)
class CohortLine:
    id: int
    name: str
    starts_on: date
    ends_on: date


@dataclass(frozen=True, slots=True)
class ProgramCohorts:
    """A program someone runs, with its cohorts soonest first."""

    id: int
    name: str
    kind: str
    cohorts: tuple[CohortLine, ...]


@dataclass(frozen=True, slots=True)
class ProgramHeading:
    name: str
    kind: str


@dataclass(frozen=True, slots=True)
class PendingEnrollment:
    """An application or invitation waiting on staff or on the invitee; no name until they sign up."""

    id: int
    email_key: str
    status: str
    statement: str
    name: str | None


@dataclass(frozen=True, slots=True)
class Member:
    id: int
    name: str
    email: str


async def programs_with_cohorts(principal: Principal) -> list[ProgramCohorts]:
    """The programs this person runs, by name, each with its cohorts: two queries in all."""
    ids = await programs_run_by(principal)
    if not ids:
        return []
    programs = (
        await Program.select(Program.id, Program.name, Program.kind)
        .where(Program.id.is_in(ids))
        .order_by(Program.name)
    )
    cohorts: dict[int, list[CohortLine]] = {p["id"]: [] for p in programs}
    for row in (
        await Cohort.select(Cohort.id, Cohort.program, Cohort.name, Cohort.starts_on, Cohort.ends_on)
        .where(Cohort.program.is_in(ids))
        .order_by(Cohort.starts_on)
        .order_by(Cohort.id)
    ):
        cohorts[row["program"]].append(
            CohortLine(id=row["id"], name=row["name"], starts_on=row["starts_on"], ends_on=row["ends_on"])
        )
    return [
        ProgramCohorts(id=p["id"], name=p["name"], kind=p["kind"], cohorts=tuple(cohorts[p["id"]]))
        for p in programs
    ]


async def program_heading(program_id: int) -> ProgramHeading | None:
    row = await Program.select(Program.name, Program.kind).where(Program.id == program_id).first()
    return None if row is None else ProgramHeading(name=row["name"], kind=row["kind"])


async def pending_enrollments(cohort_id: int) -> list[PendingEnrollment]:
    rows = await Enrollment.select(
        Enrollment.id,
        Enrollment.email_key,
        Enrollment.status,
        Enrollment.statement,
        Enrollment.person.name.as_alias("name"),
    ).where((Enrollment.cohort == cohort_id) & Enrollment.status.is_in(list(UNDECIDED)))
    return [
        PendingEnrollment(
            id=r["id"], email_key=r["email_key"], status=r["status"], statement=r["statement"], name=r["name"]
        )
        for r in rows
    ]


async def members_by_name(person_ids: list[int]) -> list[Member]:
    """People to choose from (e.g. whom an unmatched attendance line belongs to), by name."""
    if not person_ids:
        return []
    rows = (
        await Person.select(Person.id, Person.name, Person.email)
        .where(Person.id.is_in(person_ids))
        .order_by(Person.name)
    )
    return [Member(id=r["id"], name=r["name"], email=r["email"]) for r in rows]


@dataclass(frozen=True, slots=True)
class EnrollmentRef:
    """Where an enrollment belongs: where to send staff back after deciding on it."""

    cohort_id: int
    person_id: int | None


async def enrollment_ref(enrollment_id: int) -> EnrollmentRef | None:
    row = (
        await Enrollment.select(Enrollment.cohort, Enrollment.person)
        .where(Enrollment.id == enrollment_id)
        .first()
    )
    return None if row is None else EnrollmentRef(cohort_id=row["cohort"], person_id=row["person"])
