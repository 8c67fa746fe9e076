"""Creating cohorts, their completion policy, and the sessions of their curriculum."""

from __future__ import annotations

import re
from dataclasses import asdict
from decimal import Decimal
from typing import Any

from accounts.audit import trail as audit
from accounts.principal import Principal
from accounts.services.people import check_time_zone
from events.tables import Session
from grandrounds.db import unique_violation, write_transaction
from grandrounds.errors import DomainError
from programs import errors
from programs.schemas import CohortCreate, CohortOut, CurriculumSession, PolicyIn, PolicyOut
from programs.services.access import cohort_for_staff, require_program_staff
from programs.services.cohort_facts import load_cohort
from programs.tables import Cohort, CohortSession, CompletionPolicy

_CURRENCY = re.compile(r"^[A-Z]{3}$")


def quarters_to_credits(quarters: int) -> Decimal:
    return (Decimal(quarters) / 4).quantize(Decimal("0.01"))


def _policy_values(policy: PolicyIn) -> dict[str, Any]:
    quarters = Decimal(str(policy.min_credits)) * 4
    if quarters != quarters.to_integral_value():
        raise errors.policy_invalid("Minimum credits go in quarter steps (e.g. 2.75).", "min_credits")
    return {
        "min_attendance_percent": policy.min_attendance_percent,
        "excused_policy": policy.excused_policy,
        "max_unexcused_absences": policy.max_unexcused_absences,
        "min_credit_quarters": int(quarters),
        "requires_deliverable": policy.requires_deliverable,
        "requires_signoff": policy.requires_signoff,
        "certificate_issuing": policy.certificate_issuing,
    }


async def create_cohort(principal: Principal, program_id: int, data: CohortCreate) -> CohortOut:
    await require_program_staff(principal, program_id)
    if data.ends_on < data.starts_on:
        raise errors.dates_invalid()
    try:
        check_time_zone(data.time_zone)
    except DomainError:
        raise errors.time_zone_unknown() from None
    currency = data.fee_currency.upper()
    if not _CURRENCY.match(currency):
        raise errors.currency_invalid()
    policy = _policy_values(data.policy or PolicyIn())
    values: dict[str, Any] = {
        "program": program_id,
        "name": " ".join(data.name.split()),
        "starts_on": data.starts_on,
        "ends_on": data.ends_on,
        "time_zone": data.time_zone,
        "capacity": data.capacity,
        "mentor_limit": data.mentor_limit,
        "open_for_applications": data.open_for_applications,
        "requires_membership": data.requires_membership,
        "fee_amount": data.fee_amount,
        "fee_currency": currency,
    }
    async with write_transaction():
        row = (await Cohort.insert(Cohort(**values)).returning(Cohort.id))[0]
        await CompletionPolicy.insert(CompletionPolicy(cohort=row["id"], **policy))
        await audit.record("cohort.create", "cohort", row["id"], after={**values, **policy})
    return await cohort_out(row["id"])


async def set_policy(principal: Principal, cohort_id: int, policy: PolicyIn) -> CohortOut:
    await cohort_for_staff(principal, cohort_id)
    values = _policy_values(policy)
    async with write_transaction():
        before = await policy_row(cohort_id)
        await CompletionPolicy.update({getattr(CompletionPolicy, k): v for k, v in values.items()}).where(
            CompletionPolicy.cohort == cohort_id
        )
        await audit.record(
            "cohort.policy.update",
            "cohort",
            cohort_id,
            before={k: before[k] for k in values},
            after=values,
        )
    return await cohort_out(cohort_id)


async def policy_row(cohort_id: int) -> dict[str, Any]:
    row = await CompletionPolicy.select().where(CompletionPolicy.cohort == cohort_id).first()
    if row is None:  # a cohort always gets one at creation; defaults keep old rows readable
        return {
            "min_attendance_percent": 80,
            "excused_policy": "leave_denominator",
            "max_unexcused_absences": None,
            "min_credit_quarters": 0,
            "requires_deliverable": False,
            "requires_signoff": False,
            "certificate_issuing": "signoff",
        }
    return row


async def curriculum(cohort_id: int) -> list[dict[str, Any]]:
    """The cohort's sessions in time order, with their event's kind and venue and whether required."""
    links = await CohortSession.select().where(CohortSession.cohort == cohort_id)
    if not links:
        return []
    required = {link["session"]: link["required"] for link in links}
    sessions = (
        await Session.select(
            *Session.all_columns(),
            Session.event.kind.as_alias("event_kind"),
            Session.event.venue.as_alias("event_venue"),
        )
        .where(Session.id.is_in(list(required)) & (Session.status != "cancelled"))
        .order_by(Session.starts_at)
    )
    for s in sessions:
        s["required"] = required[s["id"]]
    return sessions


async def cohort_out(cohort_id: int) -> CohortOut:
    cohort = await load_cohort(cohort_id)
    policy = await policy_row(cohort_id)
    return CohortOut(
        **asdict(cohort),
        policy=PolicyOut(
            min_attendance_percent=policy["min_attendance_percent"],
            excused_policy=policy["excused_policy"],
            max_unexcused_absences=policy["max_unexcused_absences"],
            min_credits=str(quarters_to_credits(policy["min_credit_quarters"])),
            requires_deliverable=policy["requires_deliverable"],
            requires_signoff=policy["requires_signoff"],
            certificate_issuing=policy["certificate_issuing"],
        ),
        sessions=[
            CurriculumSession(
                session_id=s["id"],
                event_id=s["event"],
                title=s["title"],
                starts_at=s["starts_at"],
                ends_at=s["ends_at"],
                credits=str(quarters_to_credits(s["cme_quarters"])),
                counts_toward_completion=s["counts_toward_completion"],
                required=s["required"],
            )
            for s in await curriculum(cohort_id)
        ],
    )


async def list_cohorts(principal: Principal, program_id: int) -> list[CohortOut]:
    await require_program_staff(principal, program_id)
    rows = await Cohort.select(Cohort.id).where(Cohort.program == program_id).order_by(Cohort.starts_on)
    return [await cohort_out(r["id"]) for r in rows]


async def add_session(principal: Principal, cohort_id: int, session_id: int, required: bool) -> CohortOut:
    """Put a session of the program's own events into the curriculum (idempotent; updates ``required``)."""
    cohort = await cohort_for_staff(principal, cohort_id)
    session = (
        await Session.select(Session.id, Session.event.program.as_alias("program"))
        .where(Session.id == session_id)
        .first()
    )
    if session is None:
        raise errors.session_not_found()
    if session["program"] != cohort.program_id:
        raise errors.session_not_in_program()
    with unique_violation():
        async with write_transaction():
            existing = (
                await CohortSession.select(CohortSession.id, CohortSession.required)
                .where((CohortSession.cohort == cohort_id) & (CohortSession.session == session_id))
                .first()
            )
            if existing:
                await CohortSession.update({CohortSession.required: required}).where(
                    CohortSession.id == existing["id"]
                )
            else:
                await CohortSession.insert(
                    CohortSession(cohort=cohort_id, session=session_id, required=required)
                )
            await audit.record(
                "cohort.session.create",
                "cohort",
                cohort_id,
                before={"session": session_id, "required": existing["required"]} if existing else None,
                after={"session": session_id, "required": required},
                details={"session_id": session_id},
            )
    return await cohort_out(cohort_id)


async def remove_session(principal: Principal, cohort_id: int, session_id: int) -> CohortOut:
    """Take a session out of the curriculum; its attendance records stay (they belong to the session)."""
    await cohort_for_staff(principal, cohort_id)
    async with write_transaction():
        link = (
            await CohortSession.select(CohortSession.required)
            .where((CohortSession.cohort == cohort_id) & (CohortSession.session == session_id))
            .first()
        )
        await CohortSession.delete().where(
            (CohortSession.cohort == cohort_id) & (CohortSession.session == session_id)
        )
        await audit.record(
            "cohort.session.remove",
            "cohort",
            cohort_id,
            before={"session": session_id, "required": link["required"]} if link else None,
            after=None,
            details={"session_id": session_id},
        )
    return await cohort_out(cohort_id)


async def program_events(program_id: int) -> list[dict[str, Any]]:
    """Sessions of the program's events, for staff choosing what to add to a curriculum."""
    return await (
        Session.select(
            Session.id, Session.title, Session.starts_at, Session.event.title.as_alias("event_title")
        )
        .where(Session.event.program == program_id)
        .order_by(Session.starts_at)
    )
