"""Seed a small but realistic network so a newcomer has something to click through.

Seeding is idempotent: running ``grandrounds demo`` twice leaves one copy.
Each domain package adds its part here as it lands.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from accounts.principal import Role
from accounts.schemas import SignUp
from accounts.services.organizations import add_member, create_organization
from accounts.services.people import create_person
from accounts.tables import Organization, Person

DEMO_PASSWORD = "grandrounds-demo"  # noqa: S105 - printed on purpose: demo data only


@dataclass
class DemoLogins:
    password: str = DEMO_PASSWORD
    accounts: list[tuple[str, str]] = field(default_factory=list)


DEMO_PEOPLE: list[tuple[str, str, str, str, tuple[Role, ...]]] = [
    ("admin@example.org", "Ada Admin", "", "America/Chicago", (Role.ADMIN,)),
    ("staff@example.org", "Sam Staff", "MPH", "America/Chicago", (Role.PROGRAM_STAFF,)),
    ("finance@example.org", "Fran Finance", "MBA", "America/Chicago", (Role.FINANCE,)),
    ("speaker@example.org", "Dr. Priya Speaker", "MD", "America/New_York", (Role.SPEAKER, Role.MEMBER)),
    # Member through a membership (billing/demo.py), not a stored role: the tour shows the real thing.
    ("member@example.org", "Dr. Miguel Member", "DO", "America/Denver", (Role.GUEST,)),
    ("leader@example.org", "Lee Leader", "RN", "America/Chicago", (Role.GUEST,)),
    ("colleague@example.org", "Casey Colleague", "PA", "America/Chicago", (Role.GUEST,)),
    ("comms@example.org", "Cam Comms", "", "America/Chicago", (Role.GUEST,)),
    ("lapsed@example.org", "Lou Lapsed", "NP", "America/Los_Angeles", (Role.GUEST,)),
    ("resident@example.org", "Dr. Rosa Resident", "MD", "Europe/London", (Role.MEMBER,)),
    ("guest@example.org", "Gil Guest", "", "UTC", (Role.GUEST,)),
]

# What each demo login is for, where its stored role does not say it (membership is derived).
DEMO_LABELS: dict[str, str] = {
    "member@example.org": "member",
    "leader@example.org": "org leader",
    "colleague@example.org": "org seat",
    "comms@example.org": "org seat",
    "lapsed@example.org": "lapsed member",
}


async def _ensure_person(email: str, name: str, degree: str, zone: str, roles: tuple[Role, ...]) -> int:
    existing = await Person.select(Person.id).where(Person.email == email).first()
    if existing:
        return int(existing["id"])
    return await create_person(
        SignUp(email=email, password=DEMO_PASSWORD, name=name, degree=degree, time_zone=zone), roles=roles
    )


async def seed_demo() -> DemoLogins:
    logins = DemoLogins()
    ids: dict[str, int] = {}
    for email, name, degree, zone, roles in DEMO_PEOPLE:
        ids[email] = await _ensure_person(email, name, degree, zone, roles)
        logins.accounts.append((DEMO_LABELS.get(email, roles[0].value), email))

    if not await Organization.exists().where(Organization.name == "Riverside Health System"):
        org = await create_organization("Riverside Health System", ids["leader@example.org"])
        # Seeded as an admin would (leaders invite by email and colleagues accept).
        await add_member(org.id, ids["colleague@example.org"])

    from billing.demo import seed_memberships

    await seed_memberships(ids)

    from events.demo import seed_events

    await seed_events(ids)

    from programs.demo import seed_programs

    await seed_programs(ids)

    from library.demo import seed_library

    await seed_library(ids)

    from directory.demo import seed_directory

    await seed_directory(ids)
    return logins
