"""Steps shared by the refund and dispute tests: a paid place, finance, a certificate for it."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

import httpx

from accounts.principal import Role
from billing.tables import LedgerEntry
from events.tables import Event, Session
from grandrounds.db import now
from notifications.tables import OutboxMessage
from programs.tables import Certificate, Cohort, CohortSession
from tests.builders.people import Actor, make_actor
from tests.builders.places import Shop

INVITE_CANCELS = ["session_invite_cancelled", "event_invite_cancelled"]


async def paid_place(shop: Shop, person: Actor | None = None) -> tuple[Actor, dict[str, Any]]:
    """A confirmed place paid through Checkout and the webhook."""
    person, reg = await shop.register(person)
    opened = await shop.checkout(person, reg["id"])
    assert (await shop.deliver(shop.stripe.pay(opened["session_id"]))).json()["outcome"] == "confirmed"
    return person, reg


async def finance() -> Actor:
    return await make_actor(Role.FINANCE)


async def refund(client: httpx.AsyncClient, who: Actor, registration_id: int, **body: Any) -> httpx.Response:
    return await client.post(
        f"/api/v1/registrations/{registration_id}/refunds",
        json={"reason": "asked by the attendee", **body},
        headers=who.headers,
    )


async def mails(template: str | list[str], recipient: str) -> list[dict[str, Any]]:
    templates = [template] if isinstance(template, str) else template
    rows: list[dict[str, Any]] = await OutboxMessage.select().where(
        OutboxMessage.template.is_in(templates) & (OutboxMessage.recipient == recipient)
    )
    for row in rows:  # JSON comes back as text on SQLite
        if isinstance(row["context"], str):
            row["context"] = json.loads(row["context"])
    return rows


async def ledger(registration_id: int) -> list[tuple[str, int]]:
    rows = await LedgerEntry.select(LedgerEntry.kind, LedgerEntry.amount).where(
        LedgerEntry.registration == registration_id
    )
    return sorted((r["kind"], r["amount"]) for r in rows)


async def certify(event_id: int, person_id: int, *, issued_ago: timedelta = timedelta(0)) -> str:
    """A cohort taught through the event's session, and a completion certificate for the person."""
    event = await Event.select(Event.program).where(Event.id == event_id).first()
    session = await Session.select(Session.id).where(Session.event == event_id).first()
    assert event and session
    today = date.today()
    cohort = (
        await Cohort.insert(
            Cohort(program=event["program"], name="Spring cohort", starts_on=today, ends_on=today)
        ).returning(Cohort.id)
    )[0]["id"]
    await CohortSession.insert(CohortSession(cohort=cohort, session=session["id"]))
    code = "ABCD-EFGH-JKMN"
    await Certificate.insert(
        Certificate(
            code=code,
            cohort=cohort,
            person=person_id,
            kind="participation",
            learner_name="Learner",
            program_name="Residency",
            cohort_name="Spring cohort",
            starts_on=today,
            ends_on=today,
            issued_on=today,
            issued_at=now() - issued_ago,
        )
    )
    return code
