"""Data-rights tests: one person with a bit of everything (places, payments, credits, a certificate).

Paid places are written the way settlement leaves them (a confirmed registration and its
ledger lines, through billing's ``record``); credits come from a cohort the person attends.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import httpx

from accounts.principal import Role
from events.tables import Registration, Session
from grandrounds.db import now
from tests.builders.cohorts import make_world
from tests.builders.events import published_event, register
from tests.builders.finance import ledger_row, program_event
from tests.builders.people import Actor, make_actor
from tests.builders.refunds import certify

PRICE = 1999
FEE = -88


@dataclass
class Someone:
    """A person and what the site holds about them, by id."""

    actor: Actor
    registrations: list[int] = field(default_factory=list)
    paid: list[int] = field(default_factory=list)
    ticket_codes: list[str] = field(default_factory=list)
    certificate_code: str = ""
    cohort_sessions: list[int] = field(default_factory=list)


async def paid_registration(person: Actor, title: str = "Paid grand rounds", amount: int = PRICE) -> int:
    """A confirmed, paid place: the registration and its charge and fee in the ledger."""
    _, event_id = await program_event(title, datetime.now(UTC).replace(microsecond=0) + timedelta(days=20))
    code = f"TKT{event_id:06d}SECRET"
    rows = await Registration.insert(
        Registration(
            event=event_id,
            person=person.id,
            email_key=person.email,
            status="confirmed",
            amount=amount,
            currency="USD",
            price_tier="member",
            ticket_code=code,
        )
    ).returning(Registration.id)
    registration_id = int(rows[0]["id"])
    charge = f"ch_{registration_id}_test"
    await ledger_row(
        kind="charge",
        amount=amount,
        currency="USD",
        stripe_id=charge,
        occurred_at=now(),
        registration_id=registration_id,
    )
    await ledger_row(
        kind="fee",
        amount=FEE,
        currency="USD",
        stripe_id=f"txn_{registration_id}_fee",
        stripe_charge_id=charge,
        occurred_at=now(),
        registration_id=registration_id,
    )
    return registration_id


async def someone_with_everything(client: httpx.AsyncClient, paid: int = 2) -> Someone:
    """An MD member with a free place (registered through the API), ``paid`` paid places, a cohort
    whose three sessions they attended, and a certificate."""
    person = Someone(await make_actor(Role.MEMBER, degree="MD"))
    free = await register(client, await published_event(client), person.actor)
    person.registrations.append(int(free["id"]))
    for n in range(paid):
        registration_id = await paid_registration(person.actor, title=f"Paid grand rounds {n}")
        person.paid.append(registration_id)
        person.registrations.append(registration_id)
    world = await make_world(client, residents=0)
    enrolled = await world.api(
        "POST", f"/api/v1/cohorts/{world.cohort_id}/enrollments", json={"person_id": person.actor.id}
    )
    assert enrolled.status_code == 201, enrolled.text
    for session_id in world.sessions:
        await world.mark(session_id, person.actor, "Present", minutes=60)
    person.cohort_sessions = list(world.sessions)
    person.certificate_code = await certify(await _event_of_session(world.sessions[0]), person.actor.id)
    return person


async def _event_of_session(session_id: int) -> int:
    row = await Session.select(Session.event).where(Session.id == session_id).first()
    assert row is not None
    return int(row["event"])
