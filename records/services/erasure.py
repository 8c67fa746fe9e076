"""Erasure: a person asks to be erased; an admin carries it out (anonymization) or declines with a reason.

A request is always the caller's own: nothing takes a person id from outside. One
request per person may be pending (a partial unique index has the last word on
two clicks at once). Carrying out anonymizes the person through
``records.services.anonymize.anonymize_person`` (which writes ``person.erase``),
unless a legal hold covers them; the outcome names what was kept and why: the
ledger lines (a 7-year accounting duty) and the CME records and certificates (a
6-year accreditation duty) stay, under the person's pseudonym.

Anonymization is one transaction of its own (on SQLite the writer lock is not
re-entrant, so it cannot run inside ours): the request is marked carried out
right after it. A crash between the two leaves the request pending over an
already anonymized person; carrying it out again anonymizes nothing new (the
pseudonym is stable) and marks it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from accounts.audit import trail as audit
from accounts.audit.tables import AuditEntry
from accounts.tables import Person
from billing.tables import LedgerEntry
from grandrounds.db import now, unique_violation, write_transaction
from grandrounds.settings import get_settings
from programs.tables import AttendanceRecord, Certificate
from records import errors
from records.erasure_status import ErasureStatus
from records.schemas import DECLINE_REASON_MAX, ERASURE_REASON_MAX, ErasureOut, HoldLine
from records.services import holds
from records.services.anonymize import anonymize_person, holds_on_person
from records.tables import ErasureRequest


def _years(days: int) -> int:
    """A retention period as people say it (2192 days is 6 years, leap days included)."""
    return days // 365


def _outcome(raw: Any) -> dict[str, Any]:
    if isinstance(raw, str):
        try:
            raw = json.loads(raw or "{}")
        except ValueError:
            return {}
    return raw if isinstance(raw, dict) else {}


async def _names(ids: Iterable[int | None]) -> dict[int, str]:
    wanted = sorted({i for i in ids if i is not None})
    if not wanted:
        return {}
    rows = await Person.select(Person.id, Person.name).where(Person.id.is_in(wanted))
    return {int(r["id"]): str(r["name"]) for r in rows}


def _out(
    row: Mapping[str, Any], names: Mapping[int, str], covering: list[HoldLine] | None = None
) -> ErasureOut:
    decided_by = row["decided_by"]
    return ErasureOut(
        id=int(row["id"]),
        person_id=int(row["person"]),
        person_name=names.get(int(row["person"]), ""),
        reason=str(row["reason"]),
        requested_at=row["requested_at"],
        status=str(row["status"]),
        decided_by=decided_by,
        decided_by_name=names.get(decided_by, "") if decided_by is not None else "",
        decided_at=row["decided_at"],
        outcome=_outcome(row["outcome"]),
        holds=covering or [],
    )


async def _outs(rows: list[dict[str, Any]]) -> list[ErasureOut]:
    names = await _names([r["person"] for r in rows] + [r["decided_by"] for r in rows])
    return [_out(r, names) for r in rows]


async def _row(request_id: int) -> dict[str, Any]:
    row = await ErasureRequest.select().where(ErasureRequest.id == request_id).first()
    if row is None:
        raise errors.erasure_not_found()
    return dict(row)


async def get(request_id: int) -> ErasureOut:
    [out] = await _outs([await _row(request_id)])
    return out


def _clean(text: str, field: str, limit: int) -> str:
    cleaned = text.strip()
    if len(cleaned) > limit:
        raise errors.erasure_text_too_long(field, limit)
    return cleaned


async def ask(person_id: int, reason: str = "", *, named_person: int | None = None) -> ErasureOut:
    """Record the caller's request to be erased (``erasure.request``); 409 while one is pending.

    ``named_person`` is whatever id a client put in the body: any is refused, since a
    request can only be the caller's own.
    """
    if named_person is not None:
        raise errors.erasure_own_only()
    reason = _clean(reason, "reason", ERASURE_REASON_MAX)
    with unique_violation(becomes=errors.erasure_already_pending()):
        async with write_transaction():
            pending = await ErasureRequest.exists().where(
                (ErasureRequest.person == person_id) & (ErasureRequest.status == ErasureStatus.PENDING)
            )
            if pending:
                raise errors.erasure_already_pending()
            inserted = await ErasureRequest.insert(
                ErasureRequest(person=person_id, reason=reason, status=ErasureStatus.PENDING.value)
            ).returning(ErasureRequest.id)
            request_id = int(inserted[0]["id"])
            await audit.record(
                "erasure.request",
                "erasure_request",
                request_id,
                subject_id=person_id,
                after={"status": ErasureStatus.PENDING.value},
                # Whether they gave a reason, not the words: the trail outlives the erasure it asks for.
                details={"reason_given": bool(reason)},
                actor_id=person_id,
            )
    return await get(request_id)


async def of_person(person_id: int) -> list[ErasureOut]:
    """A person's own requests, newest first (the account page and the person's API)."""
    rows = await (
        ErasureRequest.select()
        .where(ErasureRequest.person == person_id)
        .order_by(ErasureRequest.id, ascending=False)
    )
    return await _outs(list(rows))


async def pending_for_admin() -> list[ErasureOut]:
    """Pending requests, oldest first, each with the legal holds that cover its person today."""
    rows = list(
        await ErasureRequest.select()
        .where(ErasureRequest.status == ErasureStatus.PENDING)
        .order_by(ErasureRequest.requested_at)
        .order_by(ErasureRequest.id)
    )
    names = await _names([r["person"] for r in rows])
    # Every open hold resolved once (the people each keeps), not once per request.
    held = await holds.protected()
    return [
        _out(
            row,
            names,
            [HoldLine(id=h.hold_id, reason=h.reason) for h in held.holds if int(row["person"]) in h.people],
        )
        for row in rows
    ]


async def decided_for_admin(limit: int = 50) -> list[ErasureOut]:
    """The latest decisions, newest first."""
    rows = await (
        ErasureRequest.select()
        .where(ErasureRequest.status != ErasureStatus.PENDING)
        .order_by(ErasureRequest.decided_at, ascending=False)
        .limit(limit)
    )
    return await _outs(list(rows))


async def decline(request_id: int, admin_id: int, reason: str) -> ErasureOut:
    """Decline a pending request with the reason the person will read (``erasure.decline``)."""
    reason = _clean(reason, "reason", DECLINE_REASON_MAX)
    if not reason:
        raise errors.erasure_reason_required()
    async with write_transaction():
        row = await _row(request_id)
        if row["status"] != ErasureStatus.PENDING:
            raise errors.erasure_not_pending()
        await ErasureRequest.update(
            {
                ErasureRequest.status: ErasureStatus.DECLINED.value,
                ErasureRequest.decided_by: admin_id,
                ErasureRequest.decided_at: now(),
                ErasureRequest.outcome: json.dumps({"declined_because": reason}),
            }
        ).where(ErasureRequest.id == request_id)
        await audit.record(
            "erasure.decline",
            "erasure_request",
            request_id,
            subject_id=int(row["person"]),
            before={"status": ErasureStatus.PENDING.value},
            after={"status": ErasureStatus.DECLINED.value},
            details={"reason": reason},
        )
    return await get(request_id)


async def _kept(person_id: int) -> list[dict[str, Any]]:
    """What erasure keeps (under the pseudonym) and the duty that keeps it, in the periods in force."""
    periods = get_settings().retention
    ledger = await LedgerEntry.count().where(
        (LedgerEntry.registration.person == person_id) | (LedgerEntry.membership.person == person_id)
    )
    attendance = await AttendanceRecord.count().where(AttendanceRecord.person == person_id)
    certificates = await Certificate.count().where(Certificate.person == person_id)
    trail = await AuditEntry.count().where(AuditEntry.subject_id == person_id)
    return [
        {
            "what": "ledger lines",
            "rows": int(ledger),
            "kept_days": periods.ledger,
            "why": f"Payment records are kept {_years(periods.ledger)} years (tax and accounting duty); "
            "their amounts never change.",
        },
        {
            "what": "CME records and certificates",
            "rows": int(attendance) + int(certificates),
            "attendance_records": int(attendance),
            "certificates": int(certificates),
            "kept_days": periods.cme,
            "why": f"Attendance, CME credits and certificates are kept {_years(periods.cme)} years "
            "(accreditation duty); a certificate still verifies by its code.",
        },
        {
            "what": "audit trail",
            "rows": int(trail),
            "kept_days": periods.audit,
            "why": f"Who did what is kept {_years(periods.audit)} years; it names the person by id only.",
        },
    ]


async def carry_out(request_id: int, admin_id: int) -> ErasureOut:
    """Anonymize the person of a pending request, unless a legal hold covers them (409, naming it).

    The outcome names the pseudonym, the rows rewritten and what is kept and why; the
    reason the person gave is blanked with the rest of what identified them.
    """
    row = await _row(request_id)
    if row["status"] != ErasureStatus.PENDING:
        raise errors.erasure_not_pending()
    person_id = int(row["person"])
    covering = await holds_on_person(person_id)
    if covering:
        raise errors.erasure_held([h.reason for h in covering], [h.id for h in covering])
    kept = await _kept(person_id)
    done = await anonymize_person(person_id, reason=f"erasure request {request_id}")
    outcome = {
        "pseudonym": done.pseudonym,
        "rows_anonymized": dict(done.rows),
        "kept": [{**k, "under": done.pseudonym} for k in kept],
    }
    async with write_transaction():
        # Whatever else happened meanwhile, the person is erased now and the request must say so.
        await ErasureRequest.update(
            {
                ErasureRequest.status: ErasureStatus.CARRIED_OUT.value,
                ErasureRequest.decided_by: admin_id,
                ErasureRequest.decided_at: now(),
                ErasureRequest.outcome: json.dumps(outcome),
                # The person's own words go with the rest of who they were.
                ErasureRequest.reason: "",
            }
        ).where((ErasureRequest.id == request_id) & (ErasureRequest.status != ErasureStatus.CARRIED_OUT))
    return await get(request_id)


async def profile_lines(person_id: int) -> list[tuple[str, str]]:
    """The account page's line while a request waits (registered with accounts.profile by the shell)."""
    row = await (
        ErasureRequest.select(ErasureRequest.requested_at)
        .where((ErasureRequest.person == person_id) & (ErasureRequest.status == ErasureStatus.PENDING))
        .first()
    )
    if row is None:
        return []
    return [("Erasure request", f"waiting for an admin since {row['requested_at']:%Y-%m-%d}")]
