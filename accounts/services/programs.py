"""Programs as the scope of staff work: who runs which program.

An admin runs every program; a program-staff person runs only the programs
they are assigned to. Events and cohorts ask ``runs_program`` before letting
anyone change them.
"""

from __future__ import annotations

import re

from accounts import errors
from accounts.audit import trail as audit
from accounts.principal import Principal, Role
from accounts.schemas import ProgramCreate, ProgramOut
from accounts.tables import Person, Program, ProgramStaff, RoleGrant
from grandrounds.db import unique_violation, write_transaction

SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,59}$")
PROGRAM_KINDS = ("residency", "fellows", "webinar_series", "conference", "workshop")


async def runs_program(principal: Principal, program_id: int | None) -> bool:
    if principal.is_admin:
        return True
    if program_id is None or Role.PROGRAM_STAFF not in principal.roles:
        return False
    return bool(
        await ProgramStaff.exists().where(
            (ProgramStaff.program == program_id) & (ProgramStaff.person == principal.person_id)
        )
    )


async def programs_run_by(principal: Principal) -> list[int]:
    """Ids of the programs this person may manage (all of them for an admin)."""
    if principal.is_admin:
        return [r["id"] for r in await Program.select(Program.id)]
    if Role.PROGRAM_STAFF not in principal.roles:
        return []
    rows = await ProgramStaff.select(ProgramStaff.program).where(ProgramStaff.person == principal.person_id)
    return [r["program"] for r in rows]


async def _out(program_id: int) -> ProgramOut:
    row = await Program.select().where(Program.id == program_id).first()
    if row is None:
        raise errors.program_not_found()
    staff = await ProgramStaff.select(ProgramStaff.person).where(ProgramStaff.program == program_id)
    return ProgramOut(
        id=row["id"],
        slug=row["slug"],
        name=row["name"],
        kind=row["kind"],
        description=row["description"],
        staff_ids=sorted(s["person"] for s in staff),
        contact_email=row["contact_email"],
    )


async def program_out(program_id: int) -> ProgramOut:
    return await _out(program_id)


async def list_programs() -> list[ProgramOut]:
    return [await _out(r["id"]) for r in await Program.select(Program.id).order_by(Program.name)]


async def create_program(data: ProgramCreate) -> ProgramOut:
    if not SLUG.match(data.slug):
        raise errors.program_slug_invalid()
    with unique_violation(becomes=errors.program_slug_taken()):
        async with write_transaction():
            if await Program.exists().where(Program.slug == data.slug):
                raise errors.program_slug_taken()
            row = (
                await Program.insert(
                    Program(
                        slug=data.slug,
                        name=" ".join(data.name.split()),
                        kind=data.kind,
                        description=data.description,
                        contact_email=data.contact_email.strip().lower(),
                    )
                ).returning(Program.id)
            )[0]
            await audit.record(
                "program.create",
                "program",
                row["id"],
                after={"slug": data.slug, "name": data.name, "kind": data.kind},
            )
    return await _out(row["id"])


async def assign_staff(program_id: int, person_id: int) -> ProgramOut:
    """Put a program-staff person on a program (idempotent). They must hold the program-staff role."""
    async with write_transaction():
        if not await Program.exists().where(Program.id == program_id):
            raise errors.program_not_found()
        if not await Person.exists().where(Person.id == person_id):
            raise errors.person_not_found()
        holds_role = await RoleGrant.exists().where(
            (RoleGrant.person == person_id)
            & (RoleGrant.role == Role.PROGRAM_STAFF.value)
            & RoleGrant.revoked_at.is_null()
        )
        if not holds_role:
            raise errors.not_program_staff()
        already = await ProgramStaff.exists().where(
            (ProgramStaff.program == program_id) & (ProgramStaff.person == person_id)
        )
        if not already:
            await ProgramStaff.insert(ProgramStaff(program=program_id, person=person_id))
        await audit.record(
            "program.staff.add",
            "program",
            program_id,
            subject_id=person_id,
            before={"staff": person_id if already else None},
            after={"staff": person_id},
        )
    return await _out(program_id)


async def remove_staff(program_id: int, person_id: int) -> ProgramOut:
    async with write_transaction():
        held = await ProgramStaff.exists().where(
            (ProgramStaff.program == program_id) & (ProgramStaff.person == person_id)
        )
        await ProgramStaff.delete().where(
            (ProgramStaff.program == program_id) & (ProgramStaff.person == person_id)
        )
        await audit.record(
            "program.staff.remove",
            "program",
            program_id,
            subject_id=person_id,
            before={"staff": person_id if held else None},
            after={"staff": None},
        )
    return await _out(program_id)
