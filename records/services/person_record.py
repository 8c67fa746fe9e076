"""An admin's view of one person: profile, roles history, who saw or changed their data, erasure requests.

Looking is itself recorded (``person.view``, the person as subject), before the
list is read, so the person's own "who has seen your data" shows this visit too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from accounts.audit import trail as audit
from accounts.audit.queries import about_person
from accounts.audit.schemas import DataAccessLine
from accounts.schemas import PersonOut
from accounts.services.people import person_out, role_history
from accounts.tables import Person
from grandrounds.db import write_transaction
from records.schemas import ErasureOut
from records.services import erasure


@dataclass(frozen=True, slots=True)
class RoleLine:
    """One grant of a role, open or revoked, with the names of who granted and revoked it."""

    role: str
    granted_at: datetime
    granted_by: str
    revoked_at: datetime | None
    revoked_by: str


@dataclass(frozen=True, slots=True)
class PersonRecord:
    person: PersonOut
    roles: list[RoleLine]
    seen: list[DataAccessLine]
    erasures: list[ErasureOut]


async def _role_lines(person_id: int) -> list[RoleLine]:
    grants = await role_history(person_id)
    ids = {g["granted_by"] for g in grants} | {g["revoked_by"] for g in grants}
    wanted = sorted(i for i in ids if i is not None)
    rows = await Person.select(Person.id, Person.name).where(Person.id.is_in(wanted)) if wanted else []
    names = {int(r["id"]): str(r["name"]) for r in rows}

    def name(person: int | None) -> str:
        return "" if person is None else names.get(person, f"Person #{person}")

    return [
        RoleLine(
            role=str(g["role"]),
            granted_at=g["granted_at"],
            granted_by=name(g["granted_by"]) or "System",
            revoked_at=g["revoked_at"],
            revoked_by=name(g["revoked_by"]),
        )
        for g in grants
    ]


async def view_person(person_id: int) -> PersonRecord:
    """Everything an admin sees on a person's page; 404 ``account.not_found`` writes nothing."""
    person = await person_out(person_id)
    async with write_transaction():
        await audit.record("person.view", "person", person_id, subject_id=person_id)
    return PersonRecord(
        person=person,
        roles=await _role_lines(person_id),
        seen=await about_person(person_id),
        erasures=await erasure.of_person(person_id),
    )
