"""A program's own rules (statuses and points, time limits, certificate timing), with defaults.

Programs without a settings row use DOMAIN's defaults: Present 2, Late 1,
Excused 1, Absent 0; present within 10 minutes, late within 60.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from accounts.audit import trail as audit
from accounts.tables import Program
from grandrounds.db import write_transaction
from programs import errors
from programs.rules.attendance import DEFAULT_SCHEME, AttendanceStatus, StatusScheme
from programs.services.credits import DEFAULT_CREDIT_DEGREES, normalise_degrees
from programs.tables import ProgramSettings

TIMINGS = ("immediately", "cohort_end", "on_date")
DEFAULT_STATUSES: list[dict[str, Any]] = [
    {"name": AttendanceStatus.PRESENT.value, "points": 2, "excused": False},
    {"name": AttendanceStatus.LATE.value, "points": 1, "excused": False},
    {"name": AttendanceStatus.EXCUSED.value, "points": 1, "excused": True},
    {"name": AttendanceStatus.ABSENT.value, "points": 0, "excused": False},
]


@dataclass(frozen=True)
class ProgramRules:
    program_id: int
    program_name: str
    program_kind: str
    statuses: list[dict[str, Any]]
    scheme: StatusScheme
    present_within: timedelta
    late_within: timedelta
    certificate_timing: str
    certificate_date: date | None
    provider: str
    deliverable_title: str
    credit_degrees: tuple[str, ...] = DEFAULT_CREDIT_DEGREES  # who earns AMA PRA Category 1 Credit

    @property
    def status_names(self) -> list[str]:
        return [s["name"] for s in self.statuses]

    @property
    def absent_status(self) -> str:
        """What a held session without any record counts as: the first non-excused 0-point status."""
        for s in self.statuses:
            if s["points"] == 0 and not s["excused"]:
                return str(s["name"])
        return AttendanceStatus.ABSENT.value

    def attended(self, status: str) -> bool:
        """Was the person there? Any status worth points that is not an excuse."""
        return status not in self.scheme.excused and self.scheme.points.get(status, 0) > 0

    def time_status(self, status: AttendanceStatus) -> str:
        """The program's name for a time-rule outcome, falling back to the defaults' names."""
        return status.value if status.value in self.scheme.points else self.absent_status


def scheme_from(statuses: list[dict[str, Any]]) -> StatusScheme:
    """Validate a status list into a scheme; raises ``program.statuses_invalid``."""
    if not statuses:
        return DEFAULT_SCHEME
    names = [str(s.get("name", "")).strip() for s in statuses]
    if any(not n or len(n) > 40 for n in names) or len(set(names)) != len(names):
        raise errors.statuses_invalid("every status needs a distinct name of at most 40 characters")
    raw_points = [s.get("points") for s in statuses]
    if any(not isinstance(p, int) or isinstance(p, bool) for p in raw_points):
        raise errors.statuses_invalid("points must be whole numbers")
    points: dict[str, int] = {n: int(p) for n, p in zip(names, raw_points, strict=True)}  # type: ignore[arg-type]
    full = max(points, key=lambda n: points[n])
    if not any(p == 0 and not s.get("excused") for p, s in zip(points.values(), statuses, strict=True)):
        raise errors.statuses_invalid("one status must mean absent: 0 points and not excused")
    try:
        return StatusScheme(
            points=points,
            excused=frozenset(n for n, s in zip(names, statuses, strict=True) if s.get("excused")),
            full_status=full,
        )
    except ValueError as exc:
        raise errors.statuses_invalid(str(exc)) from None


async def rules_for(program_id: int) -> ProgramRules:
    program = await Program.select().where(Program.id == program_id).first()
    if program is None:
        raise errors.program_not_found()
    row = await ProgramSettings.select().where(ProgramSettings.program == program_id).first()
    row = row or {}
    raw = row.get("statuses") or "[]"
    statuses = (json.loads(raw) if isinstance(raw, str) else raw) or DEFAULT_STATUSES
    return ProgramRules(
        program_id=program_id,
        program_name=program["name"],
        program_kind=program["kind"],
        statuses=statuses,
        scheme=scheme_from(statuses),
        present_within=timedelta(minutes=row.get("present_within_minutes", 10)),
        late_within=timedelta(minutes=row.get("late_within_minutes", 60)),
        certificate_timing=row.get("certificate_timing", "immediately"),
        certificate_date=row.get("certificate_date"),
        provider=row.get("provider") or program["name"],
        deliverable_title=row.get("deliverable_title") or "Strategic social media plan",
        credit_degrees=normalise_degrees(
            (row.get("credit_degrees") or ",".join(DEFAULT_CREDIT_DEGREES)).split(",")
        ),
    )


def _audited(rules: ProgramRules) -> dict[str, Any]:
    """The rules as the audit trail compares them: what staff can change, in the units they set."""
    return {
        "statuses": rules.statuses,
        "present_within_minutes": int(rules.present_within.total_seconds() // 60),
        "late_within_minutes": int(rules.late_within.total_seconds() // 60),
        "certificate_timing": rules.certificate_timing,
        "certificate_date": rules.certificate_date,
        "provider": rules.provider,
        "deliverable_title": rules.deliverable_title,
        "credit_degrees": list(rules.credit_degrees),
    }


async def save_rules(
    program_id: int,
    *,
    statuses: list[dict[str, Any]] | None = None,
    present_within_minutes: int | None = None,
    late_within_minutes: int | None = None,
    certificate_timing: str | None = None,
    certificate_date: date | None = None,
    provider: str | None = None,
    deliverable_title: str | None = None,
    credit_degrees: list[str] | None = None,
) -> ProgramRules:
    """Change a program's rules; only the arguments given change."""
    current = await rules_for(program_id)
    if statuses is not None:
        scheme_from(statuses)
    timing = certificate_timing or current.certificate_timing
    when = certificate_date if certificate_date is not None else current.certificate_date
    if timing not in TIMINGS or (timing == "on_date" and when is None):
        raise errors.timing_invalid()
    present = (
        present_within_minutes
        if present_within_minutes is not None
        else int(current.present_within.total_seconds() // 60)
    )
    late = (
        late_within_minutes
        if late_within_minutes is not None
        else int(current.late_within.total_seconds() // 60)
    )
    if not 0 <= present <= late <= 24 * 60:
        raise errors.policy_invalid(
            "The Present limit must be between 0 and the Late limit.", "present_within_minutes"
        )
    values: dict[Any, Any] = {
        ProgramSettings.statuses: json.dumps(statuses if statuses is not None else current.statuses),
        ProgramSettings.present_within_minutes: present,
        ProgramSettings.late_within_minutes: late,
        ProgramSettings.certificate_timing: timing,
        ProgramSettings.certificate_date: when,
        ProgramSettings.provider: (provider if provider is not None else current.provider).strip()[:200],
        ProgramSettings.deliverable_title: (deliverable_title or current.deliverable_title).strip()[:200],
        ProgramSettings.credit_degrees: ",".join(
            normalise_degrees(credit_degrees) if credit_degrees is not None else current.credit_degrees
        ),
    }
    async with write_transaction():
        before = _audited(await rules_for(program_id))
        if await ProgramSettings.exists().where(ProgramSettings.program == program_id):
            await ProgramSettings.update(values).where(ProgramSettings.program == program_id)
        else:
            await ProgramSettings.insert(
                ProgramSettings(program=program_id, **{column._meta.name: v for column, v in values.items()})
            )
        saved = await rules_for(program_id)
        await audit.record(
            "program.rules.update", "program", program_id, before=before, after=_audited(saved)
        )
    return saved
