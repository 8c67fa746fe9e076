"""People: a person with roles and an API token, a program and its staff, the usual callers.

Everyone is made through accounts' own services, so a test's people are real accounts
that can also sign in on the pages with ``PASSWORD``.
"""

from __future__ import annotations

from dataclasses import dataclass

from accounts.principal import Role
from accounts.schemas import SignUp
from accounts.services.credentials import create_token
from accounts.services.people import create_person

PASSWORD = "correct horse battery"


@dataclass
class Actor:
    """A person with roles and a personal API token, for calling the API as them."""

    id: int
    email: str
    token: str
    program_id: int | None = None  # for program staff: the program they run

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


_counter = iter(range(1, 1_000_000))


async def make_actor(*roles: Role, email: str | None = None, degree: str = "") -> Actor:
    email = email or f"person{next(_counter)}@example.org"
    person_id = await create_person(
        SignUp(email=email, password=PASSWORD, name=email.split("@")[0].title(), degree=degree),
        roles=roles or (Role.GUEST,),
    )
    token = await create_token(person_id, "tests")
    return Actor(id=person_id, email=email, token=token.token)


async def make_program(kind: str = "conference", slug: str | None = None) -> int:
    from accounts.schemas import ProgramCreate
    from accounts.services.programs import create_program

    slug = slug or f"program-{next(_counter)}"
    program = await create_program(ProgramCreate(slug=slug, name=slug.replace("-", " ").title(), kind=kind))  # type: ignore[arg-type]
    return program.id


async def make_staff(program_id: int | None = None, email: str | None = None) -> Actor:
    """A program-staff person who runs one program (a new one unless given)."""
    from accounts.services.programs import assign_staff

    program_id = program_id or await make_program()
    actor = await make_actor(Role.PROGRAM_STAFF, email=email)
    await assign_staff(program_id, actor.id)
    actor.program_id = program_id
    return actor


async def people(client) -> dict[str, Actor | None]:
    """One of each kind of caller, for allow/deny matrices."""
    return {
        "anonymous": None,
        "member": await make_actor(Role.MEMBER),
        "other program's staff": await make_staff(),
        "admin": await make_actor(Role.ADMIN),
    }
