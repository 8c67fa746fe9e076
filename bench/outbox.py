"""The outbox over real processes: messages/s from `grandrounds worker` to a local SMTP server.

In a scratch database, ``--messages``/2 members register for one free webinar
through the registration service, which queues what a registration queues in
production: the confirmation email and the calendar invite (about
``--messages`` rows). An SMTP server (aiosmtpd's Sink, its own process)
listens on loopback; `grandrounds worker` (its own process) delivers the
outbox to it. The rate is the messages sent over the span of their
``sent_at`` stamps (the worker's start-up is not in it).

Then the same messages, built by the dispatcher's own build_email() ahead of
time, are sent with aiosmtplib in a bare loop from this process: one
connection per message (as the app's SMTP transport does) and all over one
connection. Prints the rates, the ratio and the targets (bench/README.md).

    .venv/bin/python bench/outbox.py [--db pg|sqlite] [--messages 2000]
"""

from __future__ import annotations

import argparse
import asyncio
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import harness

TARGET_PER_S = 300
TARGET_RATIO = 2.0


async def queue(db: harness.Database, messages: int) -> int:
    """Registrations that queue about ``messages`` emails; how many rows are pending."""
    from accounts.principal import Principal, Role
    from bench import seed as seeding
    from events.services.registration import registering
    from notifications.tables import OutboxMessage

    people = max(1, messages // 2)
    (event,) = await seeding.free_webinars(1, people + 10, "outbox")
    async with seeding.Bulk(db) as bulk:
        ids, _ = await seeding.people(bulk, "mail", people, tokens=False)
    for n, pid in enumerate(ids):
        who = Principal(pid, f"mail-{n}@bench.example.org", f"Bench mail {n}", frozenset({Role.MEMBER}),
                        via="token", credential_id=0)  # fmt: skip
        await registering.register(who, event, payments_open=False)
    # The staff's own mail from making the event is not part of the figure.
    await OutboxMessage.delete().where(OutboxMessage.recipient.not_like("mail-%"))
    return await OutboxMessage.count().where(OutboxMessage.status == "pending")


async def delivered() -> tuple[int, datetime | None, datetime | None]:
    from notifications.tables import OutboxMessage

    rows = await OutboxMessage.select(OutboxMessage.sent_at).where(OutboxMessage.status == "sent")
    stamps = [r["sent_at"] for r in rows]
    return len(stamps), min(stamps, default=None), max(stamps, default=None)


async def failed() -> int:
    from notifications.tables import OutboxMessage

    return await OutboxMessage.count().where(OutboxMessage.status == "failed")


async def built_messages() -> list[Any]:
    """The sent rows as the dispatcher builds them (for the bare loop)."""
    from grandrounds.settings import get_settings
    from notifications.dispatcher import build_email
    from notifications.tables import OutboxMessage

    rows = await OutboxMessage.select().where(OutboxMessage.status == "sent").order_by(OutboxMessage.id)
    return [await build_email(row, get_settings()) for row in rows]


async def bare_loop(messages: list[Any], port: int, *, one_connection: bool) -> float:
    """Seconds to send ``messages`` with aiosmtplib alone."""
    import aiosmtplib

    began = time.perf_counter()
    if one_connection:
        async with aiosmtplib.SMTP(hostname="127.0.0.1", port=port, start_tls=False) as smtp:
            for message in messages:
                await smtp.send_message(message)
    else:
        for message in messages:
            await aiosmtplib.send(message, hostname="127.0.0.1", port=port, start_tls=False)
    return time.perf_counter() - began


def wait_for(count: int, worker: subprocess.Popen[bytes], log: Path, within: float) -> None:
    """Until ``count`` messages are sent (the worker marks each row); polls the database."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        sent, _, _ = asyncio.run(delivered())
        if sent + asyncio.run(failed()) >= count:
            return
        if worker.poll() is not None:
            raise SystemExit(f"the worker exited early:\n{log.read_text()[-3000:]}")
        time.sleep(0.2)  # another process is working: nothing to wait on but the table
    raise SystemExit(f"only {asyncio.run(delivered())[0]} of {count} messages sent in {within:.0f} s")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["pg", "sqlite"], default="pg")
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--within", type=float, default=900, help="seconds to wait for the worker")
    args = parser.parse_args()

    with harness.scratch_database(args.db, "outbox") as db:
        harness.migrate(db)
        harness.use_database(db)
        from grandrounds.server.wiring import wire_all

        wire_all()
        pending = asyncio.run(queue(db, args.messages))
        port = harness.free_port()
        sink = subprocess.Popen(
            [sys.executable, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{port}",
             "-c", "aiosmtpd.handlers.Sink"],
            cwd=harness.ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        log = db.var_dir / "worker.log"
        env = harness.app_env(db, SMTP_HOST="127.0.0.1", SMTP_PORT=str(port), SMTP_SECURITY="none")
        try:
            with log.open("ab") as out:
                worker = subprocess.Popen(
                    [sys.executable, "-m", "grandrounds.server.cli", "worker"],
                    env=env, cwd=harness.ROOT, stdout=out, stderr=subprocess.STDOUT,
                )  # fmt: skip
            try:
                wait_for(pending, worker, log, args.within)
            finally:
                worker.terminate()
                worker.wait(timeout=60)
            sent, first, last = asyncio.run(delivered())
            lost = asyncio.run(failed())
            span = (last - first).total_seconds() if first and last else 0.0
            rate = (sent - 1) / span if span > 0 else 0.0
            messages = asyncio.run(built_messages())
            each = asyncio.run(bare_loop(messages, port, one_connection=False))
            one = asyncio.run(bare_loop(messages, port, one_connection=True))
        finally:
            sink.terminate()
            sink.wait(timeout=30)
    each_rate, one_rate = len(messages) / each, len(messages) / one
    print(f"outbox of {pending} messages on {db.engine} to a local SMTP server (aiosmtpd Sink)")
    print(
        f"  grandrounds worker          {rate:.0f} messages/s ({sent} sent, {lost} failed, "
        f"over {span:.2f} s)   (target: at least {TARGET_PER_S}/s)"
    )
    print(f"  aiosmtplib bare loop        {each_rate:.0f} messages/s (a connection per message, as the app)")
    print(f"  aiosmtplib, one connection  {one_rate:.0f} messages/s")
    ratio = each_rate / rate if rate else 0.0
    print(f"  ratio bare loop/worker: {ratio:.1f}x   (target: within {TARGET_RATIO:.0f}x)")
    return 0 if sent == pending and not lost else 1


if __name__ == "__main__":
    raise SystemExit(main())
