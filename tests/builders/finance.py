"""Building blocks for finance tests: money planted in the fake Stripe and in the ledger at chosen times,
and the events, programs and memberships it belongs to."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

import httpx
from litestar import Litestar

from accounts.principal import Role
from accounts.services.credentials import open_session
from accounts.tables import Person
from billing.ledger import Movement, record
from billing.payments.charges import import_charge
from billing.stripe_client import STATE_KEY, StripeAccount
from billing.tables import Membership
from events.tables import Event, Registration
from grandrounds.db import write_transaction
from grandrounds.web.auth import SESSION_COOKIE
from tests.builders.people import Actor, make_actor, make_program
from tests.stripe_server import Account
from tests.stripe_server.account import Obj


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


def at_moment(stripe: Account, moment: datetime) -> None:
    """Stripe's clock reads ``moment`` for the objects created next."""
    stripe.clock_offset = int(moment.timestamp()) - int(time.time())


def charge_at(stripe: Account, moment: datetime, amount: int, currency: str = "usd", **metadata: Any) -> Obj:
    at_moment(stripe, moment)
    return stripe.new_charge(amount, currency, {k: str(v) for k, v in metadata.items()})


def account_of(app: Litestar) -> StripeAccount:
    account: StripeAccount = app.state[STATE_KEY]
    return account


async def imported_charge(
    app: Litestar, stripe: Account, moment: datetime, amount: int, currency: str = "usd", **metadata: Any
) -> Obj:
    """A charge Stripe made at ``moment``, mirrored in the ledger the way webhooks do."""
    charge = charge_at(stripe, moment, amount, currency, **metadata)
    await import_charge(account_of(app), charge["id"])
    return charge


async def ledger_row(**fields: Any) -> None:
    async with write_transaction():
        await record([Movement(**fields)])


async def program_event(title: str, starts_at: datetime, program: int | None = None) -> tuple[int, int]:
    """(program id, event id): an event of a program, starting at ``starts_at``."""
    program = program or await make_program()
    rows = await Event.insert(
        Event(
            kind="webinar",
            title=title,
            time_zone="America/Chicago",
            starts_at=starts_at,
            ends_at=starts_at.replace(hour=(starts_at.hour + 1) % 24),
            capacity=100,
            status="published",
            program=program,
        )
    ).returning(Event.id)
    return program, int(rows[0]["id"])


async def registration(event_id: int, name: str | None = None, amount: int = 0, currency: str = "USD") -> int:
    person = await make_actor(Role.MEMBER)
    if name:
        await Person.update({Person.name: name}).where(Person.id == person.id)
    rows = await Registration.insert(
        Registration(
            event=event_id,
            person=person.id,
            email_key=person.email,
            status="confirmed",
            amount=amount,
            currency=currency,
        )
    ).returning(Registration.id)
    return int(rows[0]["id"])


async def membership(tier: str) -> int:
    person = await make_actor(Role.MEMBER)
    rows = await Membership.insert(
        Membership(tier=tier, person=person.id, status="active", currency="USD")
    ).returning(Membership.id)
    return int(rows[0]["id"])


async def browse_as(client: httpx.AsyncClient, actor: Actor | None) -> None:
    """Use the pages as ``actor`` (a session cookie, as a browser would), or as nobody."""
    client.cookies.clear()
    if actor is not None:
        opened = await open_session(actor.id, 1)
        client.cookies.set(SESSION_COOKIE, opened.secret)
