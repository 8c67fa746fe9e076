"""Deliver what the outbox holds, after commit, with retries and backoff.

Each row is claimed by one worker for a lease (``claimed_until``): on
PostgreSQL with ``FOR UPDATE SKIP LOCKED`` so several workers share the queue
without waiting on each other; on SQLite inside an IMMEDIATE transaction, which
serialises claimers. A row is marked sent right after its own delivery, so a
worker killed mid-batch leaves the rest pending, and a dead worker's lease runs
out and another worker takes the rows over.

The dispatcher also runs the chores of other packages (``notifications.chores``:
each on its own schedule, under a lease, once per interval for the cluster).
``run_forever`` keeps mail and chores in two tasks, so a slow chore (a Stripe
call, a large retention run) never holds a message back.

Asked to stop (``grandrounds worker`` on SIGTERM or SIGINT, the app at
shutdown), a dispatcher finishes the message it is sending, marks it, hands
back the rest of its batch at once (no lease to wait out), and returns; a
chore in progress is cancelled (its open transaction rolls back, and the chore
is due again after the shorter of its interval and its lease).

A queued calendar invite is a reference (see notifications.invites); it is
turned into its calendar object here, from the rows as they are now. The same
UPDATE that closes a row (sent, or given up) blanks the context values the
row names as secret, so the record keeps no working link.

Each line about a row carries ``outbox_id`` and the ``request_id`` of the
request that queued it, if a request did (structlog's context), so a message's trail leads back
to the request's own lines. Failed deliveries and chore runs are counted in
grandrounds.metrics.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import socket
import uuid
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import structlog
from jinja2 import TemplateError
from piccolo.engine.postgres import PostgresEngine

from grandrounds import metrics
from grandrounds.db import connection_pool, engine, now, write_transaction
from grandrounds.settings import Settings
from notifications import chores as leases
from notifications import invites
from notifications.chores import ChoreSpec
from notifications.message_status import MessageStatus
from notifications.outbox import redacted
from notifications.rendering import render_email
from notifications.tables import OutboxMessage
from notifications.transports import MailTransport, fill_body, new_message

log = logging.getLogger("grandrounds.dispatcher")

LEASE = timedelta(minutes=5)
MAX_ATTEMPTS = 8
BATCH = 20


def backoff(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min ... capped at 1 h: transient SMTP trouble heals, a dead address gives up."""
    return timedelta(seconds=min(30 * 2 ** max(attempts - 1, 0), 3600))


def new_worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


async def claim_batch(worker_id: str, limit: int = BATCH, lease: timedelta = LEASE) -> list[dict[str, Any]]:
    """Take up to ``limit`` due rows for this worker; nobody else gets them until the lease ends."""
    moment = now()
    due = (
        (OutboxMessage.status == MessageStatus.PENDING)
        & (OutboxMessage.not_before <= moment)
        & (OutboxMessage.claimed_until.is_null() | (OutboxMessage.claimed_until < moment))
    )
    async with write_transaction():
        query = OutboxMessage.select(OutboxMessage.id).where(due).order_by(OutboxMessage.id).limit(limit)
        if isinstance(engine(), PostgresEngine):
            query = query.lock_rows("UPDATE", skip_locked=True)
        ids = [row["id"] for row in await query]
        if not ids:
            return []
        await OutboxMessage.update(
            {
                OutboxMessage.claimed_by: worker_id,
                OutboxMessage.claimed_until: moment + lease,
                OutboxMessage.attempts: OutboxMessage.attempts + 1,
            }
        ).where(OutboxMessage.id.is_in(ids))
        rows: list[dict[str, Any]] = (
            await OutboxMessage.select().where(OutboxMessage.id.is_in(ids)).order_by(OutboxMessage.id)
        )
    return rows


def _context_of(row: dict[str, Any]) -> dict[str, Any]:
    context = row["context"]
    if isinstance(context, str):
        context = json.loads(context or "{}")
    return dict(context)


def _closing(row: dict[str, Any]) -> dict[Any, Any]:
    """The context column's new value when a row is closed: its secrets blanked, if it has any."""
    blanked = redacted(_context_of(row))
    return {} if blanked is None else {OutboxMessage.context: blanked}


async def _renew_lease(message_id: int, worker_id: str, lease: timedelta) -> bool:
    """Re-take a claimed row for a full lease right before sending it; False if the claim lapsed.

    Claims are made a batch at a time, so without this a slow batch could
    outlive its lease and another worker could send the same row meanwhile.
    """
    moment = now()
    async with write_transaction():
        renewed = (
            await OutboxMessage.update({OutboxMessage.claimed_until: moment + lease})
            .where(
                (OutboxMessage.id == message_id)
                & (OutboxMessage.claimed_by == worker_id)
                & (OutboxMessage.status == MessageStatus.PENDING)
                & (OutboxMessage.claimed_until > moment)
            )
            .returning(OutboxMessage.id)
        )
    return bool(renewed)


async def _mark_sent(row: dict[str, Any], worker_id: str) -> None:
    async with write_transaction():
        await OutboxMessage.update(
            {
                OutboxMessage.status: MessageStatus.SENT,
                OutboxMessage.sent_at: now(),
                OutboxMessage.claimed_until: None,
                **_closing(row),
            }
        ).where((OutboxMessage.id == row["id"]) & (OutboxMessage.claimed_by == worker_id))


async def _release_claims(worker_id: str) -> int:
    """Hand back the rows this worker claimed but will not send (it is stopping); how many.

    The claim counted an attempt; a row that was never tried gets it back.
    """
    async with write_transaction():
        released = (
            await OutboxMessage.update(
                {
                    OutboxMessage.claimed_by: None,
                    OutboxMessage.claimed_until: None,
                    OutboxMessage.attempts: OutboxMessage.attempts - 1,
                }
            )
            .where(
                (OutboxMessage.claimed_by == worker_id)
                & (OutboxMessage.status == MessageStatus.PENDING)
                & (OutboxMessage.claimed_until > now())
            )
            .returning(OutboxMessage.id)
        )
    return len(released)


async def _mark_failed(row: dict[str, Any], error: str, permanent: bool) -> None:
    give_up = permanent or row["attempts"] >= MAX_ATTEMPTS
    metrics.delivery_failed(error.partition(":")[0], final=give_up)
    async with write_transaction():
        await OutboxMessage.update(
            {
                OutboxMessage.status: MessageStatus.FAILED if give_up else MessageStatus.PENDING,
                OutboxMessage.last_error: error[:2000],
                OutboxMessage.claimed_until: None,
                OutboxMessage.not_before: now() + backoff(row["attempts"]),
                **(_closing(row) if give_up else {}),
            }
        ).where(OutboxMessage.id == row["id"])


async def build_email(row: dict[str, Any], settings: Settings, blank_secrets: bool = False) -> Any:
    """The message for one row; a queued invite is resolved into its calendar object first.

    With ``blank_secrets`` (a transport that keeps a readable record, the mail log) the
    context values the row names as secret are rendered as ``[redacted]``.
    Raises invites.InviteUnavailable when what the invite is about is gone.
    """
    context = _context_of(row)
    if "invite" in context:
        context = await invites.resolve(context)
    if blank_secrets:
        context = redacted(context) or context
    rendered = render_email(row["template"], context)
    domain = settings.mail_from.rsplit("@", 1)[-1].rstrip(">") or "grandrounds.localhost"
    message = new_message(
        settings.mail_from, row["recipient"], rendered.subject, f"<outbox-{row['id']}@{domain}>"
    )
    fill_body(message, rendered.text, rendered.html, context)
    return message


@dataclass
class Dispatcher:
    transport: MailTransport
    settings: Settings
    worker_id: str
    # Scheduled chores of other packages (e.g. expiring waitlist offers), each run when it is due.
    chores: list[ChoreSpec] = field(default_factory=list)
    # Set by stop(): finish the message being sent, then return from run_once and run_forever.
    stopping: asyncio.Event = field(default_factory=asyncio.Event)

    def stop(self) -> None:
        """Ask the dispatcher to stop after the message it is sending (safe from a signal handler)."""
        if not self.stopping.is_set():
            log.info("dispatcher %s stopping after the current message", self.worker_id)
        self.stopping.set()

    async def deliver(self, row: dict[str, Any]) -> bool:
        """Build, send and mark one claimed row; its lines carry the id of the request that queued it."""
        # A chore's messages were queued by no request: their lines carry no request_id at all.
        trail = {"outbox_id": row["id"]}
        if row.get("request_id"):
            trail["request_id"] = row["request_id"]
        with structlog.contextvars.bound_contextvars(**trail):
            return await self._deliver(row)

    async def _deliver(self, row: dict[str, Any]) -> bool:
        try:
            message = await build_email(row, self.settings, blank_secrets=self.transport.blanks_secrets)
        except invites.InviteUnavailable as exc:
            log.warning("outbox %s cannot be sent: %s", row["id"], exc)
            await _mark_failed(row, f"invite: {exc}", permanent=True)
            return False
        except (TemplateError, KeyError, ValueError) as exc:
            log.error("outbox %s cannot be rendered: %s", row["id"], exc)
            await _mark_failed(row, f"render: {exc}", permanent=True)
            return False
        except Exception as exc:
            # A database hiccup or a missing resolver: worth another try later.
            log.exception("outbox %s could not be built (attempt %s)", row["id"], row["attempts"])
            await _mark_failed(row, f"build: {exc}", permanent=False)
            return False
        try:
            await self.transport.send(message)
        except Exception as exc:
            log.warning("outbox %s delivery failed (attempt %s): %s", row["id"], row["attempts"], exc)
            await _mark_failed(row, f"send: {exc}", permanent=False)
            return False
        await _mark_sent(row, self.worker_id)
        log.info("outbox %s sent (%s)", row["id"], row["template"])
        return True

    async def run_chore(self, spec: ChoreSpec, at: datetime) -> int | None:
        """The one place a chore run starts and ends: take its lease at ``at``, run it, say when it
        is next due. What the run did, or None when another process holds the chore.

        A failing run is logged and retried after the shorter of its interval and its lease.
        """
        if not await leases.take(spec.name, self.worker_id, at, spec.lease):
            return None
        succeeded = False
        try:
            with metrics.chore_run(spec.name):
                done = await spec.run()
            succeeded = True
        except Exception:
            log.exception("chore %s failed", spec.name)
            done = 0
        finally:
            # Also when cancelled (the dispatcher stopping): the chore is then due again soon.
            try:
                await leases.keep_until(spec.name, self.worker_id, spec.next_due(at, succeeded))
            except Exception:
                log.exception(
                    "chore %s: its next run could not be scheduled; its lease will lapse", spec.name
                )
        if done:
            log.info("chore %s did %s", spec.name, done)
        return done

    async def run_chores(self, at: datetime | None = None) -> int:
        """Run every chore that is due at ``at`` (now) and no other process took; how many ran here."""
        moment = at or now()
        ran = 0
        for spec in leases.due(self.chores, await leases.lease_ends(), moment):
            if self.stopping.is_set():
                break
            ran += await self.run_chore(spec, moment) is not None
        return ran

    async def deliver_due(self) -> int:
        """Deliver everything due now (or until asked to stop); the number delivered."""
        delivered = 0
        lease = timedelta(seconds=self.settings.outbox_lease_seconds)
        while not self.stopping.is_set() and (rows := await claim_batch(self.worker_id, lease=lease)):
            for row in rows:
                if self.stopping.is_set():
                    break
                if not await _renew_lease(row["id"], self.worker_id, lease):
                    continue  # a slow batch outlived its lease: the row may be another worker's now
                delivered += await self.deliver(row)
        if self.stopping.is_set():
            released = await _release_claims(self.worker_id)
            if released:
                log.info("dispatcher %s handed back %s claimed message(s)", self.worker_id, released)
        return delivered

    async def run_once(self) -> int:
        """The due chores, then everything due to be sent (``grandrounds worker --once``); the number
        delivered. Chores first, so what they queue goes out in the same pass."""
        if self.stopping.is_set():
            return 0
        await self.run_chores()
        return await self.deliver_due()

    async def _loop(self, what: str, step: Callable[[], Awaitable[int]], poll_seconds: float) -> None:
        while not self.stopping.is_set():
            try:
                await step()
            except asyncio.CancelledError:
                raise
            except Exception:
                # The database away (a restart, a failover) lands here too: the next pass retries.
                log.exception("dispatcher %s pass failed; retrying", what)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.stopping.wait(), timeout=poll_seconds)

    async def run_forever(self, poll_seconds: float = 1.0) -> None:
        """Deliver mail and run chores until stopped, in two tasks: a slow chore never delays mail.

        Returns once the mail task has finished the message it was sending and
        handed back its batch; a chore still running then is cancelled.
        """
        log.info("dispatcher %s started", self.worker_id)
        mail = asyncio.create_task(self._loop("mail", self.deliver_due, poll_seconds), name="dispatcher-mail")
        chores = asyncio.create_task(
            self._loop("chores", self.run_chores, poll_seconds), name="dispatcher-chores"
        )
        try:
            await mail
        finally:
            for task in (chores, mail):
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        log.info("dispatcher %s stopped", self.worker_id)


async def requeue_failed(message_id: int) -> bool:
    """Put a failed message back in the queue, inside the caller's write transaction; False when it
    is not (or no longer) failed, and nothing changed."""
    moved = await (
        OutboxMessage.update(
            {
                OutboxMessage.status: MessageStatus.PENDING,
                OutboxMessage.attempts: 0,
                OutboxMessage.not_before: now(),
            }
        )
        .where((OutboxMessage.id == message_id) & (OutboxMessage.status == MessageStatus.FAILED))
        .returning(OutboxMessage.id)
    )
    return bool(moved)


async def retry_failed(message_id: int) -> bool:
    """Put a failed message back in the queue in a transaction of its own."""
    async with write_transaction():
        return await requeue_failed(message_id)


async def give_up_pending(person_id: int, addresses: Iterable[str], reason: str) -> int:
    """Give up for good every pending message to this person or these addresses; how many.

    For a person who was erased: what was queued for them is never sent. Call it
    inside the caller's write transaction. A message a worker is delivering right
    now may still go out; its own closing write then marks it sent.
    """
    condition = (OutboxMessage.status == MessageStatus.PENDING) & (
        (OutboxMessage.person == person_id) | OutboxMessage.recipient.is_in(list(addresses) or [""])
    )
    given_up = await (
        OutboxMessage.update(
            {
                OutboxMessage.status: MessageStatus.FAILED,
                OutboxMessage.last_error: reason[:2000],
                OutboxMessage.claimed_until: None,
            }
        )
        .where(condition)
        .returning(OutboxMessage.id)
    )
    return len(given_up)


async def run_worker(dispatcher: Dispatcher, once: bool = False) -> None:
    """The body of ``grandrounds worker``: its own PostgreSQL pool, then deliver until stopped."""
    async with connection_pool(dispatcher.settings, most=4):  # asyncpg would open 10
        if once:
            count = await dispatcher.run_once()
            print(f"delivered {count} message(s)")
        else:
            await dispatcher.run_forever()
