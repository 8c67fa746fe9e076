"""The grandrounds command as an operator uses it: createuser, demo, migrate."""

from __future__ import annotations

import os
import subprocess
import sys

from accounts.tables import OrganizationMember, Person, RoleGrant
from tests.builders.processes import SERVE_WITHOUT_SERVING


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


def _serve(*args: str, base_url: str | None = None) -> str:
    env = {k: v for k, v in os.environ.items() if k != "GRANDROUNDS_BASE_URL"}
    if base_url is not None:
        env["GRANDROUNDS_BASE_URL"] = base_url
    done = subprocess.run(
        [sys.executable, "-c", SERVE_WITHOUT_SERVING, "serve", *args],
        capture_output=True,
        text=True,
        env={**env, "GRANDROUNDS_LOG_LEVEL": "warning"},
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.split("links:", 1)[1].strip()


def test_serve_points_links_at_the_port_it_serves_unless_a_base_url_is_set() -> None:
    assert _serve("--port", "9000") == "http://127.0.0.1:9000"
    assert _serve("--host", "0.0.0.0", "--port", "9001") == "http://127.0.0.1:9001"  # noqa: S104
    assert _serve("--port", "9000", base_url="https://rounds.example.org") == "https://rounds.example.org"
