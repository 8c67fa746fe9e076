"""What staff and learners read: a learner's progress, the cohort roster, and its CSV export."""

from __future__ import annotations

import csv
import io

from accounts.audit import trail as audit
from accounts.principal import Principal
from grandrounds.spreadsheets import safe_cell
from programs import errors
from programs.schemas import ProgressOut, RosterRowOut, RuleOut, SessionLineOut
from programs.services import certificates
from programs.services.access import cohort_for_learner_or_staff, cohort_for_staff
from programs.services.attendance import sync_check_ins
from programs.services.cohort_facts import CohortFacts
from programs.services.ladder import highest, rungs_of
from programs.services.progress import Progress, cohort_progress, percent_text

STATE_WORDS = {"complete": "Complete", "in_progress": "In progress", "cannot_complete": "Cannot complete"}


def progress_out(p: Progress, rung: str | None) -> ProgressOut:
    return ProgressOut(
        cohort_id=p.cohort_id,
        person_id=p.person_id,
        name=p.name,
        state=p.state,
        attendance_percent=None if p.attendance.over_all is None else percent_text(p.attendance.over_all),
        attendance_so_far=None if p.attendance.current is None else percent_text(p.attendance.current),
        attendance_best_possible=None
        if p.attendance.best_possible is None
        else percent_text(p.attendance.best_possible),
        credits=str(p.credits),
        credit_eligible=p.credit_eligible,
        rules=[
            RuleOut(rule=r.rule, met=r.met, possible=r.possible, explanation=r.explanation) for r in p.rules
        ],
        to_do=p.to_do,
        credit_note=p.credit_note,
        sessions=[
            SessionLineOut(
                session_id=s.session_id,
                title=s.title,
                starts_at=s.starts_at,
                held=s.held,
                required=s.required,
                counts_toward_completion=s.counts,
                status=s.status,
                credits=str(s.credits),
            )
            for s in p.sessions
        ],
        certificate_code=p.certificate_code,
        rung=rung,
    )


async def learner_progress(
    principal: Principal, cohort_id: int, person_id: int
) -> tuple[CohortFacts, Progress, str | None]:
    """(cohort, progress, rung) for the learner themselves or their program's staff; 404 for anyone else."""
    cohort = await cohort_for_learner_or_staff(principal, cohort_id, person_id)
    await sync_check_ins(cohort_id)
    await certificates.issue_due(cohort_id, [person_id])
    found = await cohort_progress(cohort_id, [person_id])
    if not found:
        raise errors.not_enrolled()
    rung = highest(await rungs_of(cohort.program_id, person_id))
    return cohort, found[0], rung


async def roster(
    principal: Principal, cohort_id: int, state: str | None = None, query: str = ""
) -> list[Progress]:
    """Every active member's standing; filter by completion state and by name or email."""
    await cohort_for_staff(principal, cohort_id)
    await sync_check_ins(cohort_id)
    await certificates.issue_due(cohort_id)
    rows = await cohort_progress(cohort_id)
    if state:
        rows = [p for p in rows if p.state == state]
    needle = query.strip().lower()
    if needle:
        rows = [p for p in rows if needle in p.name.lower() or needle in p.email.lower()]
    return rows


def roster_out(rows: list[Progress]) -> list[RosterRowOut]:
    return [
        RosterRowOut(
            person_id=p.person_id,
            name=p.name,
            email=p.email,
            degree=p.degree,
            mentor_id=p.mentor_id,
            attendance_percent=None if p.attendance.over_all is None else percent_text(p.attendance.over_all),
            attendance_so_far=None if p.attendance.current is None else percent_text(p.attendance.current),
            credits=str(p.credits),
            state=p.state,
            certificate_code=p.certificate_code,
        )
        for p in rows
    ]


async def roster_export(
    principal: Principal, cohort_id: int, state: str | None = None, query: str = ""
) -> str:
    """The roster as CSV for staff to download: personal data leaving, so the audit trail records
    how many learners' rows left and under which filter."""
    rows = await roster(principal, cohort_id, state, query)
    body = roster_csv(rows)
    await audit.record_export(
        "export.cohort_roster_csv",
        "cohort",
        cohort_id,
        rows=len(rows),
        details={"state": state or "", "filtered": bool(query.strip())},
    )
    return body


def roster_csv(rows: list[Progress]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(
        [
            "name",
            "email",
            "degree",
            "attendance_so_far",
            "attendance",
            "best_possible",
            "credits",
            "state",
            "to_do",
            "certificate",
        ]
    )
    for p in rows:
        writer.writerow(
            [
                safe_cell(p.name),
                safe_cell(p.email),
                safe_cell(p.degree),
                percent_text(p.attendance.current),
                percent_text(p.attendance.over_all),
                percent_text(p.attendance.best_possible),
                str(p.credits),
                STATE_WORDS[p.state],
                safe_cell("; ".join(p.to_do)),
                p.certificate_code or "",
            ]
        )
    return buffer.getvalue()
