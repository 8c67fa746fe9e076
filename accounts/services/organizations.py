"""Organizations: a leader and the colleagues whose seats the leader manages."""

from __future__ import annotations

from dataclasses import dataclass

from accounts import errors
from accounts.audit import trail as audit
from accounts.principal import Principal
from accounts.schemas import OrganizationOut
from accounts.tables import Organization, OrganizationMember, Person
from grandrounds.db import unique_violation, write_transaction


@dataclass(frozen=True, slots=True)
class OrganizationName:
    id: int
    name: str


async def led_by(person_id: int) -> list[OrganizationName]:
    """The organizations this person leads: those they may join, and manage seats, for."""
    rows = await Organization.select(Organization.id, Organization.name).where(
        Organization.leader == person_id
    )
    return [OrganizationName(id=r["id"], name=r["name"]) for r in rows]


async def name_of(organization_id: int) -> str | None:
    row = await Organization.select(Organization.name).where(Organization.id == organization_id).first()
    return None if row is None else str(row["name"])


async def organization_out(organization_id: int) -> OrganizationOut:
    org = await Organization.select().where(Organization.id == organization_id).first()
    if org is None:
        raise errors.organization_not_found()
    members = await OrganizationMember.select(OrganizationMember.person).where(
        OrganizationMember.organization == organization_id
    )
    return OrganizationOut(
        id=org["id"],
        name=org["name"],
        leader_id=org["leader"],
        member_ids=sorted(m["person"] for m in members),
    )


async def create_organization(name: str, leader_id: int | None) -> OrganizationOut:
    cleaned = " ".join(name.split())
    with unique_violation(becomes=errors.organization_name_taken()):
        async with write_transaction():
            if leader_id is not None and not await Person.exists().where(Person.id == leader_id):
                raise errors.person_not_found()
            if await Organization.exists().where(Organization.name == cleaned):
                raise errors.organization_name_taken()
            row = (
                await Organization.insert(Organization(name=cleaned, leader=leader_id)).returning(
                    Organization.id
                )
            )[0]
            if leader_id is not None:
                await OrganizationMember.insert(OrganizationMember(organization=row["id"], person=leader_id))
            await audit.record(
                "organization.create",
                "organization",
                row["id"],
                after={"name": cleaned, "leader_id": leader_id},
            )
    return await organization_out(row["id"])


async def may_view(viewer: Principal, organization_id: int) -> bool:
    """Admins and the organization's own people may see it."""
    if viewer.is_admin:
        return True
    return await OrganizationMember.exists().where(
        (OrganizationMember.organization == organization_id) & (OrganizationMember.person == viewer.person_id)
    )


async def _require_leader(viewer: Principal, organization_id: int) -> None:
    org = await Organization.select(Organization.leader).where(Organization.id == organization_id).first()
    if org is None:
        raise errors.organization_not_found()
    if not viewer.is_admin and org["leader"] != viewer.person_id:
        raise errors.not_leader()


async def add_member(viewer: Principal, organization_id: int, person_id: int) -> OrganizationOut:
    await _require_leader(viewer, organization_id)
    async with write_transaction():
        if not await Person.exists().where(Person.id == person_id):
            raise errors.person_not_found()
        already = await OrganizationMember.exists().where(
            (OrganizationMember.organization == organization_id) & (OrganizationMember.person == person_id)
        )
        if not already:
            await OrganizationMember.insert(
                OrganizationMember(organization=organization_id, person=person_id)
            )
    return await organization_out(organization_id)


async def remove_member(viewer: Principal, organization_id: int, person_id: int) -> OrganizationOut:
    await _require_leader(viewer, organization_id)
    async with write_transaction():
        await OrganizationMember.delete().where(
            (OrganizationMember.organization == organization_id) & (OrganizationMember.person == person_id)
        )
    return await organization_out(organization_id)


async def list_organizations(viewer: Principal) -> list[OrganizationOut]:
    query = Organization.select(Organization.id).order_by(Organization.id)
    if not viewer.is_admin:
        mine = await OrganizationMember.select(OrganizationMember.organization).where(
            OrganizationMember.person == viewer.person_id
        )
        query = query.where(Organization.id.is_in([m["organization"] for m in mine] or [0]))
    return [await organization_out(r["id"]) for r in await query]
