"""Certificates: issued once the completion policy is met, verifiable by anyone, revocable with a reason.

The verification code is 12 characters from Crockford's base32 alphabet (no I,
L, O or U, so nothing reads as another character), shown as 4-4-4: 60 random
bits from ``secrets``, so guessing one valid code among a million certificates
takes about 2^40 tries. Entry is forgiving: case, dashes and spaces are
ignored, and O/I/L read as 0/1/1.

What a certificate states (name, program, credits, dates) is copied when it is
issued, and its issue date never changes afterwards.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from accounts.audit import trail as audit
from accounts.principal import Principal
from grandrounds.db import now, unique_violation, write_transaction
from grandrounds.settings import get_settings
from notifications.outbox import enqueue_email
from programs import errors
from programs.schemas import CertificateOut
from programs.services.access import cohort_for_staff
from programs.services.cohort_facts import CohortFacts, find_cohort
from programs.services.cohorts import curriculum, policy_row, quarters_to_credits
from programs.services.credits import credit_eligible, quarters
from programs.services.progress import COMPLETE, Progress, cohort_progress
from programs.services.rules import ProgramRules, rules_for
from programs.tables import Certificate, Cohort, Enrollment

log = logging.getLogger("grandrounds.programs")

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_READS_AS = str.maketrans({"O": "0", "I": "1", "L": "1"})


def new_code() -> str:
    raw = "".join(secrets.choice(ALPHABET) for _ in range(12))
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def normalize_code(text: str) -> str | None:
    """The canonical XXXX-XXXX-XXXX form of what someone typed, or None if it cannot be a code."""
    cleaned = "".join(c for c in text.upper() if c not in "- \t").translate(_READS_AS)
    if len(cleaned) != 12 or any(c not in ALPHABET for c in cleaned):
        return None
    return f"{cleaned[:4]}-{cleaned[4:8]}-{cleaned[8:]}"


def out(row: dict[str, Any]) -> CertificateOut:
    return CertificateOut(
        code=row["code"],
        kind=row["kind"],
        learner_name=row["learner_name"],
        program_name=row["program_name"],
        cohort_name=row["cohort_name"],
        provider=row["provider"],
        activity_format=row["activity_format"],
        location=row["location"],
        starts_on=row["starts_on"],
        ends_on=row["ends_on"],
        credits=str(quarters_to_credits(row["credit_quarters"])),
        issued_on=row["issued_on"],
        revoked=row["revoked_at"] is not None,
        revoked_reason=row["revoked_reason"] if row["revoked_at"] is not None else "",
    )


def _today(cohort: CohortFacts, at: datetime) -> date:
    return at.astimezone(ZoneInfo(cohort.time_zone)).date()


def is_due(rules: ProgramRules, cohort: CohortFacts, at: datetime) -> bool:
    """Whether this program issues now: at once, after the cohort's last day, or from a set date."""
    if rules.certificate_timing == "cohort_end":
        return _today(cohort, at) > cohort.ends_on
    if rules.certificate_timing == "on_date":
        return rules.certificate_date is not None and _today(cohort, at) >= rules.certificate_date
    return True


async def _format_and_location(cohort_id: int) -> tuple[str, str]:
    sessions = await curriculum(cohort_id)
    kinds = {s["event_kind"] for s in sessions}
    if not sessions or kinds == {"webinar"}:
        return "Live webinar series", "web-based"
    places = sorted({(s["room"] or s["event_venue"]).strip() for s in sessions} - {""})
    return "Live course", "; ".join(places)[:300] or "web-based"


async def signed_off(enrollment_ids: set[int]) -> set[int]:
    """Which of these enrollments staff have signed off: the gate of a cohort that issues on sign-off."""
    rows = await Enrollment.select(Enrollment.id).where(
        Enrollment.id.is_in(list(enrollment_ids) or [-1]) & Enrollment.signed_off_at.is_not_null()
    )
    return {r["id"] for r in rows}


@dataclass(frozen=True)
class _Issuing:
    """Who is ready for a certificate in one cohort now, with what every certificate of it states."""

    cohort: CohortFacts
    rules: ProgramRules
    ready: list[Progress]
    activity_format: str
    location: str
    moment: datetime


async def _issuing(cohort_id: int, person_ids: list[int] | None, moment: datetime) -> _Issuing | None:
    """Those meeting the policy without a certificate, when the program's timing allows; None if nobody."""
    cohort = await find_cohort(cohort_id)
    if cohort is None:
        return None
    rules = await rules_for(cohort.program_id)
    if not is_due(rules, cohort, moment):
        return None
    ready = [
        p
        for p in await cohort_progress(cohort_id, person_ids, moment)
        if p.state == COMPLETE and not p.certificate_code
    ]
    if ready and (await policy_row(cohort_id))["certificate_issuing"] != "automatic":
        signed = await signed_off({p.enrollment_id for p in ready})
        ready = [p for p in ready if p.enrollment_id in signed]
    if not ready:
        return None
    activity_format, location = await _format_and_location(cohort_id)
    return _Issuing(cohort, rules, ready, activity_format, location, moment)


async def _issue_one(plan: _Issuing, progress: Progress, code: str) -> bool:
    """Insert one certificate under ``code`` and mail it; False if the person has one already.

    Call inside a write transaction (a clash on the code or the person raises a unique violation).
    """
    cohort, rules, moment = plan.cohort, plan.rules, plan.moment
    if await Certificate.exists().where(
        (Certificate.cohort == cohort.id) & (Certificate.person == progress.person_id)
    ):
        return False
    eligible = credit_eligible(progress.degree, rules.credit_degrees)
    await Certificate.insert(
        Certificate(
            code=code,
            cohort=cohort.id,
            person=progress.person_id,
            kind="cme" if eligible else "participation",
            learner_name=progress.name,
            learner_degree=progress.degree,
            program_name=rules.program_name,
            cohort_name=cohort.name,
            provider=rules.provider,
            activity_format=plan.activity_format,
            location=plan.location,
            starts_on=cohort.starts_on,
            ends_on=cohort.ends_on,
            credit_quarters=quarters(progress.credits) if eligible else 0,
            issued_on=_today(cohort, moment),
            issued_at=moment,
        )
    )
    await enqueue_email(
        "certificate_issued",
        progress.email,
        {
            "name": progress.name,
            "program": rules.program_name,
            "cohort": cohort.name,
            "code": code,
            "verify_url": f"{get_settings().base_url}/verify/{code}",
            "credits": str(progress.credits) if eligible else "",
        },
        person_id=progress.person_id,
        program_id=cohort.program_id,
        dedupe_key=f"certificate:{cohort.id}:{progress.person_id}",
    )
    return True


async def issue_due(
    cohort_id: int, person_ids: list[int] | None = None, at: datetime | None = None
) -> list[str]:
    """Issue certificates to those meeting the policy when the program's timing allows; returns new codes.

    Run by every change that can complete someone and by the sweep chore, one short transaction
    per certificate. It writes no audit row: the change that completed them has its own, and
    staff asking for certificates go through :func:`issue_now`.
    """
    plan = await _issuing(cohort_id, person_ids, at or now())
    if plan is None:
        return []
    issued: list[str] = []
    for progress in plan.ready:
        for _attempt in range(5):
            code = new_code()
            with unique_violation():
                async with write_transaction():
                    if not await _issue_one(plan, progress, code):
                        break
                issued.append(code)
                break
            # A code collision retries with a new code; a racing issue for the same person stops.
            if await Certificate.exists().where(
                (Certificate.cohort == cohort_id) & (Certificate.person == progress.person_id)
            ):
                break
    return issued


async def _issue_all(plan: _Issuing | None) -> list[tuple[str, int]]:
    """(code, person) of every certificate issued to the plan's ready people. Inside a write transaction."""
    issued: list[tuple[str, int]] = []
    if plan is None:
        return issued
    for progress in plan.ready:
        code = new_code()
        if await _issue_one(plan, progress, code):
            issued.append((code, progress.person_id))
    return issued


async def issue_now(principal: Principal, cohort_id: int) -> list[str]:
    """Staff issue every certificate due in the cohort: one transaction, one audit row with the count.

    A clash (a code drawn twice, a sweep issuing to the same person) rolls the batch back and
    tries again; those who got theirs meanwhile are skipped.
    """
    await cohort_for_staff(principal, cohort_id)
    plan = await _issuing(cohort_id, None, now())
    for _attempt in range(5):
        issued: list[tuple[str, int]] = []
        with unique_violation() as clash:
            async with write_transaction():
                issued = await _issue_all(plan)
                await audit.record(
                    "certificate.issue",
                    "cohort",
                    cohort_id,
                    details={
                        "issued": len(issued),
                        "codes": [code for code, _ in issued],
                        "people": [person for _, person in issued],
                    },
                )
        if not clash:
            return [code for code, _ in issued]
    assert clash.error is not None
    raise clash.error


async def verify(code_text: str) -> CertificateOut:
    code = normalize_code(code_text)
    if code is None:
        raise errors.certificate_not_found()
    row = await Certificate.select().where(Certificate.code == code).first()
    if row is None:
        raise errors.certificate_not_found()
    return out(row)


async def program_of(code: str) -> int | None:
    """The program whose cohort a certificate was issued in: its staff may revoke it."""
    row = (
        await Certificate.select(Certificate.cohort.program.as_alias("program"))
        .where(Certificate.code == code)
        .first()
    )
    return None if row is None else int(row["program"])


async def revoke(principal: Principal, code_text: str, reason: str) -> CertificateOut:
    code = normalize_code(code_text) or ""
    row = await Certificate.select().where(Certificate.code == code).first()
    if row is None:
        raise errors.certificate_not_found()
    await cohort_for_staff(principal, row["cohort"])
    if not reason.strip():
        raise errors.reason_required()
    moment = now()
    async with write_transaction():
        updated = (
            await Certificate.update(
                {
                    Certificate.revoked_at: moment,
                    Certificate.revoked_reason: reason.strip()[:300],
                    Certificate.revoked_by: principal.person_id,
                }
            )
            .where((Certificate.id == row["id"]) & Certificate.revoked_at.is_null())
            .returning(Certificate.id)
        )
        if not updated:
            raise errors.certificate_already_revoked()
        await audit.record(
            "certificate.revoke",
            "certificate",
            code,
            before={"revoked_at": None, "revoked_reason": ""},
            after={"revoked_at": moment, "revoked_reason": reason.strip()[:300]},
            subject_id=row["person"],
        )
    return await verify(code)


async def for_cohort(principal: Principal, cohort_id: int) -> list[CertificateOut]:
    await cohort_for_staff(principal, cohort_id)
    rows = (
        await Certificate.select().where(Certificate.cohort == cohort_id).order_by(Certificate.learner_name)
    )
    return [out(r) for r in rows]


async def of_person(person_id: int) -> list[CertificateOut]:
    rows = await Certificate.select().where(Certificate.person == person_id).order_by(Certificate.issued_on)
    return [out(r) for r in rows]


async def owner_of(code: str) -> int | None:
    row = await Certificate.select(Certificate.person).where(Certificate.code == code).first()
    return row["person"] if row else None


def open_badge(cert: CertificateOut, base_url: str) -> dict[str, Any]:
    """The certificate as an Open Badges 3.0 credential (unsigned; its verify page is the proof of record)."""
    url = f"{base_url}/verify/{cert.code}"
    achievement: dict[str, Any] = {
        "id": f"{url}#achievement",
        "type": ["Achievement"],
        "name": f"{cert.program_name}: {cert.cohort_name}",
        "description": f"Completed {cert.program_name} ({cert.cohort_name}).",
        "criteria": {
            "narrative": "Met the cohort's completion policy (attendance, sessions, deliverable, sign-off)."
        },
    }
    if cert.kind == "cme" and Decimal(cert.credits) > 0:
        achievement["creditsAvailable"] = float(Decimal(cert.credits))
    return {
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
        ],
        "id": url,
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": base_url, "type": ["Profile"], "name": cert.provider or cert.program_name},
        "validFrom": f"{cert.issued_on.isoformat()}T00:00:00Z",
        "name": f"{cert.program_name} certificate",
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "name": cert.learner_name,
            "achievement": achievement,
        },
        "credentialStatus": {"id": url, "type": "grandroundsVerifyPage", "revoked": cert.revoked},
    }


async def sweep() -> int:
    """Background chore: issue certificates that came due (cohort ended, date reached).

    How often is the dispatcher's schedule (every few minutes, once for the cluster).
    """
    from programs.services.attendance import sync_check_ins

    issued = 0
    today = now().date()
    # Cohorts long over were settled by earlier sweeps; a year's margin covers late sign-offs.
    recent = today - timedelta(days=400)
    for cohort in await Cohort.select(Cohort.id, Cohort.program, Cohort.starts_on, Cohort.ends_on).where(
        Cohort.ends_on >= recent
    ):
        if cohort["starts_on"] > today:
            continue
        try:
            if (today - cohort["ends_on"]).days <= 2:
                await sync_check_ins(cohort["id"])  # issues at once where the program does
            # "Immediately" is handled by every change that can complete someone; time alone cannot.
            if (await rules_for(cohort["program"])).certificate_timing != "immediately":
                issued += len(await issue_due(cohort["id"]))
        except Exception:
            # One cohort's trouble must not stop the others, nor the mail this chore runs beside.
            log.exception("certificate sweep failed for cohort %s", cohort["id"])
    return issued
