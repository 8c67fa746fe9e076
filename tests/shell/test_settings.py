"""Settings refuse to be wrong: each bad value is named with what is allowed, and nothing starts."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from grandrounds.settings import SettingsError, get_settings, load_settings

GOOD_KEY = "k" * 40
PG_URL = "postgresql://grandrounds:pw@db.internal:5432/grandrounds"


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> pytest.MonkeyPatch:
    """A clean slate: the embedded defaults in a private var/, nothing production-like set."""
    for name in os.environ:
        if name.startswith(("GRANDROUNDS_", "SMTP_", "STRIPE_")) or name in ("DATABASE_URL", "MAIL_FROM"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("GRANDROUNDS_VAR_DIR", str(tmp_path / "var"))
    return monkeypatch


def refused(*expected: str) -> list[str]:
    with pytest.raises(SettingsError) as caught:
        load_settings()
    message = str(caught.value)
    for words in expected:
        assert words in message, message
    assert "\n" not in message, "one line, so a command can print it as it is"
    return caught.value.problems


def production(env: pytest.MonkeyPatch) -> None:
    env.setenv("GRANDROUNDS_ENV", "production")
    env.setenv("GRANDROUNDS_SECRET_KEY", GOOD_KEY)
    env.setenv("GRANDROUNDS_BASE_URL", "https://rounds.example.org")
    env.setenv("DATABASE_URL", PG_URL)


def test_the_defaults_need_no_configuration(env: pytest.MonkeyPatch) -> None:
    settings = load_settings()
    assert settings.environment == "development" and settings.is_sqlite
    assert (settings.db_pool_size, settings.db_statement_timeout_ms) == (10, 0)
    assert len(settings.secret_key) >= 32


@pytest.mark.parametrize(
    ("variable", "value", "words"),
    [
        (
            "DATABASE_URL",
            "mysql://db/grandrounds",
            "must start with sqlite:///, postgresql:// or postgres://",
        ),
        ("DATABASE_URL", "sqlite://relative.db", "sqlite:///relative/path"),
        ("DATABASE_URL", "postgresql://db:port/x", "Port could not be cast"),
        ("GRANDROUNDS_BASE_URL", "rounds.example.org", "the scheme must be http or https"),
        ("GRANDROUNDS_BASE_URL", "ftp://rounds.example.org", "the scheme must be http or https"),
        ("GRANDROUNDS_BASE_URL", "https://", "it names no host"),
        ("GRANDROUNDS_BASE_URL", "https://rounds.example.org:99999", "out of range"),
        ("GRANDROUNDS_BASE_URL", "https://rounds.example.org/?x=1", "query or fragment"),
        ("GRANDROUNDS_BASE_URL", "https://me:pw@rounds.example.org", "user name or password"),
        ("STRIPE_API_BASE", "stripe.local:12111", "is not an http(s) address"),
        ("SMTP_SECURITY", "ssl", "SMTP_SECURITY='ssl' is not one of none, starttls, tls"),
        ("SMTP_PORT", "five-eight-seven", "SMTP_PORT='five-eight-seven' is not a number"),
        ("SMTP_PORT", "70000", "SMTP_PORT=70000 is out of range (a whole number from 1 to 65535)"),
        ("GRANDROUNDS_SESSION_TTL_HOURS", "2w", "GRANDROUNDS_SESSION_TTL_HOURS='2w' is not a number"),
        ("GRANDROUNDS_OUTBOX_LEASE_SECONDS", "0", "out of range"),
        ("GRANDROUNDS_DB_POOL_SIZE", "0", "GRANDROUNDS_DB_POOL_SIZE=0 is out of range"),
        ("GRANDROUNDS_DB_STATEMENT_TIMEOUT_MS", "-1", "out of range"),
        ("GRANDROUNDS_THROTTLE_SIGN_UPS_PER_HOUR", "many", "is not a number"),
        ("GRANDROUNDS_PASSWORD_HASH_PROFILE", "fast", "is not one of cheap, standard"),
        ("GRANDROUNDS_ENV", "staging", "GRANDROUNDS_ENV='staging' is not one of development, production"),
        ("GRANDROUNDS_COOKIE_SECURE", "maybe", "is neither on (1, true, yes, on) nor off"),
        ("GRANDROUNDS_STORAGE", "disk", "GRANDROUNDS_STORAGE='disk' is not one of local, s3"),
        ("GRANDROUNDS_STORAGE", "s3", "GRANDROUNDS_STORAGE=s3 needs GRANDROUNDS_S3_BUCKET"),
        ("GRANDROUNDS_S3_ENDPOINT_URL", "minio:9000", "is not an http(s) address"),
        (
            "GRANDROUNDS_SECRET_KEY",
            "short",
            "GRANDROUNDS_SECRET_KEY is 5 characters long; it must be at least 32",
        ),
    ],
)
def test_a_bad_value_is_refused_naming_the_variable(
    env: pytest.MonkeyPatch, variable: str, value: str, words: str
) -> None:
    env.setenv(variable, value)
    refused(variable, words)


def test_every_problem_is_reported_at_once_and_no_key_is_generated(
    env: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    env.setenv("SMTP_PORT", "x")
    env.setenv("SMTP_SECURITY", "ssl")
    env.setenv("GRANDROUNDS_RETENTION_CME_DAYS", "10")
    problems = refused("SMTP_PORT", "SMTP_SECURITY", "GRANDROUNDS_RETENTION_CME_DAYS")
    assert len(problems) == 3
    assert not (tmp_path / "var" / "secret_key").exists(), "a process that does not start leaves var/ alone"


def test_good_values_are_taken(env: pytest.MonkeyPatch) -> None:
    env.setenv("GRANDROUNDS_BASE_URL", "https://rounds.example.org:8443/cme/")
    env.setenv("SMTP_SECURITY", "TLS")
    env.setenv("SMTP_PORT", " 465 ")
    env.setenv("SMTP_PASSWORD", " pass word ")
    env.setenv("STRIPE_API_BASE", "http://127.0.0.1:12111/")
    env.setenv("GRANDROUNDS_COOKIE_SECURE", "off")
    env.setenv("GRANDROUNDS_DB_POOL_SIZE", "4")
    env.setenv("GRANDROUNDS_DB_STATEMENT_TIMEOUT_MS", "5000")
    env.setenv("GRANDROUNDS_THROTTLE_SIGN_IN_FAILURES_PER_ACCOUNT", "8")
    settings = load_settings()
    assert settings.base_url == "https://rounds.example.org:8443/cme"
    assert (settings.smtp_security, settings.smtp_port, settings.smtp_password) == ("tls", 465, " pass word ")
    assert settings.stripe_api_base == "http://127.0.0.1:12111" and settings.cookie_secure is False
    assert (settings.db_pool_size, settings.db_statement_timeout_ms) == (4, 5000)
    assert settings.throttle.sign_in_failures_per_account == 8
    assert settings.throttle.sign_in_failures_per_client == 10  # the others keep their defaults


def test_secrets_stay_out_of_the_settings_repr(env: pytest.MonkeyPatch) -> None:
    env.setenv("GRANDROUNDS_SECRET_KEY", GOOD_KEY)
    env.setenv("SMTP_PASSWORD", "smtp-secret-value")
    env.setenv("STRIPE_SECRET_KEY", "sk_test_secret_value")
    shown = repr(load_settings())
    assert GOOD_KEY not in shown and "smtp-secret-value" not in shown and "sk_test_secret_value" not in shown


class TestTheSecretKey:
    def test_production_refuses_to_start_without_one(self, env: pytest.MonkeyPatch) -> None:
        production(env)
        env.delenv("GRANDROUNDS_SECRET_KEY")
        env.delenv("DATABASE_URL")  # even on one machine's SQLite
        refused("GRANDROUNDS_SECRET_KEY must be set when GRANDROUNDS_ENV=production")

    def test_postgresql_refuses_a_generated_key_unless_development_is_declared(
        self, env: pytest.MonkeyPatch, tmp_path: Path
    ) -> None:
        env.setenv("DATABASE_URL", PG_URL)
        refused(
            "GRANDROUNDS_SECRET_KEY must be set when DATABASE_URL is PostgreSQL",
            "GRANDROUNDS_ENV=development",
        )
        assert not (tmp_path / "var" / "secret_key").exists()
        env.setenv("GRANDROUNDS_ENV", "development")
        generated = load_settings().secret_key
        assert (tmp_path / "var" / "secret_key").read_text() == generated
        env.setenv("GRANDROUNDS_SECRET_KEY", GOOD_KEY)
        assert load_settings().secret_key == GOOD_KEY


class TestProduction:
    def test_a_complete_production_environment_starts(self, env: pytest.MonkeyPatch) -> None:
        production(env)
        settings = load_settings()
        assert settings.is_production and settings.cookie_secure and settings.secret_key == GOOD_KEY

    @pytest.mark.parametrize(
        ("variable", "value", "words"),
        [
            ("GRANDROUNDS_BASE_URL", "http://rounds.example.org", "must be the public https:// address"),
            ("GRANDROUNDS_COOKIE_SECURE", "0", "would send sign-in cookies in clear"),
            ("GRANDROUNDS_PASSWORD_HASH_PROFILE", "cheap", "for the test suite, never production"),
            ("GRANDROUNDS_API_BROWSERS", "1", "for development, not production"),
        ],
    )
    def test_what_only_development_may_do_is_refused(
        self, env: pytest.MonkeyPatch, variable: str, value: str, words: str
    ) -> None:
        production(env)
        env.setenv(variable, value)
        refused(variable, words)

    def test_without_a_base_url_production_refuses(self, env: pytest.MonkeyPatch) -> None:
        production(env)
        env.delenv("GRANDROUNDS_BASE_URL")
        refused("GRANDROUNDS_BASE_URL='http://127.0.0.1:8000': in production it must be")


def grandrounds(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "grandrounds.server.cli", *args],
        capture_output=True,
        text=True,
        env={**os.environ, "GRANDROUNDS_LOG_LEVEL": "warning", **env},
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize("command", [["serve", "--port", "9"], ["worker", "--once"], ["migrate"], ["demo"]])
def test_commands_stop_on_a_bad_setting_with_one_line_and_exit_2(command: list[str]) -> None:
    done = grandrounds(*command, env={"SMTP_SECURITY": "ssl", "SMTP_PORT": "smtp"})
    assert done.returncode == 2, done.stdout + done.stderr
    assert done.stderr.splitlines() == [
        "error: SMTP_PORT='smtp' is not a number (a whole number from 1 to 65535). "
        "SMTP_SECURITY='ssl' is not one of none, starttls, tls."
    ]
    assert done.stdout == ""


def test_a_non_numeric_serve_default_is_refused_like_any_setting() -> None:
    done = grandrounds("serve", env={"GRANDROUNDS_PORT": "eighty"})
    assert done.returncode == 2 and "GRANDROUNDS_PORT='eighty' is not a number" in done.stderr
    assert "Traceback" not in done.stderr


def test_check_prints_the_effective_settings_with_secrets_masked() -> None:
    secrets_given = {
        "GRANDROUNDS_SECRET_KEY": GOOD_KEY,
        "SMTP_PASSWORD": "smtp-secret-value",
        "STRIPE_SECRET_KEY": "sk_test_secret_value",
        "STRIPE_WEBHOOK_SECRET": "whsec_secret_value",
        "GRANDROUNDS_DB_POOL_SIZE": "7",
    }
    done = grandrounds("check", env=secrets_given)
    assert done.returncode == 0, done.stderr
    for secret in ("smtp-secret-value", "sk_test_secret_value", "whsec_secret_value", GOOD_KEY):
        assert secret not in done.stdout
    lines = done.stdout.splitlines()
    assert any(line.split() == ["secret_key", "=", "<set,", "40", "characters>"] for line in lines)
    assert any(line.split() == ["db_pool_size", "=", "7"] for line in lines)
    assert any(line.startswith("throttle.sign_in_failures_per_account ") for line in lines)
    assert lines[-1] == "settings are valid"


def test_check_masks_the_database_password() -> None:
    from grandrounds.server.settings_report import describe

    shown = describe(replace(get_settings(), database_url=PG_URL))
    assert any(
        line.split()[-1] == "postgresql://grandrounds:***@db.internal:5432/grandrounds" for line in shown
    )
    assert not any(":pw@" in line for line in shown)


def test_check_names_every_invalid_setting_and_exits_2() -> None:
    done = grandrounds("check", env={"GRANDROUNDS_ENV": "production", "SMTP_SECURITY": "ssl"})
    assert done.returncode == 2
    problems = [line for line in done.stderr.splitlines() if line.startswith("  - ")]
    assert any("SMTP_SECURITY" in line for line in problems)
    assert any("GRANDROUNDS_SECRET_KEY must be set" in line for line in problems)
    assert any("GRANDROUNDS_BASE_URL" in line for line in problems)


def test_check_advises_on_choices_that_are_allowed_but_odd() -> None:
    from grandrounds.server.settings_report import describe

    sqlite = replace(get_settings(), database_url="sqlite:///x.sqlite3", db_statement_timeout_ms=500)
    assert (
        "note: GRANDROUNDS_DB_STATEMENT_TIMEOUT_MS applies to PostgreSQL only; SQLite ignores it."
        in describe(sqlite)
    )
    relaxed = replace(get_settings(), environment="production", require_2fa_for_staff=False)
    assert any("staff roles work with a password alone" in line for line in describe(relaxed))
