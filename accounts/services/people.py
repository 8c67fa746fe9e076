"""Sign-up, profiles and roles."""

from __future__ import annotations

import re
from functools import cache
from typing import Any
from zoneinfo import available_timezones

import msgspec
from piccolo.columns import Column

from accounts import errors
from accounts.audit import trail as audit
from accounts.passwords import check_strength, hash_password
from accounts.principal import Principal, Role
from accounts.schemas import PersonOut, PersonUpdate, SignUp
from accounts.services import throttle
from accounts.services.email_verification import verify_url
from accounts.services.standing import with_derived
from accounts.tables import Person, RoleGrant
from grandrounds.db import contains_any, now, unique_violation, write_transaction
from grandrounds.settings import get_settings
from notifications.outbox import enqueue_email

DEGREES = ("", "MD", "DO", "RN", "NP", "PA", "PharmD", "PhD", "MPH", "MBA", "MSN", "BSN", "Other")

# Deliberately simple: one @, a dot in the domain, no spaces. Deliverability is proven by mail.
_EMAIL = re.compile(
    r"^[^@\s<>\"']{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?)+$"
)


@cache
def _zones() -> frozenset[str]:
    return frozenset(available_timezones())


def normalize_email(raw: str) -> str:
    email = raw.strip().lower()
    if not _EMAIL.match(email):
        raise errors.email_invalid(raw)
    return email


def check_time_zone(zone: str) -> str:
    if zone not in _zones():
        raise errors.time_zone_unknown(zone)
    return zone


def check_degree(degree: str) -> str:
    if degree not in DEGREES:
        raise errors.degree_unknown(degree)
    return degree


def check_name(name: str) -> str:
    cleaned = " ".join(name.split())
    if not cleaned:
        raise errors.name_blank()
    return cleaned


async def roles_of(person_id: int) -> frozenset[Role]:
    """Granted roles plus those held today through a membership (see accounts.services.standing)."""
    rows = await RoleGrant.select(RoleGrant.role).where(
        (RoleGrant.person == person_id) & RoleGrant.revoked_at.is_null()
    )
    granted = {Role(r["role"]) for r in rows if r["role"] in Role.__members__.values()}
    return (await with_derived({person_id: granted}))[person_id]


async def person_out(person_id: int) -> PersonOut:
    row = await Person.select().where(Person.id == person_id).first()
    if row is None:
        raise errors.person_not_found()
    return _out(row, await roles_of(person_id))


async def time_zone_of(person_id: int) -> str | None:
    """The person's own time zone: pages show times in it beside an event's or a cohort's."""
    row = await Person.select(Person.time_zone).where(Person.id == person_id).first()
    return row["time_zone"] if row else None


def _out(row: dict[str, Any], roles: frozenset[Role]) -> PersonOut:
    return PersonOut(
        id=row["id"],
        email=row["email"],
        name=row["name"],
        degree=row["degree"],
        time_zone=row["time_zone"],
        roles=sorted(r.value for r in roles),
        created_at=row["created_at"],
        email_verified=row["email_verified_at"] is not None,
    )


async def create_person(
    data: SignUp,
    roles: tuple[Role, ...] = (Role.GUEST,),
    granted_by: int | None = None,
    welcome: bool = False,
) -> int:
    """Validate everything first, hash outside the transaction, then write in one transaction."""
    email = normalize_email(data.email)
    name = check_name(data.name)
    degree = check_degree(data.degree)
    zone = check_time_zone(data.time_zone)
    check_strength(data.password, email)
    password_hash = await hash_password(data.password)
    with unique_violation(becomes=errors.email_taken()):
        async with write_transaction():
            if await Person.exists().where(Person.email == email):
                raise errors.email_taken()
            row = (
                await Person.insert(
                    Person(
                        email=email,
                        name=name,
                        degree=degree,
                        time_zone=zone,
                        password_hash=password_hash,
                        # Made by an admin or the CLI: the address is vouched for. Sign-up must prove it.
                        email_verified_at=None if welcome else now(),
                    )
                ).returning(Person.id)
            )[0]
            person_id: int = row["id"]
            for role in roles:
                await RoleGrant.insert(RoleGrant(person=person_id, role=role.value, granted_by=granted_by))
            if welcome:
                await enqueue_email(
                    "welcome",
                    email,
                    {
                        "name": name,
                        "account_url": f"{get_settings().base_url}/account",
                        "verify_url": verify_url(person_id, email),
                    },
                    person_id=person_id,
                    secret_keys=("verify_url",),  # a working confirmation link is not kept once sent
                )
    return person_id


async def sign_up(data: SignUp, client_address: str = "") -> PersonOut:
    """Anyone may sign up; they get a free guest account. A few an hour per client address.

    Every attempt counts, refused ones too, so the form cannot be used to probe
    at length which addresses are taken.
    """
    await throttle.spend(
        throttle.SIGN_UP,
        client_address,
        throttle.limits().sign_ups_per_client_per_hour,
        errors.sign_up_throttled,
    )
    return await person_out(await create_person(data, welcome=True))


def can_see_person(viewer: Principal, person_id: int) -> bool:
    return viewer.person_id == person_id or viewer.is_admin


async def update_person(person_id: int, patch: PersonUpdate) -> PersonOut:
    values: dict[Column | str, Any] = {}
    if patch.name is not msgspec.UNSET:
        values[Person.name] = check_name(patch.name)
    if patch.degree is not msgspec.UNSET:
        values[Person.degree] = check_degree(patch.degree)
    if patch.time_zone is not msgspec.UNSET:
        values[Person.time_zone] = check_time_zone(patch.time_zone)
    async with write_transaction():
        if not await Person.exists().where(Person.id == person_id):
            raise errors.person_not_found()
        if values:
            await Person.update(values).where(Person.id == person_id)
    return await person_out(person_id)


async def list_people(limit: int, offset: int, query: str | None = None) -> tuple[list[PersonOut], int]:
    select = Person.select().order_by(Person.id).limit(limit).offset(offset)
    count = Person.count()
    if query:
        condition = contains_any(("name", "email"), query)
        select = select.where(condition)
        count = count.where(condition)
    rows = await select
    grants = await RoleGrant.select(RoleGrant.person, RoleGrant.role).where(
        RoleGrant.person.is_in([row["id"] for row in rows] or [0]) & RoleGrant.revoked_at.is_null()
    )
    roles: dict[int, set[Role]] = {}
    for grant in grants:
        roles.setdefault(grant["person"], set()).add(Role(grant["role"]))
    held = await with_derived({row["id"]: roles.get(row["id"], set()) for row in rows})
    out = [_out(row, held[row["id"]]) for row in rows]
    return out, await count


def parse_role(raw: str) -> Role:
    try:
        return Role(raw)
    except ValueError:
        raise errors.role_unknown(raw) from None


def _open_grant(person_id: int, role: Role) -> Any:
    return (RoleGrant.person == person_id) & (RoleGrant.role == role.value) & RoleGrant.revoked_at.is_null()


async def grant_role(person_id: int, role: Role, granted_by: int) -> PersonOut:
    """Open a grant of ``role`` (nothing new when one is open); the trail records the attempt either way."""
    with unique_violation():
        async with write_transaction():
            if not await Person.exists().where(Person.id == person_id):
                raise errors.person_not_found()
            held = await RoleGrant.exists().where(_open_grant(person_id, role))
            if not held:
                await RoleGrant.insert(RoleGrant(person=person_id, role=role.value, granted_by=granted_by))
            await audit.record(
                "role.grant",
                "person",
                person_id,
                subject_id=person_id,
                before={"role": role.value if held else None},
                after={"role": role.value},
            )
    return await person_out(person_id)


async def revoke_role(person_id: int, role: Role, revoked_by: int | None = None) -> PersonOut:
    """Close the open grant of ``role``: the row stays, with who revoked it and when."""
    async with write_transaction():
        if not await Person.exists().where(Person.id == person_id):
            raise errors.person_not_found()
        held = await RoleGrant.exists().where(_open_grant(person_id, role))
        await RoleGrant.update({RoleGrant.revoked_at: now(), RoleGrant.revoked_by: revoked_by}).where(
            _open_grant(person_id, role)
        )
        await audit.record(
            "role.revoke",
            "person",
            person_id,
            subject_id=person_id,
            before={"role": role.value if held else None},
            after={"role": None},
        )
    return await person_out(person_id)


async def role_history(person_id: int) -> list[dict[str, Any]]:
    """Every grant of a role to ``person_id``, open or revoked, oldest first."""
    rows = (
        await RoleGrant.select(
            RoleGrant.role,
            RoleGrant.granted_by,
            RoleGrant.granted_at,
            RoleGrant.revoked_by,
            RoleGrant.revoked_at,
        )
        .where(RoleGrant.person == person_id)
        .order_by(RoleGrant.granted_at)
        .order_by(RoleGrant.id)
    )
    return list(rows)
