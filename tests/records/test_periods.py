"""Retention periods come from the environment; below a legal minimum the process refuses to start."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from grandrounds.settings import RetentionPeriods, SettingsError, load_settings


def test_the_defaults_are_the_documented_periods(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("ATTENDEE", "GUEST_ACCOUNT", "MESSAGE_BODY", "CREDENTIAL", "CME", "LEDGER", "AUDIT"):
        monkeypatch.delenv(f"GRANDROUNDS_RETENTION_{name}_DAYS", raising=False)
    periods = load_settings().retention
    assert periods == RetentionPeriods()
    assert (periods.attendee, periods.guest_account, periods.message_body, periods.credential) == (
        1095,
        365,
        90,
        30,
    )
    assert (periods.cme, periods.ledger, periods.audit) == (2192, 2557, 2557)


def test_each_period_is_overridable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GRANDROUNDS_RETENTION_ATTENDEE_DAYS", "730")
    monkeypatch.setenv("GRANDROUNDS_RETENTION_CME_DAYS", "3650")
    periods = load_settings().retention
    assert (periods.attendee, periods.cme, periods.guest_account) == (730, 3650, 365)


@pytest.mark.parametrize(
    ("variable", "value", "words"),
    [
        ("GRANDROUNDS_RETENTION_CME_DAYS", "2000", "below the legal minimum of 2192 days (6 years"),
        ("GRANDROUNDS_RETENTION_LEDGER_DAYS", "365", "below the legal minimum of 2557 days (7 years"),
        ("GRANDROUNDS_RETENTION_ATTENDEE_DAYS", "three years", "is not a number of days"),
        ("GRANDROUNDS_RETENTION_CREDENTIAL_DAYS", "0", "is not a number of days"),
    ],
)
def test_a_period_below_its_floor_or_not_a_number_is_refused(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, words: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(SettingsError, match=variable) as refused:
        load_settings()
    assert words in str(refused.value)


def test_the_command_refuses_to_start_with_a_clear_message() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "grandrounds.server.cli", "retention", "--dry-run"],
        capture_output=True,
        text=True,
        env={**os.environ, "GRANDROUNDS_RETENTION_CME_DAYS": "1000", "GRANDROUNDS_LOG_LEVEL": "warning"},
        timeout=120,
        check=False,
    )
    assert done.returncode == 2, done.stdout + done.stderr
    assert "GRANDROUNDS_RETENTION_CME_DAYS=1000 is below the legal minimum of 2192 days" in done.stderr
    assert "Traceback" not in done.stderr
