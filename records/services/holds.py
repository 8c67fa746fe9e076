"""Legal holds: placing, releasing, and what an open hold keeps out of every purge and anonymization.

A hold names a scope, and the scope reaches further than its own row:

- a person: that person's rows, wherever they are;
- an event: its registrations and check-ins, and so the people registered there
  (anonymizing one of them would rewrite their attendee data for that event);
- a cohort: its enrollments, attendance and certificates, and so its people.

:func:`protected` resolves every open hold to the people, events and cohorts it
keeps; the retention plan and :func:`records.services.anonymize.anonymize_person`
both ask it, so a hold means the same thing to the schedule and to an erasure.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from accounts.audit import trail as audit
from accounts.tables import Person
from events.tables import CheckIn, Event, Registration
from grandrounds.db import now, write_transaction
from programs.tables import AttendanceRecord, Certificate, Cohort, CohortSession, Enrollment
from records import errors
from records.schemas import LegalHoldIn, LegalHoldOut
from records.tables import LegalHold

SCOPE_KINDS = ("person", "event", "cohort")
LARGEST_ID = 2**31 - 1


@dataclass(frozen=True, slots=True)
class HeldScope:
    """One open hold and the people it keeps (for the plan's "protected, and why")."""

    hold_id: int
    reason: str
    scope_kind: str
    scope_id: int
    label: str
    people: frozenset[int]


@dataclass(frozen=True, slots=True)
class Protected:
    """Everything the open holds keep: people, events and cohorts, and the holds themselves."""

    people: frozenset[int] = frozenset()
    events: frozenset[int] = frozenset()
    cohorts: frozenset[int] = frozenset()
    holds: tuple[HeldScope, ...] = field(default_factory=tuple)

    def holds_on(self, person_id: int) -> list[int]:
        return [hold.hold_id for hold in self.holds if person_id in hold.people]


def _ids(rows: Iterable[dict[str, Any]], key: str) -> set[int]:
    return {int(row[key]) for row in rows if row[key] is not None}


async def people_of_events(event_ids: Iterable[int]) -> set[int]:
    """Everyone registered at (or checked in to a session of) these events."""
    events = list(set(event_ids))
    if not events:
        return set()
    registered = await Registration.select(Registration.person).where(Registration.event.is_in(events))
    checked_in = await CheckIn.select(CheckIn.person).where(CheckIn.session.event.is_in(events))
    return _ids(registered, "person") | _ids(checked_in, "person")


async def people_of_cohorts(cohort_ids: Iterable[int]) -> set[int]:
    """Everyone enrolled in these cohorts, certified by them, or with attendance at their sessions."""
    cohorts = list(set(cohort_ids))
    if not cohorts:
        return set()
    enrolled = await Enrollment.select(Enrollment.person).where(Enrollment.cohort.is_in(cohorts))
    certified = await Certificate.select(Certificate.person).where(Certificate.cohort.is_in(cohorts))
    sessions = _ids(
        await CohortSession.select(CohortSession.session).where(CohortSession.cohort.is_in(cohorts)),
        "session",
    )
    attended = (
        await AttendanceRecord.select(AttendanceRecord.person).where(
            AttendanceRecord.session.is_in(list(sessions))
        )
        if sessions
        else []
    )
    return _ids(enrolled, "person") | _ids(certified, "person") | _ids(attended, "person")


async def _open_holds() -> list[dict[str, Any]]:
    return list(await LegalHold.select().where(LegalHold.released_at.is_null()).order_by(LegalHold.id))


async def protected() -> Protected:
    """What every open hold keeps, resolved now (a person registered since is covered too)."""
    holds = await _open_holds()
    if not holds:
        return Protected()
    labels = await _labels(holds)
    scopes: list[HeldScope] = []
    for hold in holds:
        kind, scope_id = hold["scope_kind"], int(hold["scope_id"])
        if kind == "person":
            people = {scope_id}
        elif kind == "event":
            people = await people_of_events([scope_id])
        else:
            people = await people_of_cohorts([scope_id])
        scopes.append(
            HeldScope(
                hold_id=int(hold["id"]),
                reason=hold["reason"],
                scope_kind=kind,
                scope_id=scope_id,
                label=labels.get((kind, scope_id), ""),
                people=frozenset(people),
            )
        )
    return Protected(
        people=frozenset(p for scope in scopes for p in scope.people),
        events=frozenset(s.scope_id for s in scopes if s.scope_kind == "event"),
        cohorts=frozenset(s.scope_id for s in scopes if s.scope_kind == "cohort"),
        holds=tuple(scopes),
    )


async def holds_on_person(person_id: int) -> list[LegalHoldOut]:
    """The open holds whose scope covers this person: their own, or an event or cohort they are part of."""
    holds = await _open_holds()
    covering: list[dict[str, Any]] = []
    for hold in holds:
        kind, scope_id = hold["scope_kind"], int(hold["scope_id"])
        if kind == "person":
            covers = scope_id == person_id
        elif kind == "event":
            covers = person_id in await people_of_events([scope_id])
        else:
            covers = person_id in await people_of_cohorts([scope_id])
        if covers:
            covering.append(hold)
    labels = await _labels(covering)
    return [_out(hold, labels) for hold in covering]


async def _labels(holds: list[dict[str, Any]]) -> dict[tuple[str, int], str]:
    """What each hold's scope is called now, in one query per kind."""
    wanted: dict[str, set[int]] = {kind: set() for kind in SCOPE_KINDS}
    for hold in holds:
        wanted[hold["scope_kind"]].add(int(hold["scope_id"]))
    labels: dict[tuple[str, int], str] = {}
    if wanted["person"]:
        for row in await Person.select(Person.id, Person.name).where(Person.id.is_in(list(wanted["person"]))):
            labels[("person", row["id"])] = row["name"]
    if wanted["event"]:
        for row in await Event.select(Event.id, Event.title).where(Event.id.is_in(list(wanted["event"]))):
            labels[("event", row["id"])] = row["title"]
    if wanted["cohort"]:
        for row in await Cohort.select(Cohort.id, Cohort.name).where(Cohort.id.is_in(list(wanted["cohort"]))):
            labels[("cohort", row["id"])] = row["name"]
    return labels


def _out(row: dict[str, Any], labels: dict[tuple[str, int], str]) -> LegalHoldOut:
    return LegalHoldOut(
        id=row["id"],
        reason=row["reason"],
        scope_kind=row["scope_kind"],
        scope_id=row["scope_id"],
        scope_label=labels.get((row["scope_kind"], int(row["scope_id"])), ""),
        placed_by=row["placed_by"],
        placed_at=row["placed_at"],
        released_by=row["released_by"],
        released_at=row["released_at"],
        active=row["released_at"] is None,
    )


async def list_holds() -> list[LegalHoldOut]:
    """Every hold, open ones first, newest first within each."""
    rows = list(await LegalHold.select().order_by(LegalHold.id, ascending=False))
    rows.sort(key=lambda row: row["released_at"] is not None)
    labels = await _labels(rows)
    return [_out(row, labels) for row in rows]


def _reason(text: str) -> str:
    reason = " ".join(text.split())
    if not reason:
        raise errors.reason_blank()
    if len(reason) > errors.REASON_LIMIT:
        raise errors.reason_too_long()
    return reason


async def _scope_exists(kind: str, scope_id: int) -> bool:
    if not 1 <= scope_id <= LARGEST_ID:
        return False
    if kind == "person":
        return bool(await Person.exists().where(Person.id == scope_id))
    if kind == "event":
        return bool(await Event.exists().where(Event.id == scope_id))
    return bool(await Cohort.exists().where(Cohort.id == scope_id))


async def place(data: LegalHoldIn, placed_by: int | None) -> LegalHoldOut:
    """Open a hold; from this moment the schedule and erasures leave its scope alone."""
    reason = _reason(data.reason)
    kind = data.scope_kind.strip().lower()
    if kind not in SCOPE_KINDS:
        raise errors.scope_kind_unknown()
    async with write_transaction():
        if not await _scope_exists(kind, data.scope_id):
            raise errors.scope_not_found(kind)
        rows = await LegalHold.insert(
            LegalHold(reason=reason, scope_kind=kind, scope_id=data.scope_id, placed_by=placed_by)
        ).returning(LegalHold.id)
        hold_id = int(rows[0]["id"])
        await audit.record(
            "legal_hold.place",
            "legal_hold",
            hold_id,
            after={"reason": reason, "scope_kind": kind, "scope_id": data.scope_id},
            subject_id=data.scope_id if kind == "person" else None,
        )
    return await hold_out(hold_id)


async def release(hold_id: int, released_by: int | None) -> LegalHoldOut:
    """Close a hold; what it kept is subject to the schedule again from the next run."""
    async with write_transaction():
        row = (
            await LegalHold.select().where(LegalHold.id == hold_id).first() if hold_id <= LARGEST_ID else None
        )
        if row is None:
            raise errors.hold_not_found()
        stamp = now()
        released = await (
            LegalHold.update({LegalHold.released_at: stamp, LegalHold.released_by: released_by})
            .where((LegalHold.id == hold_id) & LegalHold.released_at.is_null())
            .returning(LegalHold.id)
        )
        if not released:
            raise errors.already_released()
        await audit.record(
            "legal_hold.release",
            "legal_hold",
            hold_id,
            before={"released_at": None},
            after={"released_at": stamp},
            subject_id=row["scope_id"] if row["scope_kind"] == "person" else None,
            details={"reason": row["reason"], "scope_kind": row["scope_kind"], "scope_id": row["scope_id"]},
        )
    return await hold_out(hold_id)


async def hold_out(hold_id: int) -> LegalHoldOut:
    row = await LegalHold.select().where(LegalHold.id == hold_id).first()
    if row is None:
        raise errors.hold_not_found()
    return _out(row, await _labels([row]))
