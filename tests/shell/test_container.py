"""The container files say what the code does: no Docker engine runs here, so they are read instead.

compose.yaml may set only variables grandrounds reads (``KNOWN_VARIABLES``, kept
complete against the source by tests/shell/test_settings_variables.py) and that the
README's Configuration table documents; secrets come from .env, never from the file. The Dockerfile's final
stage runs as an unprivileged user under tini, checks /readyz, and uses the uv
that scripts/lib.sh pins. What the image installs is what tests/shell/test_wheel.py
installs and runs.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import yaml

from grandrounds.settings import KNOWN_VARIABLES

ROOT = Path(__file__).resolve().parents[2]
SECRETS = ("GRANDROUNDS_SECRET_KEY", "SMTP_PASSWORD", "STRIPE_SECRET_KEY", "STRIPE_WEBHOOK_SECRET")


def variables_the_code_reads() -> set[str]:
    """Every environment variable grandrounds reads: grandrounds.settings.KNOWN_VARIABLES, which
    tests/shell/test_settings_variables.py keeps complete against the source."""
    return set(KNOWN_VARIABLES)


def documented_variables() -> set[str]:
    """The names in the first column of the README's Configuration table."""
    text = (ROOT / "README.md").read_text()
    section = text.split("\n## Configuration\n", 1)[1].split("\n## ", 1)[0]
    names: set[str] = set()
    for line in section.splitlines():
        if line.startswith("| `"):
            names |= set(re.findall(r"`([A-Z][A-Z0-9_]*)`", line.split("|")[1]))
    return names


def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((ROOT / "compose.yaml").read_text())
    return loaded


def grandrounds_services() -> dict[str, dict[str, Any]]:
    return {
        name: service
        for name, service in compose()["services"].items()
        if service.get("image", "").startswith("grandrounds") or service.get("build")
    }


def test_the_scan_finds_the_variables_the_settings_and_the_command_read() -> None:
    read = variables_the_code_reads()
    assert {"DATABASE_URL", "GRANDROUNDS_SECRET_KEY", "SMTP_HOST", "GRANDROUNDS_DISPATCHER_IN_SERVER"} <= read
    assert {"FORWARDED_ALLOW_IPS", "GRANDROUNDS_PORT", "GRANDROUNDS_LOG_LEVEL"} <= read


def test_compose_sets_only_variables_grandrounds_reads_and_the_readme_documents() -> None:
    read, documented = variables_the_code_reads(), documented_variables()
    services = grandrounds_services()
    assert set(services) == {"migrate", "api", "worker"}
    for name, service in services.items():
        environment = service.get("environment", {})
        assert isinstance(environment, dict), f"{name}: environment as a mapping, so it can be read"
        unread, undocumented = sorted(set(environment) - read), sorted(set(environment) - documented)
        assert not unread, f"{name} sets variables no code reads: {unread}"
        assert not undocumented, f"{name} sets variables the README does not list: {undocumented}"


def test_secrets_come_from_the_env_file_never_from_compose_yaml() -> None:
    for name, service in grandrounds_services().items():
        environment = service["environment"]
        assert environment["GRANDROUNDS_SECRET_KEY"].startswith("${GRANDROUNDS_SECRET_KEY:?"), name
        for secret in SECRETS:
            written = not str(environment.get(secret, "${")).startswith("${")
            assert not written, f"{name}: {secret} is written in compose.yaml"
    assert compose()["services"]["postgres"]["environment"]["POSTGRES_PASSWORD"].startswith("${")
    text = (ROOT / "compose.yaml").read_text()
    example = (ROOT / ".env.example").read_text()
    offered = re.findall(r"^#? ?([A-Z][A-Z0-9_]*)=", example, flags=re.MULTILINE)
    assert offered, "the example env file names its variables"
    for variable in offered:
        assert f"${{{variable}" in text, f".env.example offers {variable}, which compose.yaml never uses"
    ignored = (ROOT / ".gitignore").read_text().split() + (ROOT / ".dockerignore").read_text().split()
    assert ignored.count(".env") == 2, ".env is neither committed nor sent to the image build"


def test_compose_runs_two_api_processes_a_worker_and_migrations_once_before_them() -> None:
    services = compose()["services"]
    api, worker, migrate = services["api"], services["worker"], services["migrate"]
    assert api["command"][0] == "serve" and api["command"][api["command"].index("--workers") + 1] == "2"
    # The migrate service ran the migrations before either starts (each would wait on its lock anyway).
    assert "--no-migrate" in api["command"]
    assert api["environment"]["GRANDROUNDS_DISPATCHER_IN_SERVER"] == "0"
    assert worker["command"] == ["worker", "--no-migrate"] and worker["healthcheck"] == {"disable": True}
    assert migrate["command"] == ["migrate"] and migrate["restart"] == "no"
    for service in (api, worker):
        assert service["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}
        assert service["depends_on"]["postgres"] == {"condition": "service_healthy"}
    postgres = services["postgres"]
    assert postgres["image"].startswith("postgres:15")
    volume = postgres["volumes"][0].split(":")[0]
    assert volume in compose()["volumes"]
    assert "pg_isready" in " ".join(postgres["healthcheck"]["test"])
    assert services["mailpit"]["image"].startswith("axllent/mailpit:")
    assert api["environment"]["SMTP_HOST"] == "${SMTP_HOST:-mailpit}"


def _instructions(path: Path) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, continuation lines joined and comments dropped."""
    lines: list[str] = []
    pending = ""
    for raw in path.read_text().splitlines():
        line = raw.strip()
        if not pending and (not line or line.startswith("#")):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        lines.append(pending + line)
        pending = ""
    return [(line.split(None, 1)[0].upper(), line.split(None, 1)[1]) for line in lines]


def test_the_image_runs_unprivileged_under_tini_and_checks_readiness() -> None:
    instructions = _instructions(ROOT / "Dockerfile")
    args = {a.split("=", 1)[0]: a.split("=", 1)[1] for kind, a in instructions if kind == "ARG" and "=" in a}
    froms = [i for i, (kind, _) in enumerate(instructions) if kind == "FROM"]
    assert len(froms) >= 2, "multi-stage: a builder, then the image"
    final = instructions[froms[-1] :]
    base = re.sub(r"\$\{(\w+)\}", lambda m: args[m.group(1)], final[0][1])
    assert base.startswith("python:3.11-slim")

    def one(kind: str) -> str:
        found = [a for k, a in final if k == kind]
        assert len(found) == 1, f"one {kind} in the final stage"
        return found[0]

    assert one("USER") not in {"root", "0", "0:0"}
    health = one("HEALTHCHECK")
    assert "/readyz" in health and '"python"' in health and "curl" not in health
    assert json.loads(one("ENTRYPOINT")) == ["tini", "--", "grandrounds"]
    assert json.loads(one("CMD")) == ["serve", "--host", "0.0.0.0"]  # noqa: S104 - inside the container
    assert any(k == "RUN" and "install" in a and "tini" in a and "postgresql-client" in a for k, a in final)
    assert compose()["services"]["postgres"]["image"] == "postgres:15" and base.endswith("-bookworm"), (
        "Debian 12's pg_dump is 15: the server's major, as grandrounds backup needs"
    )
    set_here = re.findall(r"(\w+)=", one("ENV"))
    ours = [name for name in set_here if name != "PATH" and not name.startswith("PYTHON")]
    assert set(ours) - variables_the_code_reads() == set()


def test_the_image_builds_with_the_uv_the_scripts_pin() -> None:
    pinned = re.search(r"^UV_VERSION=(\S+)$", (ROOT / "scripts" / "lib.sh").read_text(), flags=re.MULTILINE)
    assert pinned is not None
    copied = re.findall(r"ghcr\.io/astral-sh/uv:(\S+) ", (ROOT / "Dockerfile").read_text())
    assert copied == [pinned.group(1)]
    build = (ROOT / "Dockerfile").read_text()
    assert "uv export --frozen" in build and "--constraints /constraints.txt" in build
