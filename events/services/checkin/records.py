"""Check-in: staff record that a confirmed registrant was at a session, once per (session, registration).

The unique index on (session, registration) is what makes a check-in
idempotent: a second scan of the same ticket, even a simultaneous one, finds
the standing record instead of making another. The loser of a race catches the
unique violation (after its transaction has rolled back) and reports the
standing check-in as ``already``.

Undoing a check-in moves the row to ``CheckInRemoval`` together with who
removed it, when and why: ``CheckIn`` stays the plain list of people who were
there (attendance and CME credit read it as is) and the mistake stays on
record.

A person never checks themselves in here, staff included: that is what the
session's rotating code is for (``checkin_codes``), so attendance that earns
credit is always witnessed by someone else or by presence in the room.

The ticket code is a credential: it is looked up, never logged, never echoed
in an error, never put in a URL.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from accounts.audit import trail as audit
from accounts.principal import Principal
from accounts.tables import Person
from events import errors
from events.registration_status import RegistrationStatus
from events.schemas import AttendeeOut, CheckInOut, CheckInRemovalOut, SessionCheckIns
from events.services.access import session_for_staff
from events.services.tickets import new_ticket_code
from events.tables import CheckIn, CheckInRemoval, Event, Registration, Session
from grandrounds.db import contains_any, now, unique_violation, write_transaction

# How the check-in was made: found by name/email, ticket code typed by hand,
# ticket QR scanned, or the person's own entry of the session's rotating code.
METHODS = ("search", "code", "qr", "self")


async def session_and_event(session_id: int) -> tuple[dict[str, Any], dict[str, Any]]:
    session = await Session.select().where(Session.id == session_id).first()
    if session is None:
        raise errors.session_not_found()
    event = await Event.select().where(Event.id == session["event"]).first()
    if event is None:  # pragma: no cover - the foreign key forbids it
        raise errors.session_not_found()
    return session, event


def ensure_not_cancelled(session: dict[str, Any], event: dict[str, Any]) -> None:
    if session["status"] == "cancelled" or event["status"] == "cancelled":
        raise errors.checkin_session_cancelled()


def covers(session_id: int) -> Any:
    """Registrations that give a place at this session: the whole event's, or this session's own."""
    return Registration.session.is_null() | (Registration.session == session_id)


def check_eligible(registration: dict[str, Any], session: dict[str, Any]) -> None:
    """Raise unless this registration may be checked in to this session."""
    if registration["session"] is not None and registration["session"] != session["id"]:
        raise errors.checkin_wrong_session()
    if registration["status"] != RegistrationStatus.CONFIRMED:
        raise errors.checkin_not_confirmed(registration["status"])


def _registration_query() -> Any:
    return Registration.select(
        Registration.id,
        Registration.event,
        Registration.session,
        Registration.person,
        Registration.status,
        Registration.person.name.as_alias("name"),
    )


async def _standing(session_id: int, registration_id: int) -> dict[str, Any] | None:
    row: dict[str, Any] | None = (
        await CheckIn.select()
        .where((CheckIn.session == session_id) & (CheckIn.registration == registration_id))
        .first()
    )
    return row


def _out(row: dict[str, Any], name: str, already: bool) -> CheckInOut:
    return CheckInOut(
        session_id=row["session"],
        registration_id=row["registration"],
        person_id=row["person"],
        name=name,
        method=row["method"],
        at=row["at"],
        by_person_id=row["by_person"],
        already=already,
    )


async def record_once(
    session: dict[str, Any],
    registration: dict[str, Any],
    method: str,
    by_person: int | None,
    *,
    by_staff: bool = False,
) -> CheckInOut:
    """Record the check-in unless it stands already; either way answer with the standing record.

    ``by_staff``: staff checked the person in, which the audit trail records (one row,
    even when a simultaneous scan got there first); a self check-in is the person's own
    act and is not audited.
    """
    assert method in METHODS
    with unique_violation():
        async with write_transaction():
            # Re-read inside the transaction: a cancellation may have landed since.
            fresh = await _registration_query().where(Registration.id == registration["id"]).first()
            if fresh is None:  # pragma: no cover - registrations are never deleted
                raise errors.registration_not_found()
            check_eligible(fresh, session)
            existing = await _standing(session["id"], fresh["id"])
            if existing is not None:
                if by_staff:
                    await _audit_check_in(existing, already=True)
                return _out(existing, fresh["name"], already=True)
            row = (
                await CheckIn.insert(
                    CheckIn(
                        session=session["id"],
                        registration=fresh["id"],
                        person=fresh["person"],
                        method=method,
                        by_person=by_person,
                        at=now(),
                    )
                ).returning(*CheckIn.all_columns())
            )[0]
            if by_staff:
                await _audit_check_in(row)
            return _out(row, fresh["name"], already=False)
    # A simultaneous scan of the same ticket won; report its record.
    existing = await _standing(session["id"], registration["id"])
    if existing is None:  # pragma: no cover - it was undone in the same instant
        raise errors.checkin_not_found()
    return _out(existing, registration["name"], already=True)


async def check_in(
    principal: Principal,
    session_id: int,
    *,
    registration_id: int | None = None,
    ticket_code: str | None = None,
    method: str = "qr",
) -> CheckInOut:
    """Staff check a registrant in: by registration id (after a search) or by ticket code (scanned, typed)."""
    if (registration_id is None) == (ticket_code is None):
        raise errors.checkin_target_required()
    session, event = await session_for_staff(principal, session_id)
    ensure_not_cancelled(session, event)
    query = _registration_query()
    if registration_id is not None:
        registration = await query.where(
            (Registration.id == registration_id) & (Registration.event == event["id"])
        ).first()
        if registration is None:
            raise errors.registration_not_found()
        method = "search"
    else:
        code = (ticket_code or "").strip()
        registration = await query.where(
            (Registration.ticket_code == code) & (Registration.event == event["id"])
        ).first()
        if registration is None or not code:
            raise errors.checkin_code_unknown()
        method = method if method in ("qr", "code") else "qr"
    if registration["person"] == principal.person_id:
        raise errors.checkin_own_ticket()
    check_eligible(registration, session)
    standing = await _standing(session["id"], registration["id"])
    if standing is not None:
        # A second scan of a checked-in ticket: answered without writing, so nothing to record.
        return _out(standing, registration["name"], already=True)
    return await record_once(session, registration, method, principal.person_id, by_staff=True)


async def _audit_check_in(row: dict[str, Any], *, already: bool = False) -> None:
    """The staff check-in's audit row, on the registration and naming whose it is.

    ``already``: the check-in stood before this request's transaction (a simultaneous
    scan won), so nothing changed and the row says so.
    """
    standing = {"checked_in_at": row["at"], "method": row["method"]}
    await audit.record(
        "registration.check_in",
        "registration",
        row["registration"],
        subject_id=row["person"],
        before=standing if already else None,
        after=standing,
        details={"session_id": row["session"], **({"already": True} if already else {})},
    )


async def undo(
    principal: Principal, session_id: int, registration_id: int, reason: str = ""
) -> CheckInRemovalOut:
    """Take back a mistaken check-in; the removed record is kept with who removed it."""
    await session_for_staff(principal, session_id)
    async with write_transaction():
        removed = (
            await CheckIn.delete()
            .where((CheckIn.session == session_id) & (CheckIn.registration == registration_id))
            .returning(*CheckIn.all_columns())
        )
        if not removed:
            raise errors.checkin_not_found()
        row = removed[0]
        why = " ".join(reason.split())[:200]
        removal = CheckInRemoval(
            session=row["session"],
            registration=row["registration"],
            person=row["person"],
            method=row["method"],
            checked_in_by=row["by_person"],
            checked_in_at=row["at"],
            removed_by=principal.person_id,
            removed_at=now(),
            reason=why,
        )
        await CheckInRemoval.insert(removal)
        await audit.record(
            "registration.check_in.undo",
            "registration",
            row["registration"],
            subject_id=row["person"],
            before={"checked_in_at": row["at"], "method": row["method"]},
            details={"session_id": row["session"], "reason": why},
        )
    return (await _removals(session_id, registration_id))[-1]


async def _removals(session_id: int, registration_id: int | None = None) -> list[CheckInRemovalOut]:
    condition: Any = CheckInRemoval.session == session_id
    if registration_id is not None:
        condition = condition & (CheckInRemoval.registration == registration_id)
    rows = (
        await CheckInRemoval.select(
            *CheckInRemoval.all_columns(), CheckInRemoval.person.name.as_alias("name")
        )
        .where(condition)
        .order_by(CheckInRemoval.id)
    )
    return [
        CheckInRemovalOut(
            session_id=r["session"],
            registration_id=r["registration"],
            person_id=r["person"],
            name=r["name"],
            method=r["method"],
            checked_in_at=r["checked_in_at"],
            checked_in_by=r["checked_in_by"],
            removed_by=r["removed_by"],
            removed_at=r["removed_at"],
            reason=r["reason"],
        )
        for r in rows
    ]


async def confirmed_count(session_id: int, event_id: int) -> int:
    return int(
        await Registration.count().where(
            (Registration.event == event_id)
            & (Registration.status == RegistrationStatus.CONFIRMED)
            & covers(session_id)
        )
    )


async def session_checkins(principal: Principal, session_id: int) -> SessionCheckIns:
    """Who is checked in (and which check-ins were taken back), for staff."""
    _, event = await session_for_staff(principal, session_id)
    rows = (
        await CheckIn.select(*CheckIn.all_columns(), CheckIn.person.name.as_alias("name"))
        .where(CheckIn.session == session_id)
        .order_by(CheckIn.at)
    )
    return SessionCheckIns(
        session_id=session_id,
        confirmed=await confirmed_count(session_id, event["id"]),
        checked_in=len(rows),
        items=[_out(r, r["name"], already=False) for r in rows],
        removals=await _removals(session_id),
    )


async def search_attendees(
    principal: Principal, session_id: int, q: str = "", limit: int = 50, confirmed_only: bool = False
) -> list[AttendeeOut]:
    """Registrants of this session by name or email (any status, so staff can say why someone can't enter)."""
    _, event = await session_for_staff(principal, session_id)
    q = " ".join(q.split())[:200]
    condition: Any = (Registration.event == event["id"]) & covers(session_id)
    if confirmed_only:
        condition = condition & (Registration.status == RegistrationStatus.CONFIRMED)
    if q:
        matching = Person.select(Person.id).where(contains_any(("name", "email"), q))
        condition = condition & Registration.person.is_in(matching)
    rows = (
        await Registration.select(
            Registration.id,
            Registration.person,
            Registration.status,
            Registration.email_key,
            Registration.person.name.as_alias("name"),
        )
        .where(condition)
        .order_by(Registration.person.name)
        .limit(limit)
    )
    checked = {
        c["registration"]: c["at"]
        for c in await CheckIn.select(CheckIn.registration, CheckIn.at).where(
            (CheckIn.session == session_id) & CheckIn.registration.is_in([r["id"] for r in rows] or [0])
        )
    }
    return [
        AttendeeOut(
            registration_id=r["id"],
            person_id=r["person"],
            name=r["name"],
            email=r["email_key"],
            status=r["status"],
            checked_in_at=checked.get(r["id"]),
        )
        for r in rows
    ]


@dataclass(frozen=True, slots=True)
class Ticket:
    """What the registrant's own ticket page shows; ``code`` only for a confirmed registration."""

    registration_id: int
    status: str
    name: str
    event_title: str
    event_time_zone: str
    starts_at: datetime
    ends_at: datetime
    venue: str
    code: str | None


async def _issue_ticket_code(registration_id: int) -> str | None:
    """Give a confirmed registration without a ticket code its code (first writer wins); return it."""
    async with write_transaction():
        await Registration.update({Registration.ticket_code: new_ticket_code()}).where(
            (Registration.id == registration_id)
            & Registration.ticket_code.is_null()
            & (Registration.status == RegistrationStatus.CONFIRMED)
        )
    row = (
        await Registration.select(Registration.ticket_code).where(Registration.id == registration_id).first()
    )
    return row["ticket_code"] if row else None


async def ticket(principal: Principal, registration_id: int) -> Ticket:
    """The registrant's own ticket; anyone else (staff included) learns nothing, not even that it exists."""
    row = (
        await Registration.select(
            Registration.id,
            Registration.person,
            Registration.status,
            Registration.ticket_code,
            Registration.person.name.as_alias("name"),
            Registration.event.title.as_alias("event_title"),
            Registration.event.time_zone.as_alias("time_zone"),
            Registration.event.starts_at.as_alias("starts_at"),
            Registration.event.ends_at.as_alias("ends_at"),
            Registration.event.venue.as_alias("venue"),
        )
        .where(Registration.id == registration_id)
        .first()
    )
    if row is None or row["person"] != principal.person_id:
        raise errors.registration_not_found()
    code = row["ticket_code"]
    if row["status"] == RegistrationStatus.CONFIRMED and not code:
        code = await _issue_ticket_code(registration_id)
    return Ticket(
        registration_id=row["id"],
        status=row["status"],
        name=row["name"],
        event_title=row["event_title"],
        event_time_zone=row["time_zone"],
        starts_at=row["starts_at"],
        ends_at=row["ends_at"],
        venue=row["venue"],
        code=code if row["status"] == RegistrationStatus.CONFIRMED else None,
    )
