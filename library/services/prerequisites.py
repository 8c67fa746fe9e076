"""Library items a cohort's learners should read or watch before it starts.

Staff of the cohort's program (and admins) choose them; anyone may see the
list, because a title and summary are what the public library shows anyway,
and each item still opens only as far as the reader's own access allows. An
item unpublished later drops out of the list for everyone but staff rather
than breaking it. Nothing here changes the programs' own completion rules.
Adding and removing each leave one audit row on the cohort, naming the item.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from accounts.audit import trail as audit
from accounts.principal import Principal
from accounts.services.programs import runs_program
from grandrounds.db import unique_violation, write_transaction
from library import errors
from library.schemas import PrerequisiteOut
from library.services import access
from library.services.items import item_out, tags_of
from library.services.rules import is_id
from library.tables import CohortPrerequisite, LibraryItem
from programs.services.cohort_facts import CohortFacts, find_cohort


async def cohort(cohort_id: int) -> CohortFacts:
    found = await find_cohort(cohort_id) if is_id(cohort_id) else None
    if found is None:
        raise errors.cohort_not_found()
    return found


async def may_change(principal: Principal | None, cohort: CohortFacts) -> bool:
    return principal is not None and await runs_program(principal, cohort.program_id)


async def _for_staff(principal: Principal, cohort_id: int) -> CohortFacts:
    found = await cohort(cohort_id)
    if not await may_change(principal, found):
        raise errors.not_your_program()
    return found


async def list_for(principal: Principal | None, cohort_id: int) -> list[PrerequisiteOut]:
    """The cohort's prerequisites in order; drafts only for staff who manage the library."""
    await cohort(cohort_id)
    links = (
        await CohortPrerequisite.select(CohortPrerequisite.item, CohortPrerequisite.position)
        .where(CohortPrerequisite.cohort == cohort_id)
        .order_by(CohortPrerequisite.position)
        .order_by(CohortPrerequisite.id)
    )
    if not links:
        return []
    rows = await LibraryItem.select().where(LibraryItem.id.is_in([link["item"] for link in links]))
    by_id = {row["id"]: row for row in rows if access.sees(principal, row)}
    tags = await tags_of(by_id)
    return [
        PrerequisiteOut(
            cohort_id=cohort_id,
            position=link["position"],
            item=item_out(by_id[link["item"]], tags[link["item"]], principal),
        )
        for link in links
        if link["item"] in by_id
    ]


async def add(principal: Principal, cohort_id: int, item_id: int) -> list[PrerequisiteOut]:
    await _for_staff(principal, cohort_id)
    if not is_id(item_id):
        raise errors.item_not_found()
    # Two staff adding the same item at once: the unique index decides, the loser is told.
    with unique_violation(becomes=errors.prerequisite_duplicate()):
        async with write_transaction():
            item = await LibraryItem.select(LibraryItem.status).where(LibraryItem.id == item_id).first()
            if item is None:
                raise errors.item_not_found()
            if item["status"] != "published":
                raise errors.item_not_published()
            if await CohortPrerequisite.exists().where(
                (CohortPrerequisite.cohort == cohort_id) & (CohortPrerequisite.item == item_id)
            ):
                raise errors.prerequisite_duplicate()
            last = (
                await CohortPrerequisite.select(CohortPrerequisite.position)
                .where(CohortPrerequisite.cohort == cohort_id)
                .order_by(CohortPrerequisite.position, ascending=False)
                .first()
            )
            position = (last["position"] + 1) if last else 1
            await CohortPrerequisite.insert(
                CohortPrerequisite(
                    cohort=cohort_id, item=item_id, position=position, added_by=principal.person_id
                )
            )
            await audit.record(
                "prerequisite.add",
                "cohort",
                cohort_id,
                after={"prerequisite_item_id": item_id, "position": position},
            )
    return await list_for(principal, cohort_id)


async def remove(principal: Principal, cohort_id: int, item_id: int) -> None:
    await _for_staff(principal, cohort_id)
    if not is_id(item_id):
        raise errors.prerequisite_not_found()
    async with write_transaction():
        link = (
            await CohortPrerequisite.select(CohortPrerequisite.id, CohortPrerequisite.position)
            .where((CohortPrerequisite.cohort == cohort_id) & (CohortPrerequisite.item == item_id))
            .first()
        )
        if link is None:
            raise errors.prerequisite_not_found()
        await CohortPrerequisite.delete().where(CohortPrerequisite.id == link["id"])
        await audit.record(
            "prerequisite.remove",
            "cohort",
            cohort_id,
            before={"prerequisite_item_id": item_id, "position": link["position"]},
        )


@dataclass(frozen=True, slots=True)
class ItemChoice:
    id: int
    title: str


async def choices(chosen: Collection[int]) -> list[ItemChoice]:
    """Published items, by title, less those already ``chosen``: what staff may add to a cohort."""
    rows = (
        await LibraryItem.select(LibraryItem.id, LibraryItem.title)
        .where(LibraryItem.status == "published")
        .order_by(LibraryItem.title)
    )
    return [ItemChoice(id=r["id"], title=r["title"]) for r in rows if r["id"] not in chosen]
