"""A cohort as services read it: one frozen value built from its row in one place.

Cohorts cross many modules (enrollment, attendance, certificates, the staff and
learner pages, the library's prerequisite reading), so they travel as
:class:`CohortFacts` rather than as the ORM's dictionary: a misspelt column is a
type error, not a KeyError at request time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from piccolo.engine.postgres import PostgresEngine

from grandrounds.db import engine
from programs import errors
from programs.tables import Cohort


@dataclass(frozen=True, slots=True)
class CohortFacts:
    """One run of a program: its dates, seats, fee and who may apply."""

    id: int
    program_id: int
    name: str
    starts_on: date
    ends_on: date
    time_zone: str
    capacity: int
    mentor_limit: int
    open_for_applications: bool
    requires_membership: bool
    fee_amount: int  # minor units of fee_currency; 0 means free
    fee_currency: str

    @classmethod
    def of(cls, row: dict[str, Any]) -> CohortFacts:
        """The facts of a full ``Cohort.select()`` row."""
        return cls(
            id=row["id"],
            program_id=row["program"],
            name=row["name"],
            starts_on=row["starts_on"],
            ends_on=row["ends_on"],
            time_zone=row["time_zone"],
            capacity=row["capacity"],
            mentor_limit=row["mentor_limit"],
            open_for_applications=row["open_for_applications"],
            requires_membership=row["requires_membership"],
            fee_amount=row["fee_amount"],
            fee_currency=row["fee_currency"],
        )


async def find_cohort(cohort_id: int, lock: bool = False) -> CohortFacts | None:
    """The cohort, or None; ``lock`` locks its row on PostgreSQL (SQLite's BEGIN IMMEDIATE already
    serialises writers)."""
    query = Cohort.select().where(Cohort.id == cohort_id)
    if lock and isinstance(engine(), PostgresEngine):
        query = query.lock_rows("UPDATE")
    row = await query.first()
    return None if row is None else CohortFacts.of(row)


async def load_cohort(cohort_id: int, lock: bool = False) -> CohortFacts:
    """The cohort, or programs' 404 ``cohort.not_found``."""
    cohort = await find_cohort(cohort_id, lock)
    if cohort is None:
        raise errors.cohort_not_found()
    return cohort
