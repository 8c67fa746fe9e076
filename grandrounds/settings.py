"""Settings read from the environment, each with a documented default.

Every variable here is listed in the README's configuration table; the
defaults give the embedded single-machine setup (SQLite file and mail log under
``./var``) so that a newcomer needs no configuration at all.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field, fields
from pathlib import Path
from urllib.parse import urlparse


def _flag(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    return default if not raw else int(raw)


class SettingsError(ValueError):
    """A setting the process must not start with; the message names the variable and what is allowed."""


@dataclass(frozen=True, slots=True)
class RetentionPeriods:
    """How many days each retention class keeps its rows (see records.inventory and docs/records.md).

    Each is overridable by ``GRANDROUNDS_RETENTION_<CLASS>_DAYS``. CME records and the
    ledger have legal floors: a shorter period is refused when the settings are read,
    so no process starts with it.
    """

    # Attendee personal data, counted from the end of the event.
    attendee: int = 1095
    # Never-verified or guest-only accounts, counted from their last activity.
    guest_account: int = 365
    # Outbox message bodies (the context they were rendered from), counted from queuing.
    message_body: int = 90
    # Expired or revoked sessions and tokens, used or expired links and recovery codes, failure rows.
    credential: int = 30
    # Attendance, credits and certificates: kept at least six years (leap days included).
    cme: int = 2192
    # Money: kept at least seven years; this code never purges it.
    ledger: int = 2557
    # The audit trail, purged through its declared purge after seven years.
    audit: int = 2557


# The shortest periods the law allows, in days: CME records six years, money seven.
RETENTION_FLOORS: dict[str, tuple[int, str]] = {
    "cme": (2192, "6 years: CME attendance, credits and certificates"),
    "ledger": (2557, "7 years: the money ledger"),
}


def retention_variable(name: str) -> str:
    return f"GRANDROUNDS_RETENTION_{name.upper()}_DAYS"


def _retention_periods() -> RetentionPeriods:
    chosen: dict[str, int] = {}
    for spec in fields(RetentionPeriods):
        variable = retention_variable(spec.name)
        raw = os.environ.get(variable, "").strip()
        if not raw:
            continue
        if not raw.isdigit() or int(raw) < 1:
            raise SettingsError(f"{variable}={raw!r} is not a number of days (a whole number, 1 or more).")
        days = int(raw)
        floor = RETENTION_FLOORS.get(spec.name)
        if floor is not None and days < floor[0]:
            raise SettingsError(
                f"{variable}={days} is below the legal minimum of {floor[0]} days ({floor[1]}); "
                f"unset it or choose {floor[0]} or more."
            )
        chosen[spec.name] = days
    return RetentionPeriods(**chosen)


@dataclass(frozen=True, slots=True)
class Settings:
    """The process's configuration; build one with :func:`load_settings`."""

    database_url: str
    var_dir: Path
    base_url: str
    secret_key: str
    cookie_secure: bool
    session_ttl_hours: int
    password_hash_profile: str
    run_dispatcher_in_server: bool
    smtp_host: str
    smtp_port: int
    smtp_username: str
    smtp_password: str
    smtp_security: str  # "starttls", "tls" or "none"
    mail_from: str
    # How long a dispatcher owns the messages it claimed; a killed worker's claim lapses after this.
    outbox_lease_seconds: int = 300
    # How long an unpaid checkout holds its seat before the seat passes on.
    checkout_hold_minutes: int = 30
    # Stripe: no secret key means paid places cannot be checked out (billing.not_configured).
    stripe_secret_key: str = ""
    stripe_webhook_secret: str = ""
    stripe_api_base: str = ""  # empty: Stripe's own https://api.stripe.com; a local server in tests
    # The interactive API browsers under /schema load scripts from a CDN; off, only /schema/openapi.json.
    api_browsers: bool = False
    # Admin, finance and program staff must sign in with a second factor to use their roles.
    require_2fa_for_staff: bool = True
    # How long each retention class keeps its rows (records.services.retention).
    retention: RetentionPeriods = field(default_factory=RetentionPeriods)
    # Where uploaded files live (grandrounds.storage): "local" (under var_dir) or "s3" (a bucket).
    storage: str = "local"
    s3_bucket: str = ""
    s3_endpoint_url: str = ""  # empty: AWS itself; an S3-compatible service's address otherwise
    s3_region: str = ""
    # "console" (readable, the demo) or "json" (one object per line, production): grandrounds.logs.
    log_format: str = "console"
    # The Bearer token /metrics asks for; empty: only loopback clients may read it.
    metrics_token: str = ""
    # OpenTelemetry tracing through the ``otel`` extra, exported to OTEL_EXPORTER_OTLP_ENDPOINT.
    otel_enabled: bool = False

    @property
    def mail_log(self) -> Path:
        return self.var_dir / "mail.log"

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite:")

    @property
    def sqlite_path(self) -> Path:
        """The SQLite file named by ``sqlite:///relative`` or ``sqlite:////absolute``."""
        return Path(urlparse(self.database_url).path[1:] or "grandrounds.sqlite3")


PRIVATE_DIR_MODE = 0o700
PRIVATE_FILE_MODE = 0o600


def private_dir(path: Path, *, tighten: bool = True) -> Path:
    """Make ``path`` (and missing parents) readable by this user only.

    ``var/`` holds the SQLite file, the mail log and the secret key: nobody else
    on the machine should list or read it. ``tighten`` also narrows a directory
    that exists already (ours, made by hand or by an older version); it is off
    for a directory we merely write into (the parent of a SQLite file elsewhere).
    """
    existed = path.is_dir()
    path.mkdir(mode=PRIVATE_DIR_MODE, parents=True, exist_ok=True)
    if tighten or not existed:
        path.chmod(PRIVATE_DIR_MODE)
    return path


def private_file(path: Path) -> Path:
    """Create ``path`` if missing, and make it readable and writable by this user only."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, PRIVATE_FILE_MODE)
    os.close(descriptor)
    path.chmod(PRIVATE_FILE_MODE)
    return path


def _secret_key(var_dir: Path) -> str:
    """The key that signs CSRF tokens.

    Production sets GRANDROUNDS_SECRET_KEY (the same on every process). The
    embedded default keeps a generated key in ``var/secret_key`` so restarts do
    not invalidate every open form.
    """
    configured = os.environ.get("GRANDROUNDS_SECRET_KEY")
    if configured:
        return configured
    key_file = var_dir / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    private_dir(var_dir)
    key = secrets.token_urlsafe(48)
    private_file(key_file).write_text(key)
    return key


def load_settings() -> Settings:
    var_dir = Path(os.environ.get("GRANDROUNDS_VAR_DIR", "var")).resolve()
    database_url = os.environ.get("DATABASE_URL") or f"sqlite:///{var_dir / 'grandrounds.sqlite3'}"
    base_url = os.environ.get("GRANDROUNDS_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
    return Settings(
        database_url=database_url,
        var_dir=var_dir,
        base_url=base_url,
        secret_key=_secret_key(var_dir),
        cookie_secure=_flag("GRANDROUNDS_COOKIE_SECURE", base_url.startswith("https://")),
        session_ttl_hours=_int("GRANDROUNDS_SESSION_TTL_HOURS", 24 * 14),
        password_hash_profile=os.environ.get("GRANDROUNDS_PASSWORD_HASH_PROFILE", "standard"),
        run_dispatcher_in_server=_flag("GRANDROUNDS_DISPATCHER_IN_SERVER", True),
        smtp_host=os.environ.get("SMTP_HOST", ""),
        smtp_port=_int("SMTP_PORT", 587),
        smtp_username=os.environ.get("SMTP_USERNAME", ""),
        smtp_password=os.environ.get("SMTP_PASSWORD", ""),
        smtp_security=os.environ.get("SMTP_SECURITY", "starttls").lower(),
        mail_from=os.environ.get("MAIL_FROM", "grandrounds <no-reply@grandrounds.localhost>"),
        outbox_lease_seconds=_int("GRANDROUNDS_OUTBOX_LEASE_SECONDS", 300),
        checkout_hold_minutes=_int("GRANDROUNDS_CHECKOUT_HOLD_MINUTES", 30),
        stripe_secret_key=os.environ.get("STRIPE_SECRET_KEY", ""),
        stripe_webhook_secret=os.environ.get("STRIPE_WEBHOOK_SECRET", ""),
        stripe_api_base=os.environ.get("STRIPE_API_BASE", "").rstrip("/"),
        api_browsers=_flag("GRANDROUNDS_API_BROWSERS", False),
        require_2fa_for_staff=_flag("GRANDROUNDS_REQUIRE_2FA_FOR_STAFF", True),
        retention=_retention_periods(),
        storage=os.environ.get("GRANDROUNDS_STORAGE", "local").strip().lower() or "local",
        s3_bucket=os.environ.get("GRANDROUNDS_S3_BUCKET", "").strip(),
        s3_endpoint_url=os.environ.get("GRANDROUNDS_S3_ENDPOINT_URL", "").strip().rstrip("/"),
        s3_region=os.environ.get("GRANDROUNDS_S3_REGION", "").strip(),
        log_format=log_format(),
        metrics_token=os.environ.get("GRANDROUNDS_METRICS_TOKEN", "").strip(),
        otel_enabled=_flag("GRANDROUNDS_OTEL_ENABLED", False),
    )


def log_format() -> str:
    """``GRANDROUNDS_LOG_FORMAT``: ``console`` (the default) or ``json``; read before the rest for logging."""
    chosen = os.environ.get("GRANDROUNDS_LOG_FORMAT", "").strip().lower() or "console"
    if chosen not in ("console", "json"):
        raise SettingsError(f"GRANDROUNDS_LOG_FORMAT={chosen!r} is not one of: console, json.")
    return chosen


_cached: Settings | None = None


def get_settings() -> Settings:
    """The settings of this process, read once."""
    global _cached
    if _cached is None:
        _cached = load_settings()
    return _cached
