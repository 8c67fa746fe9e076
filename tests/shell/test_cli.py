"""The grandrounds command as an operator uses it: createuser, demo, migrate."""

from __future__ import annotations

import os
import subprocess
import sys

from accounts.tables import OrganizationMember, Person, RoleGrant


def grandrounds(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "grandrounds.server.cli", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env={**os.environ, "GRANDROUNDS_LOG_LEVEL": "warning"},
        timeout=120,
        check=False,
    )


async def test_createuser_makes_a_person_with_roles() -> None:
    done = grandrounds(
        "createuser", "--email", "Fin@Example.org", "--name", "Fin Ance", "--role", "finance",
        "--role", "member", "--password-stdin", stdin="a sturdy passphrase\n",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    person = await Person.select().where(Person.email == "fin@example.org").first()
    assert person is not None and person["password_hash"].startswith("$argon2id$")
    roles = {
        r["role"] for r in await RoleGrant.select(RoleGrant.role).where(RoleGrant.person == person["id"])
    }
    assert roles == {"finance", "member"}


async def test_createuser_refuses_bad_input_with_a_code() -> None:
    weak = grandrounds(
        "createuser", "--email", "a@example.org", "--name", "A", "--password-stdin", stdin="short\n"
    )
    assert weak.returncode == 2 and "account.password_weak" in weak.stderr
    role = grandrounds(
        "createuser", "--email", "b@example.org", "--name", "B", "--role", "king", "--password-stdin",
        stdin="a sturdy passphrase\n",
    )  # fmt: skip
    assert role.returncode == 2 and "account.role_unknown" in role.stderr
    assert await Person.count() == 0


async def test_demo_seeds_every_tier_once_and_prints_logins() -> None:
    first = grandrounds("demo")
    assert first.returncode == 0, first.stderr
    assert "admin@example.org" in first.stdout and "grandrounds-demo" in first.stdout
    people, memberships = await Person.count(), await OrganizationMember.count()
    roles = {r["role"] for r in await RoleGrant.select(RoleGrant.role)}
    assert roles == {"admin", "program_staff", "finance", "speaker", "member", "guest"}
    second = grandrounds("demo")
    assert second.returncode == 0, second.stderr
    assert (await Person.count(), await OrganizationMember.count()) == (people, memberships)


async def test_migrate_is_repeatable() -> None:
    done = grandrounds("migrate")
    assert done.returncode == 0, done.stderr
    assert "up to date" in done.stdout
