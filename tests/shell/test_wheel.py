"""The wheel, installed outside the tree, migrates, serves every kind of page and sends mail.

This is what the container does (Dockerfile): no source tree, no editable
install, only the wheel and the locked dependencies. The wheel is built and
installed once per run (tests.builders.wheel) into a temporary folder; the
commands run from another temporary folder with an operator's environment, on a
fresh database of the run's kind (a new SQLite file, or a new PostgreSQL database
beside the run's own). The start-to-ready time is printed, never asserted.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

import asyncpg
import httpx
import pytest

from tests.builders.clients import csrf_from
from tests.builders.processes import free_port
from tests.builders.wheel import ROOT, InstalledWheel, build_and_install, shipped_files

HTML = {"Accept": "text/html"}
READY_WITHIN = 90  # seconds; a bound on a hung start, not a speed target


@pytest.fixture(scope="session")
def workdir() -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix="grandrounds-wheel-"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(scope="session")
def installed(workdir: Path) -> InstalledWheel:
    return build_and_install(workdir)


async def _recreate_database(server_url: str, name: str, *, create: bool) -> None:
    connection = await asyncpg.connect(server_url)
    try:
        # The name is the run's own database name with a fixed suffix, never input.
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if create:
            await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()


@pytest.fixture(scope="session")
def wheel_database(workdir: Path) -> Iterator[str]:
    """An empty database of the run's kind, so the installed migrations build every table."""
    url = os.environ["DATABASE_URL"]
    if not url.startswith("postgres"):
        yield f"sqlite:///{workdir / 'wheel.sqlite3'}"
        return
    parsed = urlparse(url)
    name = f"{parsed.path.lstrip('/')}_wheel"
    asyncio.run(_recreate_database(url, name, create=True))
    yield parsed._replace(path=f"/{name}").geturl()
    asyncio.run(_recreate_database(url, name, create=False))


@dataclass(frozen=True)
class Site:
    base: str
    run_dir: Path  # the operator's working directory: var/ (mail log, secret key) lives here
    env: dict[str, str]
    log: Path


def _wait_ready(base: str, process: subprocess.Popen[bytes], log: Path) -> float:
    """Seconds from now until ``/readyz`` answers 200 (polled: the process gives no other signal)."""
    started = time.monotonic()
    with httpx.Client(timeout=2) as client:
        while time.monotonic() - started < READY_WITHIN:
            try:
                if client.get(f"{base}/readyz").status_code == 200:
                    return time.monotonic() - started
            except httpx.HTTPError:
                pass
            assert process.poll() is None, f"serve exited early:\n{log.read_text()}"
            time.sleep(0.05)  # a process starting up: nothing to wait on but its port
    raise AssertionError(f"serve did not become ready:\n{log.read_text()}")


@pytest.fixture(scope="session")
def site(installed: InstalledWheel, wheel_database: str, workdir: Path) -> Iterator[Site]:
    run_dir = workdir / "operator"
    run_dir.mkdir()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = installed.env(
        {
            "DATABASE_URL": wheel_database,
            "GRANDROUNDS_VAR_DIR": str(run_dir / "var"),
            "GRANDROUNDS_BASE_URL": base,
            # Sign-up hashes one password; the standard argon2 profile is not what this test is about.
            "GRANDROUNDS_PASSWORD_HASH_PROFILE": "cheap",
            "GRANDROUNDS_LOG_LEVEL": "warning",
            "GRANDROUNDS_DISPATCHER_IN_SERVER": "0",
            # One machine: its generated var/secret_key is the only key (PostgreSQL needs this said).
            "GRANDROUNDS_ENV": "development",
        }
    )
    migrated = subprocess.run(
        [installed.command, "migrate"], cwd=run_dir, env=env, capture_output=True, text=True, check=False
    )
    assert migrated.returncode == 0, migrated.stdout + migrated.stderr
    assert "migrations are up to date" in migrated.stdout
    log = run_dir / "serve.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [installed.command, "serve", "--host", "127.0.0.1", "--port", str(port)],
            cwd=run_dir, env=env, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        ready = _wait_ready(base, process, log)
        print(f"\ninstalled wheel: serve start to ready {ready:.2f} s (migrations already applied)")
        yield Site(base=base, run_dir=run_dir, env=env, log=log)
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def test_the_wheel_holds_every_template_and_migration_and_nothing_of_the_tests(
    installed: InstalledWheel,
) -> None:
    members = set(installed.members())
    shipped = shipped_files()
    expected = {f"grandrounds/{p}" for p in shipped if p.startswith("templates/")}
    expected |= {p for p in shipped if "/piccolo_migrations/" in p and p.endswith(".py")}
    expected |= {p for p in shipped if p.endswith("/piccolo_app.py")}
    expected |= {"piccolo_conf.py", "grandrounds/py.typed"}
    assert len([p for p in expected if p.startswith("grandrounds/templates/")]) > 150
    assert expected - members == set()
    assert not [m for m in members if m.split("/")[0] in {"tests", "bench", "scripts", "docs", "templates"}]


def test_the_installed_code_and_templates_come_from_the_venv_not_the_tree(
    installed: InstalledWheel, site: Site
) -> None:
    script = (
        "import json, grandrounds, notifications, piccolo_conf\n"
        "from grandrounds.resources import templates_root\n"
        "print(json.dumps([grandrounds.__file__, notifications.__file__, piccolo_conf.__file__,"
        " str(templates_root())]))"
    )
    done = subprocess.run(
        [installed.python, "-c", script], cwd=site.run_dir, env=site.env, capture_output=True, text=True,
        check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    for path in json.loads(done.stdout):
        assert Path(path).is_relative_to(installed.venv), path
        assert not Path(path).is_relative_to(ROOT), path


@pytest.mark.parametrize(
    ("path", "heading"),
    [
        ("/", "<h1>grandrounds</h1>"),
        ("/events", "<h1>Events</h1>"),
        ("/signin", "<h1>Sign in</h1>"),
        ("/signup", "<h1>Create your free guest account</h1>"),
        ("/password/forgot", "<h1>Forgot your password?</h1>"),
        ("/library", "<h1>Resource library</h1>"),
        ("/social-media-list", "<h1>Health Care Social Media List</h1>"),
        ("/membership", "<h1>Membership</h1>"),
    ],
)
def test_pages_render_from_the_installed_templates(site: Site, path: str, heading: str) -> None:
    page = httpx.get(f"{site.base}{path}", headers=HTML)
    assert page.status_code == 200, page.text
    assert page.headers["content-type"].startswith("text/html")
    assert page.text.lstrip().startswith("<!doctype html>")  # base.html, which every page extends
    assert heading in page.text


def test_an_unknown_address_gets_the_error_page(site: Site) -> None:
    page = httpx.get(f"{site.base}/no-such-page", headers=HTML)
    assert page.status_code == 404
    assert "<h1>Not found</h1>" in page.text
    assert "Error code:" in page.text


def test_signing_up_posts_a_form_and_the_worker_sends_the_rendered_welcome(
    installed: InstalledWheel, site: Site
) -> None:
    with httpx.Client(base_url=site.base, headers=HTML) as client:
        form = client.get("/signup")
        fields = {
            "name": "Ada Installed",
            "email": "ada@wheel.example.org",
            "password": "a long enough password",
            "time_zone": "America/Chicago",
            "_csrf_token": csrf_from(form.text),
        }
        signed_up = client.post("/signup", data=fields, follow_redirects=True)
    assert signed_up.status_code == 200, signed_up.text
    assert str(signed_up.url).endswith("/account")
    assert "Ada Installed" in signed_up.text
    # As in production (compose.yaml), serve does not dispatch; the worker delivers what is due.
    worker = subprocess.run(
        [installed.command, "worker", "--once"], cwd=site.run_dir, env=site.env, capture_output=True,
        text=True, check=False,
    )  # fmt: skip
    assert worker.returncode == 0, worker.stdout + worker.stderr
    assert "delivered 1 message(s)" in worker.stdout
    mail = (site.run_dir / "var" / "mail.log").read_text()
    assert "To: ada@wheel.example.org" in mail
    assert "Subject: Welcome to grandrounds, Ada Installed" in mail


def test_every_email_template_renders_from_the_installed_package(
    installed: InstalledWheel, site: Site
) -> None:
    script = (
        "import json\n"
        "from notifications import catalog\n"
        "done = {}\n"
        "for name in catalog.template_names():\n"
        "    mail = catalog.preview(name)\n"
        "    done[name] = [mail.subject, len(mail.text), len(mail.html)]\n"
        "print(json.dumps(done))"
    )
    done = subprocess.run(
        [installed.python, "-c", script], cwd=site.run_dir, env=site.env, capture_output=True, text=True,
        check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    rendered = json.loads(done.stdout)
    in_tree = {
        p.name.removesuffix(".subject.txt") for p in (ROOT / "templates" / "emails").glob("*.subject.txt")
    }
    assert set(rendered) == in_tree
    assert all(subject and text and html for subject, text, html in rendered.values()), rendered
