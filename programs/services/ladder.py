"""The fellows ladder: Bronze (plan reviewed and passed), Silver (plan executed and results published),
Gold (results shared more broadly), Platinum (lifetime). Each rung needs the one below it."""

from __future__ import annotations

from typing import Any

from accounts.audit import trail as audit
from accounts.principal import Principal
from accounts.tables import Person, Program
from grandrounds.db import unique_violation, write_transaction
from programs import errors
from programs.schemas import RungOut
from programs.services.access import require_program_staff
from programs.tables import FellowRung

RUNGS = ("Bronze", "Silver", "Gold", "Platinum")
MEANING = {
    "Bronze": "plan reviewed and passed",
    "Silver": "plan executed and results published",
    "Gold": "results shared more broadly",
    "Platinum": "lifetime",
}


def missing_below(rung: str, held: set[str]) -> str | None:
    """The lowest rung below ``rung`` not yet held, which refuses the grant; None if the way is clear."""
    for lower in RUNGS[: RUNGS.index(rung)]:
        if lower not in held:
            return lower
    return None


def highest(held: set[str]) -> str | None:
    return next((r for r in reversed(RUNGS) if r in held), None)


async def rungs_of(program_id: int, person_id: int) -> set[str]:
    rows = await FellowRung.select(FellowRung.rung).where(
        (FellowRung.program == program_id) & (FellowRung.person == person_id)
    )
    return {r["rung"] for r in rows}


async def grant(principal: Principal, program_id: int, person_id: int, rung_text: str, note: str) -> RungOut:
    await require_program_staff(principal, program_id)
    program = await Program.select(Program.kind).where(Program.id == program_id).first()
    if program is None or program["kind"] != "fellows":
        raise errors.not_fellows_program()
    rung = rung_text.strip().title()
    if rung not in RUNGS:
        raise errors.rung_unknown()
    if not await Person.exists().where(Person.id == person_id):
        raise errors.person_not_found()
    with unique_violation(becomes=errors.rung_already_granted(rung)):
        async with write_transaction():
            held = await rungs_of(program_id, person_id)
            if rung in held:
                raise errors.rung_already_granted(rung)
            missing = missing_below(rung, held)
            if missing is not None:
                raise errors.rung_out_of_order(rung, missing)
            await FellowRung.insert(
                FellowRung(
                    program=program_id,
                    person=person_id,
                    rung=rung,
                    note=note.strip(),
                    granted_by=principal.person_id,
                )
            )
            await audit.record(
                "fellows.rung.grant",
                "program",
                program_id,
                before={"rung": highest(held)},
                after={"rung": rung},
                subject_id=person_id,
                details={"note": note.strip()} if note.strip() else None,
            )
    return await rung_out(program_id, person_id)


async def rung_out(program_id: int, person_id: int) -> RungOut:
    held = await rungs_of(program_id, person_id)
    return RungOut(
        program_id=program_id,
        person_id=person_id,
        rungs=[r for r in RUNGS if r in held],
        current=highest(held),
    )


async def profile_rungs(person_id: int) -> list[dict[str, Any]]:
    """The person's current rung in each fellows program, for their profile."""
    rows = await FellowRung.select(
        FellowRung.program, FellowRung.rung, FellowRung.program.name.as_alias("program_name")
    ).where(FellowRung.person == person_id)
    by_program: dict[int, dict[str, Any]] = {}
    for r in rows:
        entry = by_program.setdefault(
            r["program"], {"program_id": r["program"], "program": r["program_name"], "held": set()}
        )
        entry["held"].add(r["rung"])
    return [
        {
            "program_id": e["program_id"],
            "program": e["program"],
            "rung": highest(e["held"]),
            "meaning": MEANING[highest(e["held"]) or "Bronze"],
        }
        for e in by_program.values()
    ]


async def profile_lines(person_id: int) -> list[tuple[str, str]]:
    """The account page's lines: 'Fellows ladder (Program)' -> 'Silver'."""
    return [
        (f"Fellows ladder ({entry['program']})", str(entry["rung"]))
        for entry in await profile_rungs(person_id)
        if entry["rung"]
    ]
