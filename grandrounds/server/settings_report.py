"""What ``grandrounds check`` prints: the effective settings, secrets masked, and advice.

An operator checks a deployment's environment before starting it (or after a
change) and can paste the output into a ticket: no secret appears in it, only
whether each one is set and how long it is.
"""

from __future__ import annotations

import os
from dataclasses import fields, is_dataclass
from typing import Any

from grandrounds.environment import masked, masked_url
from grandrounds.settings import Settings

SECRET_FIELDS = frozenset(
    {"secret_key", "smtp_password", "stripe_secret_key", "stripe_webhook_secret", "metrics_token"}
)


def _shown(name: str, value: Any) -> str:
    if name in SECRET_FIELDS:
        return masked(str(value))
    if name == "database_url":
        return masked_url(str(value))
    return str(value)


def _pairs(prefix: str, value: Any) -> list[tuple[str, str]]:
    pairs: list[tuple[str, str]] = []
    for spec in fields(value):
        item = getattr(value, spec.name)
        if is_dataclass(item):
            pairs += _pairs(f"{prefix}{spec.name}.", item)
        else:
            pairs.append((f"{prefix}{spec.name}", _shown(spec.name, item)))
    return pairs


def advice(settings: Settings) -> list[str]:
    """Choices that are allowed but worth a second look; ``grandrounds check`` prints them."""
    notes: list[str] = []
    if settings.is_sqlite and settings.db_statement_timeout_ms:
        notes.append("GRANDROUNDS_DB_STATEMENT_TIMEOUT_MS applies to PostgreSQL only; SQLite ignores it.")
    if not settings.is_sqlite and not os.environ.get("GRANDROUNDS_SECRET_KEY", "").strip():
        notes.append("The secret key comes from var/secret_key: run every process on this machine only.")
    if settings.is_production and not settings.require_2fa_for_staff:
        notes.append("GRANDROUNDS_REQUIRE_2FA_FOR_STAFF=0: staff roles work with a password alone.")
    if settings.is_production and settings.run_dispatcher_in_server:
        notes.append(
            "Each API process runs a dispatcher; with workers, set GRANDROUNDS_DISPATCHER_IN_SERVER=0."
        )
    return notes


def describe(settings: Settings) -> list[str]:
    """One line per setting (``name = value``), then a line per piece of advice."""
    pairs = _pairs("", settings)
    width = max(len(name) for name, _ in pairs)
    lines = [f"{name:<{width}} = {value}" for name, value in pairs]
    lines.append(f"{'database':<{width}} = {'SQLite' if settings.is_sqlite else 'PostgreSQL'}")
    lines += [f"note: {note}" for note in advice(settings)]
    lines.append("settings are valid")
    return lines
