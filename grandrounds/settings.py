"""Settings read from the environment, each with a documented default, checked before anything starts.

Every variable here is listed in the README's configuration table and in
:data:`KNOWN_VARIABLES`; the defaults give the embedded single-machine setup
(SQLite file and mail log under ``./var``) so that a newcomer needs no
configuration at all. A value that is malformed, out of range or unsafe for
the environment declared in ``GRANDROUNDS_ENV`` stops the process with a
:class:`SettingsError` naming each variable at fault (``grandrounds check``
prints them all).
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from urllib.parse import urlparse

from grandrounds.environment import Reader, database_url_problem, http_url_problem
from grandrounds.environment import SettingsError as SettingsError  # where every caller imports it from

DEVELOPMENT = "development"
PRODUCTION = "production"
ENVIRONMENTS = (DEVELOPMENT, PRODUCTION)
SMTP_SECURITIES = ("starttls", "tls", "none")
PASSWORD_HASH_PROFILES = ("standard", "cheap")
STORAGE_BACKENDS = ("local", "s3")  # grandrounds.storage.BACKENDS
# Shorter keys are guessable offline from one signed form token.
SECRET_KEY_MIN_LENGTH = 32


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


def _retention_periods(read: Reader) -> RetentionPeriods:
    chosen: dict[str, int] = {}
    for spec in fields(RetentionPeriods):
        variable = retention_variable(spec.name)
        raw = read.raw(variable)
        if raw is None:
            continue
        if not raw.isdigit() or int(raw) < 1:
            read.refuse(f"{variable}={raw!r} is not a number of days (a whole number, 1 or more).")
            continue
        days = int(raw)
        floor = RETENTION_FLOORS.get(spec.name)
        if floor is not None and days < floor[0]:
            read.refuse(
                f"{variable}={days} is below the legal minimum of {floor[0]} days ({floor[1]}); "
                f"unset it or choose {floor[0]} or more."
            )
            continue
        chosen[spec.name] = days
    return RetentionPeriods(**chosen)


@dataclass(frozen=True, slots=True)
class ThrottleLimits:
    """The limits of accounts.services.throttle; the defaults are the ones documented there."""

    # Failed sign-ins on one account (from anyone) before a client that failed on it must wait.
    sign_in_failures_per_account: int = 5
    # Failed sign-ins from one client address (on any accounts) before it must wait.
    sign_in_failures_per_client: int = 10
    # The doubling wait after failed sign-ins never exceeds this.
    longest_delay_seconds: int = 15 * 60
    # Sign-ups and password-link requests one client address may make in an hour.
    sign_ups_per_client_per_hour: int = 10
    password_links_per_client_per_hour: int = 10


def _throttle_limits(read: Reader) -> ThrottleLimits:
    default = ThrottleLimits()
    return ThrottleLimits(
        sign_in_failures_per_account=read.integer(
            "GRANDROUNDS_THROTTLE_SIGN_IN_FAILURES_PER_ACCOUNT",
            default.sign_in_failures_per_account,
            minimum=1,
        ),
        sign_in_failures_per_client=read.integer(
            "GRANDROUNDS_THROTTLE_SIGN_IN_FAILURES_PER_CLIENT", default.sign_in_failures_per_client, minimum=1
        ),
        longest_delay_seconds=read.integer(
            "GRANDROUNDS_THROTTLE_LONGEST_DELAY_SECONDS", default.longest_delay_seconds, minimum=2
        ),
        sign_ups_per_client_per_hour=read.integer(
            "GRANDROUNDS_THROTTLE_SIGN_UPS_PER_HOUR", default.sign_ups_per_client_per_hour, minimum=1
        ),
        password_links_per_client_per_hour=read.integer(
            "GRANDROUNDS_THROTTLE_PASSWORD_LINKS_PER_HOUR",
            default.password_links_per_client_per_hour,
            minimum=1,
        ),
    )


@dataclass(frozen=True, slots=True)
class Settings:
    """The process's configuration; build one with :func:`load_settings`."""

    database_url: str
    var_dir: Path
    base_url: str
    secret_key: str = field(repr=False)
    cookie_secure: bool
    session_ttl_hours: int
    password_hash_profile: str
    run_dispatcher_in_server: bool
    smtp_host: str
    smtp_port: int
    smtp_username: str
    smtp_password: str = field(repr=False)
    smtp_security: str  # "starttls", "tls" or "none"
    mail_from: str
    # "development" (the default) or "production", where unsafe choices are refused.
    environment: str = DEVELOPMENT
    # How long a dispatcher owns the messages it claimed; a killed worker's claim lapses after this.
    outbox_lease_seconds: int = 300
    # How long an unpaid checkout holds its seat before the seat passes on.
    checkout_hold_minutes: int = 30
    # Stripe: no secret key means paid places cannot be checked out (billing.not_configured).
    stripe_secret_key: str = field(default="", repr=False)
    stripe_webhook_secret: str = field(default="", repr=False)
    stripe_api_base: str = ""  # empty: Stripe's own https://api.stripe.com; a local server in tests
    # The interactive API browsers under /schema load scripts from a CDN; off, only /schema/openapi.json.
    api_browsers: bool = False
    # Admin, finance and program staff must sign in with a second factor to use their roles.
    require_2fa_for_staff: bool = True
    # PostgreSQL: the most connections one API process keeps (the worker and commands keep fewer).
    db_pool_size: int = 10
    # PostgreSQL: the server cancels any statement running longer than this; 0 lets them run.
    db_statement_timeout_ms: int = 0
    # How long each retention class keeps its rows (records.services.retention).
    retention: RetentionPeriods = field(default_factory=RetentionPeriods)
    # Where uploaded files live (grandrounds.storage): "local" (under var_dir) or "s3" (a bucket).
    storage: str = "local"
    s3_bucket: str = ""
    s3_endpoint_url: str = ""  # empty: AWS itself; an S3-compatible service's address otherwise
    s3_region: str = ""
    # The sign-in, sign-up and password-link limits (accounts.services.throttle).
    throttle: ThrottleLimits = field(default_factory=ThrottleLimits)
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
    def is_production(self) -> bool:
        return self.environment == PRODUCTION

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


def _secret_key(read: Reader, var_dir: Path, database_url: str, environment: str) -> str:
    """The key that signs CSRF tokens and hashes client addresses.

    Production sets GRANDROUNDS_SECRET_KEY (the same on every process). The
    embedded default keeps a generated key in ``var/secret_key`` so restarts do
    not invalidate every open form. That file is per machine: with PostgreSQL,
    processes on other machines sharing the database would each make their own
    key and refuse each other's forms, so there the key must be set unless the
    site says it is a single development machine (``GRANDROUNDS_ENV=development``).
    """
    configured = read.secret("GRANDROUNDS_SECRET_KEY")
    if configured:
        if len(configured) < SECRET_KEY_MIN_LENGTH:
            read.refuse(
                f"GRANDROUNDS_SECRET_KEY is {len(configured)} characters long; it must be at least "
                f"{SECRET_KEY_MIN_LENGTH} (python -c 'import secrets; print(secrets.token_urlsafe(48))')."
            )
        return configured
    if environment == PRODUCTION:
        read.refuse(
            "GRANDROUNDS_SECRET_KEY must be set when GRANDROUNDS_ENV=production (the same on every process)."
        )
        return ""
    if not database_url.startswith("sqlite:") and read.raw("GRANDROUNDS_ENV") is None:
        read.refuse(
            "GRANDROUNDS_SECRET_KEY must be set when DATABASE_URL is PostgreSQL: processes on other machines "
            "would each generate their own key and refuse each other's forms. Set the same key on every "
            "process, or GRANDROUNDS_ENV=development for a single development machine."
        )
        return ""
    if read.problems:
        return ""  # the process will not start: leave var/ as it was
    key_file = var_dir / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    private_dir(var_dir)
    key = secrets.token_urlsafe(48)
    private_file(key_file).write_text(key)
    return key


def _production_rules(read: Reader, settings: Settings, cookie_flag_set: bool) -> None:
    """What production refuses although development allows it (README, Configuration)."""
    if not settings.base_url.startswith("https://"):
        read.refuse(
            f"GRANDROUNDS_BASE_URL={settings.base_url!r}: in production it must be the public https:// "
            "address (links in mail, Secure cookies); behind a TLS proxy that is the proxy's address."
        )
    elif cookie_flag_set and not settings.cookie_secure:
        read.refuse("GRANDROUNDS_COOKIE_SECURE=0 with an https base URL would send sign-in cookies in clear.")
    if settings.password_hash_profile == "cheap":  # noqa: S105 - a profile name, not a password
        read.refuse("GRANDROUNDS_PASSWORD_HASH_PROFILE=cheap is for the test suite, never production.")
    if settings.api_browsers:
        read.refuse(
            "GRANDROUNDS_API_BROWSERS=1 loads scripts from a CDN; it is for development, not production."
        )


def load_settings() -> Settings:
    """Read and check every setting; raise :class:`SettingsError` listing each one that is wrong."""
    read = Reader()
    environment = read.choice("GRANDROUNDS_ENV", DEVELOPMENT, ENVIRONMENTS)
    var_dir = Path(read.text("GRANDROUNDS_VAR_DIR", "var")).resolve()
    database_url = read.text("DATABASE_URL", f"sqlite:///{var_dir / 'grandrounds.sqlite3'}")
    if problem := database_url_problem(database_url):
        read.refuse(f"DATABASE_URL is not a database address: {problem}.")
    base_url = read.http_url(
        "GRANDROUNDS_BASE_URL", read.text("GRANDROUNDS_BASE_URL", "http://127.0.0.1:8000")
    )
    stripe_api_base = read.text("STRIPE_API_BASE", "").rstrip("/")
    if stripe_api_base and (problem := http_url_problem(stripe_api_base)):
        read.refuse(f"STRIPE_API_BASE={stripe_api_base!r} is not an http(s) address: {problem}.")
    s3_endpoint_url = read.text("GRANDROUNDS_S3_ENDPOINT_URL", "").rstrip("/")
    if s3_endpoint_url and (problem := http_url_problem(s3_endpoint_url)):
        read.refuse(f"GRANDROUNDS_S3_ENDPOINT_URL={s3_endpoint_url!r} is not an http(s) address: {problem}.")
    settings = Settings(
        database_url=database_url,
        var_dir=var_dir,
        base_url=base_url,
        secret_key="",
        cookie_secure=read.flag("GRANDROUNDS_COOKIE_SECURE", base_url.startswith("https://")),
        session_ttl_hours=read.integer("GRANDROUNDS_SESSION_TTL_HOURS", 24 * 14, minimum=1),
        password_hash_profile=read.choice(
            "GRANDROUNDS_PASSWORD_HASH_PROFILE", "standard", PASSWORD_HASH_PROFILES
        ),
        run_dispatcher_in_server=read.flag("GRANDROUNDS_DISPATCHER_IN_SERVER", True),
        smtp_host=read.text("SMTP_HOST", ""),
        smtp_port=read.integer("SMTP_PORT", 587, minimum=1, maximum=65535),
        smtp_username=read.text("SMTP_USERNAME", ""),
        smtp_password=read.secret("SMTP_PASSWORD"),
        smtp_security=read.choice("SMTP_SECURITY", "starttls", SMTP_SECURITIES),
        mail_from=read.text("MAIL_FROM", "grandrounds <no-reply@grandrounds.localhost>"),
        environment=environment,
        outbox_lease_seconds=read.integer("GRANDROUNDS_OUTBOX_LEASE_SECONDS", 300, minimum=1),
        checkout_hold_minutes=read.integer("GRANDROUNDS_CHECKOUT_HOLD_MINUTES", 30, minimum=1),
        stripe_secret_key=read.secret("STRIPE_SECRET_KEY"),
        stripe_webhook_secret=read.secret("STRIPE_WEBHOOK_SECRET"),
        stripe_api_base=stripe_api_base,
        api_browsers=read.flag("GRANDROUNDS_API_BROWSERS", False),
        require_2fa_for_staff=read.flag("GRANDROUNDS_REQUIRE_2FA_FOR_STAFF", True),
        db_pool_size=read.integer("GRANDROUNDS_DB_POOL_SIZE", 10, minimum=1, maximum=1000),
        db_statement_timeout_ms=read.integer("GRANDROUNDS_DB_STATEMENT_TIMEOUT_MS", 0, minimum=0),
        retention=_retention_periods(read),
        throttle=_throttle_limits(read),
        storage=read.choice("GRANDROUNDS_STORAGE", "local", STORAGE_BACKENDS),
        s3_bucket=read.text("GRANDROUNDS_S3_BUCKET", ""),
        s3_endpoint_url=s3_endpoint_url,
        s3_region=read.text("GRANDROUNDS_S3_REGION", ""),
        log_format=read.choice("GRANDROUNDS_LOG_FORMAT", "console", LOG_FORMATS),
        metrics_token=read.secret("GRANDROUNDS_METRICS_TOKEN"),
        otel_enabled=read.flag("GRANDROUNDS_OTEL_ENABLED", False),
    )
    if settings.storage == "s3" and not settings.s3_bucket:
        read.refuse("GRANDROUNDS_STORAGE=s3 needs GRANDROUNDS_S3_BUCKET (the bucket's name).")
    if settings.is_production:
        _production_rules(read, settings, cookie_flag_set=read.is_set("GRANDROUNDS_COOKIE_SECURE"))
    secret_key = _secret_key(read, var_dir, database_url, environment)
    if read.problems:
        raise SettingsError(read.problems)
    return replace(settings, secret_key=secret_key)


# Read by the ``grandrounds`` command itself rather than into Settings (grandrounds.server.cli).
COMMAND_VARIABLES: tuple[str, ...] = (
    "GRANDROUNDS_HOST",
    "GRANDROUNDS_PORT",
    "GRANDROUNDS_WORKERS",
    "GRANDROUNDS_LOG_LEVEL",
    "FORWARDED_ALLOW_IPS",
    "GRANDROUNDS_NEW_PASSWORD",
)

# Read by libraries on our behalf: the S3 client's credentials (the standard AWS chain), and
# OpenTelemetry's, read by grandrounds.server.tracing and its exporter when tracing is on.
LIBRARY_VARIABLES: tuple[str, ...] = (
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "OTEL_EXPORTER_OTLP_ENDPOINT",
    "OTEL_SERVICE_NAME",
    "OTEL_TRACES_EXPORTER",
    # prometheus_client's multiprocess folder (grandrounds.metrics sets it for serve's processes).
    "PROMETHEUS_MULTIPROC_DIR",
)

# Every environment variable a grandrounds process reads (tests/shell/test_settings_variables.py keeps
# this complete and each one in the README's Configuration table).
KNOWN_VARIABLES: tuple[str, ...] = (
    "DATABASE_URL",
    "GRANDROUNDS_ENV",
    "GRANDROUNDS_VAR_DIR",
    "GRANDROUNDS_BASE_URL",
    "GRANDROUNDS_SECRET_KEY",
    "GRANDROUNDS_COOKIE_SECURE",
    "GRANDROUNDS_SESSION_TTL_HOURS",
    "GRANDROUNDS_PASSWORD_HASH_PROFILE",
    "GRANDROUNDS_DISPATCHER_IN_SERVER",
    "SMTP_HOST",
    "SMTP_PORT",
    "SMTP_USERNAME",
    "SMTP_PASSWORD",
    "SMTP_SECURITY",
    "MAIL_FROM",
    "GRANDROUNDS_OUTBOX_LEASE_SECONDS",
    "GRANDROUNDS_CHECKOUT_HOLD_MINUTES",
    "STRIPE_SECRET_KEY",
    "STRIPE_WEBHOOK_SECRET",
    "STRIPE_API_BASE",
    "GRANDROUNDS_API_BROWSERS",
    "GRANDROUNDS_REQUIRE_2FA_FOR_STAFF",
    "GRANDROUNDS_DB_POOL_SIZE",
    "GRANDROUNDS_DB_STATEMENT_TIMEOUT_MS",
    "GRANDROUNDS_THROTTLE_SIGN_IN_FAILURES_PER_ACCOUNT",
    "GRANDROUNDS_THROTTLE_SIGN_IN_FAILURES_PER_CLIENT",
    "GRANDROUNDS_THROTTLE_LONGEST_DELAY_SECONDS",
    "GRANDROUNDS_THROTTLE_SIGN_UPS_PER_HOUR",
    "GRANDROUNDS_THROTTLE_PASSWORD_LINKS_PER_HOUR",
    "GRANDROUNDS_STORAGE",
    "GRANDROUNDS_S3_BUCKET",
    "GRANDROUNDS_S3_ENDPOINT_URL",
    "GRANDROUNDS_S3_REGION",
    "GRANDROUNDS_LOG_FORMAT",
    "GRANDROUNDS_METRICS_TOKEN",
    "GRANDROUNDS_OTEL_ENABLED",
    *(retention_variable(spec.name) for spec in fields(RetentionPeriods)),
    *COMMAND_VARIABLES,
    *LIBRARY_VARIABLES,
)


def production_requested() -> bool:
    """Whether GRANDROUNDS_ENV asks for production (read before the settings, by ``serve``)."""
    return os.environ.get("GRANDROUNDS_ENV", "").strip().lower() == PRODUCTION


LOG_FORMATS = ("console", "json")


def log_format() -> str:
    """``GRANDROUNDS_LOG_FORMAT``: ``console`` (the default) or ``json``; read before the rest for logging."""
    chosen = os.environ.get("GRANDROUNDS_LOG_FORMAT", "").strip().lower() or "console"
    if chosen not in LOG_FORMATS:
        raise SettingsError(f"GRANDROUNDS_LOG_FORMAT={chosen!r} is not one of: console, json.")
    return chosen


_cached: Settings | None = None


def get_settings() -> Settings:
    """The settings of this process, read once."""
    global _cached
    if _cached is None:
        _cached = load_settings()
    return _cached
