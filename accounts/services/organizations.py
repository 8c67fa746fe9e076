"""Organizations: a leader and the colleagues whose seats the leader manages.

Colleagues join by invitation only. The leader (or an admin) sends an
invitation to an email address; the answer and the work done are the same
whether or not an account uses that address, so inviting cannot be used to
find out who has an account. The emailed link carries a random token (only
its SHA-256 is stored) and lasts ``INVITATION_LIFETIME``; the person joins by
accepting it while signed in, with whichever account they choose, and only
then does the leader see their name and address. Admins may still add an
account by id (they can list everyone anyway).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from accounts import errors
from accounts.audit import trail as audit
from accounts.principal import Principal
from accounts.schemas import OrganizationOut
from accounts.services.people import normalize_email
from accounts.tables import Organization, OrganizationInvitation, OrganizationMember, Person
from grandrounds.db import now, unique_violation, write_transaction
from grandrounds.settings import get_settings
from notifications.outbox import enqueue_email

INVITATION_LIFETIME = timedelta(days=14)
INVITATIONS_PER_DAY = 100


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


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


async def add_member(organization_id: int, person_id: int) -> OrganizationOut:
    """An admin adds an account by id (the API route is admin-only; the demo seeds with it).

    A concurrent add of the same person is the unique index's to catch: the person is a member either way.
    """
    with unique_violation():
        async with write_transaction():
            await _record_member_added(organization_id, person_id)
    return await organization_out(organization_id)


async def _record_member_added(organization_id: int, person_id: int) -> None:
    if not await Organization.exists().where(Organization.id == organization_id):
        raise errors.organization_not_found()
    if not await Person.exists().where(Person.id == person_id):
        raise errors.person_not_found()
    already = await OrganizationMember.exists().where(
        (OrganizationMember.organization == organization_id) & (OrganizationMember.person == person_id)
    )
    if not already:
        await OrganizationMember.insert(OrganizationMember(organization=organization_id, person=person_id))
    await audit.record(
        "organization.member.add",
        "organization",
        organization_id,
        subject_id=person_id,
        before={"member_id": person_id if already else None},
        after={"member_id": person_id},
    )


async def invite(viewer: Principal, organization_id: int, raw_email: str) -> None:
    """Email an invitation to ``raw_email``: the same answer and the same statements for any address."""
    await _require_leader(viewer, organization_id)
    email = normalize_email(raw_email)
    name = await name_of(organization_id) or ""
    token = secrets.token_urlsafe(32)
    moment = now()
    async with write_transaction():
        sent_today = await OrganizationInvitation.count().where(
            (OrganizationInvitation.organization == organization_id)
            & (OrganizationInvitation.created_at > moment - timedelta(days=1))
        )
        if sent_today >= INVITATIONS_PER_DAY:
            raise errors.too_many_invitations(INVITATIONS_PER_DAY)
        # A new invitation to the same address replaces the one still open: one live link per address.
        await OrganizationInvitation.update({OrganizationInvitation.expires_at: moment}).where(
            (OrganizationInvitation.organization == organization_id)
            & (OrganizationInvitation.email == email)
            & OrganizationInvitation.accepted_at.is_null()
            & (OrganizationInvitation.expires_at > moment)
        )
        await OrganizationInvitation.insert(
            OrganizationInvitation(
                organization=organization_id,
                email=email,
                token_hash=_digest(token),
                invited_by=viewer.person_id,
                created_at=moment,
                expires_at=moment + INVITATION_LIFETIME,
            )
        )
        # Not linked to an account (none is looked up): the mail goes to the address typed.
        await enqueue_email(
            "organization_invitation",
            email,
            {
                "organization": name,
                "inviter": viewer.name,
                "accept_url": f"{get_settings().base_url}/organizations/invitations/{token}",
                "valid_days": INVITATION_LIFETIME.days,
                "signup_url": f"{get_settings().base_url}/signup",
            },
            secret_keys=("accept_url",),
        )


@dataclass(frozen=True, slots=True)
class OpenInvitation:
    """What the acceptance page shows: whose invitation, and until when it can be accepted."""

    organization_id: int
    organization: str
    expires_on: str


async def _open_invitation(token: str) -> dict[str, Any]:
    if not token or len(token) > 100:
        raise errors.invitation_invalid()
    row = (
        await OrganizationInvitation.select(
            OrganizationInvitation.id,
            OrganizationInvitation.organization,
            OrganizationInvitation.organization.name.as_alias("organization_name"),
            OrganizationInvitation.expires_at,
            OrganizationInvitation.accepted_at,
        )
        .where(OrganizationInvitation.token_hash == _digest(token))
        .first()
    )
    if row is None or row["accepted_at"] is not None or row["expires_at"] <= now():
        raise errors.invitation_invalid()
    return dict(row)


async def invitation(token: str) -> OpenInvitation:
    row = await _open_invitation(token)
    return OpenInvitation(
        organization_id=row["organization"],
        organization=row["organization_name"],
        expires_on=row["expires_at"].strftime("%d %b %Y"),
    )


async def accept_invitation(principal: Principal, token: str) -> OrganizationOut:
    """The signed-in person joins the organization the link is for; the link is used up."""
    row = await _open_invitation(token)
    organization_id = int(row["organization"])
    with unique_violation():
        async with write_transaction():
            # Conditional: two tabs racing on one link accept it once.
            used = (
                await OrganizationInvitation.update(
                    {
                        OrganizationInvitation.accepted_at: now(),
                        OrganizationInvitation.accepted_by: principal.person_id,
                    }
                )
                .where(
                    (OrganizationInvitation.id == row["id"])
                    & OrganizationInvitation.accepted_at.is_null()
                    & (OrganizationInvitation.expires_at > now())
                )
                .returning(OrganizationInvitation.id)
            )
            if not used:
                raise errors.invitation_invalid()
            member = await OrganizationMember.exists().where(
                (OrganizationMember.organization == organization_id)
                & (OrganizationMember.person == principal.person_id)
            )
            if not member:
                await OrganizationMember.insert(
                    OrganizationMember(organization=organization_id, person=principal.person_id)
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
