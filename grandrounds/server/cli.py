"""The ``grandrounds`` command: serve, migrate, check, demo, createuser, worker, retention, backups."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import os
import signal
import sys
from pathlib import Path

from grandrounds.environment import Reader
from grandrounds.logs import configure_logging
from grandrounds.settings import SettingsError, get_settings, log_format, production_requested


def _migrate(quiet: bool = True) -> None:
    from grandrounds.db import migrate

    asyncio.run(migrate(quiet=quiet))


def cmd_migrate(args: argparse.Namespace) -> int:
    _migrate(quiet=False)
    print("migrations are up to date")
    return 0


def served_base_url(host: str, port: int) -> str:
    """The address this server answers at, for links in mail and feeds when none is configured.

    A wildcard bind (0.0.0.0, ::) is reachable on loopback, so links name that.
    """
    shown = "127.0.0.1" if host in ("", "0.0.0.0", "::") else host  # noqa: S104 - compared, not bound
    return f"http://[{shown}]:{port}" if ":" in shown else f"http://{shown}:{port}"


def forwarded_allow_ips() -> str:
    """The proxies trusted to say who the client is (``FORWARDED_ALLOW_IPS``, default loopback only).

    A comma-separated list of addresses or networks, or ``*`` when only the proxy can reach the server.
    """
    return os.environ.get("FORWARDED_ALLOW_IPS", "").strip() or "127.0.0.1"


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from grandrounds.logs import uvicorn_log_config
    from grandrounds.metrics import prepare_multiprocess_dir

    # Without GRANDROUNDS_BASE_URL, links follow the port served (scripts/demo --port 9000), not 8000.
    # Set before the settings are first read; worker processes inherit it. Production names its
    # public address itself: the address served behind a proxy is never it.
    if not production_requested():
        os.environ.setdefault("GRANDROUNDS_BASE_URL", served_base_url(args.host, args.port))
    settings = get_settings()
    # Several processes: each writes its metrics there, so /metrics on any of them gives the totals.
    # One process (served in this very process, whose counters exist already) keeps its own registry.
    if args.workers > 1:
        prepare_multiprocess_dir(settings.var_dir)
    if not args.no_migrate:
        _migrate()
    if settings.is_sqlite and args.workers > 1:
        print(
            "note: several workers share one SQLite file; use PostgreSQL for real concurrency",
            file=sys.stderr,
        )
    print(
        f"grandrounds is running at http://{args.host}:{args.port}  (database: {_describe_db()})", flush=True
    )
    uvicorn.run(
        "grandrounds.server.asgi:app",
        host=args.host,
        port=args.port,
        workers=args.workers,
        # X-Forwarded-For becomes the client address (which the limits per client count) only
        # when the connection comes from one of these proxies; anyone else could name any address.
        proxy_headers=True,
        forwarded_allow_ips=forwarded_allow_ips(),
        log_config=uvicorn_log_config(settings.log_format, _log_level()),
        log_level=_log_level(),
        # grandrounds.web.access_log writes the one line per request (route, duration, person).
        access_log=False,
    )
    return 0


def _log_level() -> str:
    return os.environ.get("GRANDROUNDS_LOG_LEVEL", "info").strip().lower() or "info"


def _describe_db() -> str:
    settings = get_settings()
    return f"SQLite file {settings.sqlite_path}" if settings.is_sqlite else "PostgreSQL"


def cmd_demo(args: argparse.Namespace) -> int:
    from grandrounds.server.demo import seed_demo

    _migrate()
    logins = asyncio.run(seed_demo())
    print(f"Demo data is ready. Sign in with any of these (password for all: {logins.password}):")
    for role, email in logins.accounts:
        print(f"  {role:<16} {email}")
    return 0


def cmd_createuser(args: argparse.Namespace) -> int:
    from accounts.principal import Role
    from accounts.schemas import SignUp
    from accounts.services.people import create_person, parse_role
    from grandrounds.errors import DomainError

    _migrate()
    password = os.environ.get("GRANDROUNDS_NEW_PASSWORD")
    if password is None:
        password = sys.stdin.readline().rstrip("\n") if args.password_stdin else getpass.getpass("Password: ")
    try:
        roles = tuple(parse_role(r) for r in args.role) or (Role.GUEST,)
        person_id = asyncio.run(
            create_person(
                SignUp(
                    email=args.email,
                    password=password,
                    name=args.name,
                    degree=args.degree,
                    time_zone=args.time_zone,
                ),
                roles=roles,
            )
        )
    except DomainError as exc:
        print(f"error: {exc.code}: {exc.message}", file=sys.stderr)
        return 2
    print(f"created person {person_id} <{args.email.lower()}> with roles {', '.join(r.value for r in roles)}")
    return 0


def cmd_worker(args: argparse.Namespace) -> int:
    from billing.stripe_client import worker_account
    from grandrounds.server.background import worker_dispatcher
    from notifications.dispatcher import run_worker

    settings = get_settings()
    if not args.no_migrate:
        _migrate()

    async def work() -> None:
        # Stripe's async client is made in the running loop and closed with it (as in the app lifespan).
        async with worker_account(settings) as stripe_account:
            dispatcher = worker_dispatcher(settings, stripe_account)
            # SIGTERM (systemd, docker stop, a deploy) and Ctrl-C: finish the message being sent, hand
            # back the rest of the batch, exit 0. Killed outright, a claim lapses after the lease instead.
            loop = asyncio.get_running_loop()
            for stop_signal in (signal.SIGTERM, signal.SIGINT):
                loop.add_signal_handler(stop_signal, dispatcher.stop)
            await run_worker(dispatcher, once=args.once)

    asyncio.run(work())
    return 0


def cmd_retention(args: argparse.Namespace) -> int:
    """Print the retention plan; without --dry-run, apply it (one ``retention.run`` audit row)."""
    from grandrounds.db import connection_pool
    from records.services import retention

    _migrate()

    async def run() -> list[str]:
        # One short-lived pool: a connection per query would cost more than the queries.
        async with connection_pool(get_settings(), most=2):
            return await plan_and_apply()

    async def plan_and_apply() -> list[str]:
        plan = await retention.plan()
        lines = retention.describe(plan)
        if args.dry_run:
            return [*lines, "Dry run: nothing was changed."]
        result = await retention.apply(plan)
        done = ", ".join(f"{name} {count}" for name, count in result.done.items())
        skipped = ", ".join(f"{name} {count}" for name, count in result.skipped.items() if count)
        return [
            *lines,
            f"Applied: {done}." + (f" Skipped (held or gone since): {skipped}." if skipped else ""),
        ]

    for line in asyncio.run(run()):
        print(line)
    return 0


def cmd_backup(args: argparse.Namespace) -> int:
    from grandrounds.errors import DomainError
    from grandrounds.server.backups import backup

    try:
        done = backup(get_settings(), Path(args.path))
    except DomainError as exc:
        print(f"error: {exc.code}: {exc.message}", file=sys.stderr)
        return 2
    print(f"backed up the {done.engine} database to {done.path} ({done.size_bytes} bytes)")
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    from grandrounds.errors import DomainError
    from grandrounds.server.backups import restore

    try:
        done = restore(get_settings(), Path(args.path), force=args.force)
    except DomainError as exc:
        print(f"error: {exc.code}: {exc.message}", file=sys.stderr)
        return 2
    print(f"restored the {done.engine} database from {done.path}")
    print(
        "if this code is newer than the backup, `grandrounds migrate` (or starting `serve`) brings it forward"
    )
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    """Print the effective settings (secrets masked) and advice; exit 2 naming each invalid one."""
    from grandrounds.server.settings_report import describe

    try:
        settings = get_settings()
    except SettingsError as exc:
        print("grandrounds will not start with these settings:", file=sys.stderr)
        for problem in exc.problems:
            print(f"  - {problem}", file=sys.stderr)
        return 2
    for line in describe(settings):
        print(line)
    return 0


def _serve_defaults() -> tuple[str, int, int]:
    """``serve``'s --host, --port and --workers when not given, from the environment."""
    read = Reader()
    host = read.text("GRANDROUNDS_HOST", "127.0.0.1")
    port = read.integer("GRANDROUNDS_PORT", 8000, minimum=1, maximum=65535)
    workers = read.integer("GRANDROUNDS_WORKERS", 1, minimum=1, maximum=256)
    if read.problems:
        raise SettingsError(read.problems)
    return host, port, workers


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="grandrounds", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    host, port, workers = _serve_defaults()
    serve = sub.add_parser("serve", help="run migrations, then serve the web app and API")
    serve.add_argument("--host", default=host)
    serve.add_argument("--port", type=int, default=port)
    serve.add_argument("--workers", type=int, default=workers)
    serve.add_argument(
        "--no-migrate", action="store_true", help="serve without migrating (run `grandrounds migrate` first)"
    )
    serve.set_defaults(func=cmd_serve)

    sub.add_parser("migrate", help="run pending database migrations").set_defaults(func=cmd_migrate)
    sub.add_parser("demo", help="seed a realistic demo network and print its logins").set_defaults(
        func=cmd_demo
    )

    create = sub.add_parser("createuser", help="create a person with roles")
    create.add_argument("--email", required=True)
    create.add_argument("--name", required=True)
    create.add_argument(
        "--role", action="append", default=[], help="admin, program_staff, finance, speaker, member, guest"
    )
    create.add_argument("--degree", default="")
    create.add_argument("--time-zone", default="UTC")
    create.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    create.set_defaults(func=cmd_createuser)

    worker = sub.add_parser("worker", help="run the background dispatcher (outbox delivery, reminders)")
    worker.add_argument("--once", action="store_true", help="deliver what is due, then exit")
    worker.add_argument("--no-migrate", action="store_true", help="start without migrating")
    worker.set_defaults(func=cmd_worker)

    retention = sub.add_parser(
        "retention", help="apply the retention schedule now (see docs/records.md); --dry-run only prints it"
    )
    retention.add_argument(
        "--dry-run", action="store_true", help="print by class and count what it would do, and the holds"
    )
    retention.set_defaults(func=cmd_retention)

    saving = sub.add_parser("backup", help="copy the whole database to a file, safely while the app runs")
    saving.add_argument("path", help="the file to write (replaced once the new copy is complete)")
    saving.set_defaults(func=cmd_backup)

    restoring = sub.add_parser("restore", help="replace the database in DATABASE_URL with a backup file")
    restoring.add_argument("path", help="a file written by `grandrounds backup` on the same kind of database")
    restoring.add_argument(
        "--force", action="store_true", help="replace a database that already holds data (stop the app first)"
    )
    restoring.set_defaults(func=cmd_restore)

    sub.add_parser(
        "check", help="print the effective settings (secrets masked); exit 2 naming each invalid one"
    ).set_defaults(func=cmd_check)
    return parser


def main(argv: list[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
        configure_logging(log_format(), _log_level())
        if args.func not in (cmd_check, cmd_serve):
            # Every command refuses wrong settings before it touches anything (one line, exit 2);
            # serve reads them itself once it has chosen the default base URL.
            get_settings()
        return int(args.func(args))
    except SettingsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
