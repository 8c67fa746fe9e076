"""The roster: who registered for an event, for the staff who run it.

A roster is personal data (names, emails, degrees, payment state), so every
read goes through ``event_for_staff``: staff of the event's program and
admins only; an unknown event is 404 and someone else's is 403.

The CSV export is opened in spreadsheets, where a cell that starts with
= + - @ (or a tab or carriage return) is run as a formula; such cells get a
leading apostrophe so a name like "=HYPERLINK(...)" stays text.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import Any

from accounts.audit import trail as audit
from accounts.principal import Principal
from accounts.tables import Person
from events import errors
from events.registration_status import RegistrationStatus
from events.schemas import RosterEntry, RosterPage
from events.services.access import event_for_staff
from events.services.catalogue import MAX_WORDS
from events.tables import CheckIn, Registration
from grandrounds.db import contains_any
from grandrounds.errors import request_invalid
from grandrounds.spreadsheets import safe_cell

STATUSES = tuple(status.value for status in RegistrationStatus)
MAX_LIMIT = 500
CSV_COLUMNS = (
    "registration_id",
    "name",
    "email",
    "degree",
    "status",
    "ticket_type",
    "session",
    "amount_minor",
    "currency",
    "registered_at",
    "checked_in",
)


@dataclass(frozen=True, slots=True)
class RosterQuery:
    status: str | None = None
    q: str = ""
    limit: int = 50
    offset: int = 0


def parse_query(
    status: str | None = None, q: str | None = None, limit: int = 50, offset: int = 0
) -> RosterQuery:
    status = (status or "").strip() or None
    if status is not None and status not in STATUSES:
        raise errors.roster_status_unknown(STATUSES)
    words = " ".join((q or "").split())
    if len(words) > 200:
        raise errors.roster_query_too_long()
    if not 1 <= limit <= MAX_LIMIT or offset < 0:
        raise request_invalid(f"limit must be 1 to {MAX_LIMIT} and offset at least 0.", {"field": "limit"})
    return RosterQuery(status, words, limit, offset)


def _condition(event_id: int, query: RosterQuery) -> Any:
    condition: Any = Registration.event == event_id
    if query.status:
        condition &= Registration.status == query.status
    for word in query.q.split()[:MAX_WORDS]:
        people = Person.select(Person.id).where(contains_any(("name", "email"), word))
        condition &= Registration.person.is_in(people)
    return condition


_COLUMNS = (
    Registration.id,
    Registration.person,
    Registration.status,
    Registration.created_at,
    Registration.offer_expires_at,
    Registration.amount,
    Registration.currency,
    Registration.email_key,
    Registration.person.name.as_alias("name"),
    Registration.person.email.as_alias("email"),
    Registration.person.degree.as_alias("degree"),
    Registration.ticket_type.name.as_alias("ticket_type_name"),
    Registration.session.title.as_alias("session_title"),
)


async def _entries(event_id: int, query: RosterQuery, *, paged: bool) -> tuple[list[RosterEntry], int]:
    condition = _condition(event_id, query)
    select = (
        Registration.select(*_COLUMNS)
        .where(condition)
        .order_by(Registration.created_at)
        .order_by(Registration.id)
    )
    if paged:
        select = select.limit(query.limit).offset(query.offset)
    rows = await select
    checked: set[int] = set()
    if rows:
        found = await CheckIn.select(CheckIn.registration).where(
            CheckIn.registration.is_in([r["id"] for r in rows])
        )
        checked = {c["registration"] for c in found}
    entries = [
        RosterEntry(
            registration_id=r["id"],
            person_id=r["person"],
            name=r["name"] or "",
            email=r["email"] or r["email_key"],
            degree=r["degree"] or "",
            status=r["status"],
            registered_at=r["created_at"],
            offer_expires_at=r["offer_expires_at"],
            ticket_type=r["ticket_type_name"] or "",
            session=r["session_title"] or "",
            amount=r["amount"],
            currency=r["currency"],
            checked_in=r["id"] in checked,
        )
        for r in rows
    ]
    return entries, await Registration.count().where(condition)


async def roster(principal: Principal, event_id: int, query: RosterQuery) -> RosterPage:
    await event_for_staff(principal, event_id)
    entries, total = await _entries(event_id, query, paged=True)
    return RosterPage(items=entries, total=total, limit=query.limit, offset=query.offset)


async def roster_csv(principal: Principal, event_id: int, query: RosterQuery) -> str:
    """Every registration matching the filters (limit and offset do not apply), as CSV.

    Personal data leaving the system: every download is on the audit trail, with how many rows.
    """
    await event_for_staff(principal, event_id)
    entries, _ = await _entries(event_id, query, paged=False)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for e in entries:
        texts = (e.name, e.email, e.degree, e.status, e.ticket_type, e.session)
        writer.writerow(
            [
                e.registration_id,
                *(safe_cell(t) for t in texts),
                e.amount,
                e.currency,
                e.registered_at.isoformat(),
                "yes" if e.checked_in else "no",
            ]
        )
    await audit.record_export(
        "export.roster_csv",
        "event",
        event_id,
        rows=len(entries),
        details={"event_id": event_id, "status": query.status, "filtered": bool(query.q)},
    )
    return out.getvalue()
